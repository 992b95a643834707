/**
 * The statutory holidays of 《全国年节及纪念日放假办法》 for any year: the days off the State
 * Council's yearly notice always contains, before it is published. Pure: lunar dates and the
 * solar term 清明 are computed (lunar-typescript, an astronomical calendar; cross-checked against
 * chinese-days' lunar tables and every year of the official calendar in statutory-holidays.test.ts).
 *
 * What the notice adds on top (bridging days, 调休 working weekends) cannot be computed: a year
 * counted on these days alone is provisional (src/calendar/working-days.ts addWorkingDaysEstimated).
 *
 * Revisions (放假办法, 全体公民放假的节日):
 * - 2008 (国务院令第513号, from 2008): 元旦; 春节 除夕、初一、初二; 清明; 劳动节 5/1; 端午; 中秋; 国庆 10/1–10/3.
 * - 2013 (国务院令第644号, from 2014): 春节 初一–初三 instead.
 * - 2024 (国务院令第795号, from 2025): 春节 除夕–初三; 劳动节 5/1–5/2.
 */
import { Lunar, Solar } from 'lunar-typescript';

export interface StatutoryHoliday {
  /** 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 */
  name: string;
  /** Beijing calendar days, YYYY-MM-DD, in order. */
  days: string[];
}

interface Revision {
  /** First year the revision governs. */
  from: number;
  /** The 春节 days as offsets from 初一 (除夕 = -1). */
  springFestival: readonly number[];
  labourDays: number;
}

const REVISIONS: readonly Revision[] = [
  { from: 2025, springFestival: [-1, 0, 1, 2], labourDays: 2 },
  { from: 2014, springFestival: [0, 1, 2], labourDays: 1 },
  { from: 2008, springFestival: [-1, 0, 1], labourDays: 1 },
];

/** The first year whose statutory holidays this module knows (the 2008 revision). */
export const FIRST_STATUTORY_YEAR = 2008;
/** lunar-typescript's range, and more than any deadline needs. */
export const LAST_STATUTORY_YEAR = 2099;

const pad = (n: number) => String(n).padStart(2, '0');
const dayOf = (solar: Solar) => `${solar.getYear()}-${pad(solar.getMonth())}-${pad(solar.getDay())}`;
const lunarDay = (year: number, month: number, day: number) => Lunar.fromYmd(year, month, day).getSolar();

/** The statutory holidays of `year` under the revision in force that year. */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  if (!Number.isInteger(year) || year < FIRST_STATUTORY_YEAR || year > LAST_STATUTORY_YEAR) {
    throw new RangeError(`Statutory holidays are known for ${FIRST_STATUTORY_YEAR}–${LAST_STATUTORY_YEAR}, not ${year}.`);
  }
  const revision = REVISIONS.find((r) => year >= r.from);
  if (!revision) throw new RangeError(`No revision of the holiday rules for ${year}.`);
  const newYear = lunarDay(year, 1, 1);
  // 除夕 is the last day of the twelfth lunar month (the 29th or the 30th): the day before 初一.
  const springFestival = revision.springFestival.map((offset) => dayOf(newYear.next(offset)));
  const qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()['清明'];
  if (!qingming) throw new Error(`lunar-typescript gave no 清明 for ${year}`);
  return [
    { name: '元旦', days: [`${year}-01-01`] },
    { name: '春节', days: springFestival },
    { name: '清明节', days: [dayOf(qingming)] },
    { name: '劳动节', days: Array.from({ length: revision.labourDays }, (_, i) => `${year}-05-${pad(1 + i)}`) },
    { name: '端午节', days: [dayOf(lunarDay(year, 5, 5))] },
    { name: '中秋节', days: [dayOf(lunarDay(year, 8, 15))] },
    { name: '国庆节', days: [`${year}-10-01`, `${year}-10-02`, `${year}-10-03`] },
  ];
}

const cache = new Map<number, ReadonlyMap<string, string>>();

/** Day → holiday name for `year` (memoised: the computation is pure). */
export function statutoryHolidayDays(year: number): ReadonlyMap<string, string> {
  let days = cache.get(year);
  if (!days) {
    const map = new Map<string, string>();
    for (const holiday of statutoryHolidays(year)) for (const day of holiday.days) map.set(day, map.has(day) ? `${map.get(day)}、${holiday.name}` : holiday.name);
    days = map;
    cache.set(year, days);
  }
  return days;
}
