// Scoring periods in Beijing days: day, ISO week, month, quarter, year, or any range of days.
// Keys: 2026-11-28, 2026-W48, 2026-11, 2026-Q4, 2026, 2026-11-01..2026-11-15.
import type { PeriodKind } from '../db/schema.ts';

export interface Period {
  kind: PeriodKind | 'range';
  key: string;
  /** First and last Beijing day, inclusive, YYYY-MM-DD. */
  fromDay: string;
  toDay: string;
}

const DAY_MS = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

export function isDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(dayMs(text)) && dayText(dayMs(text)) === text;
}

export function addDaysToDay(day: string, n: number): string {
  return dayText(dayMs(day) + n * DAY_MS);
}

export function daysBetween(fromDay: string, toDay: string): number {
  return Math.round((dayMs(toDay) - dayMs(fromDay)) / DAY_MS) + 1;
}

/** Monday of ISO week 1 of an ISO year. */
function isoWeekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7;
  return jan4 - weekday * DAY_MS;
}

function monthPeriod(year: number, month: number): Period {
  const from = Date.UTC(year, month - 1, 1);
  const to = Date.UTC(year, month, 0);
  return { kind: 'month', key: `${year}-${pad(month)}`, fromDay: dayText(from), toDay: dayText(to) };
}

function quarterPeriod(year: number, quarter: number): Period {
  const from = Date.UTC(year, (quarter - 1) * 3, 1);
  const to = Date.UTC(year, quarter * 3, 0);
  return { kind: 'quarter', key: `${year}-Q${quarter}`, fromDay: dayText(from), toDay: dayText(to) };
}

function weekPeriod(isoYear: number, week: number): Period {
  const from = isoWeekOneMonday(isoYear) + (week - 1) * 7 * DAY_MS;
  return { kind: 'week', key: `${isoYear}-W${pad(week)}`, fromDay: dayText(from), toDay: dayText(from + 6 * DAY_MS) };
}

function weeksInIsoYear(isoYear: number): number {
  return Math.round((isoWeekOneMonday(isoYear + 1) - isoWeekOneMonday(isoYear)) / (7 * DAY_MS));
}

/** The period a key names, or null when the key is malformed (ranges: at most 3 years). */
export function parsePeriod(key: string): Period | null {
  let m: RegExpExecArray | null;
  if (isDay(key)) return { kind: 'day', key, fromDay: key, toDay: key };
  if ((m = /^(\d{4})-W(\d{2})$/.exec(key))) {
    const [year, week] = [Number(m[1]), Number(m[2])];
    return week >= 1 && week <= weeksInIsoYear(year) ? weekPeriod(year, week) : null;
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(key))) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? monthPeriod(Number(m[1]), month) : null;
  }
  if ((m = /^(\d{4})-Q([1-4])$/.exec(key))) return quarterPeriod(Number(m[1]), Number(m[2]));
  if ((m = /^(\d{4})$/.exec(key))) return { kind: 'year', key, fromDay: `${key}-01-01`, toDay: `${key}-12-31` };
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(key))) {
    const [from, to] = [m[1] as string, m[2] as string];
    if (!isDay(from) || !isDay(to) || to < from || daysBetween(from, to) > 3 * 366) return null;
    return { kind: 'range', key, fromDay: from, toDay: to };
  }
  return null;
}

/** The period of a kind that contains a day. */
export function periodContaining(kind: PeriodKind, day: string): Period {
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  switch (kind) {
    case 'day':
      return { kind, key: day, fromDay: day, toDay: day };
    case 'month':
      return monthPeriod(year, month);
    case 'quarter':
      return quarterPeriod(year, Math.ceil(month / 3));
    case 'year':
      return { kind, key: String(year), fromDay: `${year}-01-01`, toDay: `${year}-12-31` };
    case 'week': {
      const ms = dayMs(day);
      let isoYear = year + 1;
      while (isoWeekOneMonday(isoYear) > ms) isoYear--;
      return weekPeriod(isoYear, Math.floor((ms - isoWeekOneMonday(isoYear)) / (7 * DAY_MS)) + 1);
    }
  }
}

/** The period just before (for a range: the range of the same length just before). */
export function previousPeriod(period: Period): Period {
  if (period.kind === 'range') {
    const length = daysBetween(period.fromDay, period.toDay);
    const toDay = addDaysToDay(period.fromDay, -1);
    const fromDay = addDaysToDay(toDay, 1 - length);
    return { kind: 'range', key: `${fromDay}..${toDay}`, fromDay, toDay };
  }
  return periodContaining(period.kind, addDaysToDay(period.fromDay, -1));
}

/** `count` periods ending with `period`, newest first. */
export function periodsEndingWith(period: Period, count: number): Period[] {
  const out = [period];
  while (out.length < count) out.push(previousPeriod(out[out.length - 1] as Period));
  return out;
}

/** The first day of the month a day lies in. */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export interface RangeParts {
  /** Whole calendar months inside the range, as [first month's first day, last month's first day]. */
  months: [string, string] | null;
  /** The days outside whole months, at the head and the tail. */
  days: Array<[string, string]>;
}

/** Split a range of days into whole months and the loose days around them. */
export function splitByMonths(fromDay: string, toDay: string): RangeParts {
  const firstWhole = fromDay === monthStart(fromDay) ? fromDay : addDaysToDay(periodContaining('month', fromDay).toDay, 1);
  const lastWholeEnd = periodContaining('month', toDay).toDay === toDay ? toDay : addDaysToDay(monthStart(toDay), -1);
  if (firstWhole > lastWholeEnd) return { months: null, days: [[fromDay, toDay]] };
  const days: Array<[string, string]> = [];
  if (fromDay < firstWhole) days.push([fromDay, addDaysToDay(firstWhole, -1)]);
  if (lastWholeEnd < toDay) days.push([addDaysToDay(lastWholeEnd, 1), toDay]);
  return { months: [firstWhole, monthStart(lastWholeEnd)], days };
}
