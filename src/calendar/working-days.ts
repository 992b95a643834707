/**
 * Working days on China's official calendar (法定节假日 and 调休), for ticket deadlines.
 *
 * Pure: the holiday schedule is data (a {@link WorkingDayCalendar} built from {@link YearSchedule}s);
 * nothing here reads files, the clock or the environment. `china-calendar.ts` loads the data.
 *
 * Time zone: every rule works on Beijing calendar days (UTC+8, no daylight saving). An instant
 * belongs to the Beijing day it falls on: 2025-09-30T15:30Z is 23:30 on 2025-09-30 in Beijing.
 *
 * Deadlines (DESIGN.md §4, Ticket):
 * - "verify within n working days" of an evaluation received at instant t:
 *   `addWorkingDays(t, n)` = the end (23:59:59.999 Beijing) of the n-th working day strictly after
 *   t's Beijing day. t's own day never counts, whether or not it is a working day. Example: an
 *   evaluation at any time on 2025-09-30 → 2025-10-01..08 are holidays → deadline 2025-10-09
 *   23:59:59.999 Beijing (= 2025-10-09T15:59:59.999Z).
 * - "reply within 15 natural days": `addNaturalDays(t, 15)` = the end (23:59:59.999 Beijing) of
 *   the 15th calendar day after t's Beijing day. Holidays do not matter, so it needs no data.
 * A deadline is met when the action's instant is <= the deadline.
 *
 * Working day: a Beijing day that is an adjusted working day (调休上班, usually a weekend day), or
 * a Monday–Friday that is not an official holiday (放假). A day in a year the data does not cover
 * raises {@link CalendarCoverageError}: an unknown year is never guessed as "weekdays only".
 * Only {@link addWorkingDaysEstimated} counts such a year, on the statutory holidays of
 * 《全国年节及纪念日放假办法》 alone (statutory-holidays.ts), and says the result is provisional.
 *
 * ── Adding next year's schedule ─────────────────────────────────────────────────────────────
 * The State Council General Office publishes 《国务院办公厅关于YYYY年部分节假日安排的通知》 each
 * autumn (2025's on 2024-11-12, 2026's in November 2025). From 15 days before the first day the
 * data does not cover (17 December when next year is missing), every server start logs the
 * warning CALENDAR_NOT_COVERED (src/system.ts); from 60 days before the end of the last covered
 * year, province admins are notified once (src/calendar/calendar-watch.ts). A ticket whose
 * working-day deadline reaches the missing year gets a provisional deadline counting weekends and
 * the statutory holidays only (src/tickets/rules.ts workingDeadline), marked on the ticket.
 * The quickest way in, with no release: enter the notice into the database
 * (`npm run cli -- calendar import <file>`, docs/calendar.md); that also recomputes the
 * provisional deadlines of open tickets. For the next release, as well:
 * 1. `npm view chinese-days version`; if a newer version covers the year, `npm i -E
 *    chinese-days@<version>` and run `npx vitest run src/calendar` (the cross-check test
 *    compares the package against china-holidays.json for every year both hold).
 * 2. Otherwise (or in addition, as a second source) add the year to
 *    `src/calendar/china-holidays.json` from the notice itself: `source` (the notice's title with
 *    its 文号, publication date, URL), `holidays` (each 放假 period as a name with from/to dates,
 *    inclusive, weekends inside the period included) and `workdays` (every 上班 weekend day the
 *    notice lists, even one that falls in December of the previous year: list it under the year
 *    it belongs to by date). Years in that file take precedence over the package.
 * 3. Run `npx vitest run src/calendar`; add a test for the year's longest holiday if you like.
 * Years must stay contiguous: a gap makes loading fail.
 */

import { FIRST_STATUTORY_YEAR, LAST_STATUTORY_YEAR, statutoryHolidayDays } from './statutory-holidays.ts';

const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Where a year's schedule comes from. */
export type ScheduleSource =
  | { kind: 'notice'; title: string; date: string; url?: string }
  | { kind: 'package'; name: string; version: string };

export interface HolidayRange {
  /** e.g. 春节, 国庆节、中秋节 */
  name: string;
  /** First day off, YYYY-MM-DD (Beijing), inclusive. */
  from: string;
  /** Last day off, YYYY-MM-DD (Beijing), inclusive. */
  to: string;
}

/** One year of the official schedule. */
export interface YearSchedule {
  year: number;
  holidays: readonly HolidayRange[];
  /** Adjusted working days (调休上班), normally weekend days. */
  workdays: readonly string[];
  source: ScheduleSource;
}

export interface WorkingDayCalendar {
  /** First and last year covered, inclusive; every year between is covered too. */
  readonly firstYear: number;
  readonly lastYear: number;
  /** Holiday day → holiday name. */
  readonly holidays: ReadonlyMap<string, string>;
  readonly workdays: ReadonlySet<string>;
  readonly schedules: readonly YearSchedule[];
}

/** A day outside the years the calendar's data covers. */
export class CalendarCoverageError extends Error {
  readonly code = 'calendar_not_covered';
  constructor(
    readonly day: string,
    readonly firstYear: number,
    readonly lastYear: number,
  ) {
    super(
      `The working-day calendar covers ${firstYear}–${lastYear}; ${day} is outside it. ` +
        'Add the year from the State Council notice (see src/calendar/working-days.ts).',
    );
    this.name = 'CalendarCoverageError';
  }
}

/** Malformed or inconsistent schedule data. */
export class CalendarDataError extends Error {
  readonly code = 'calendar_data_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'CalendarDataError';
  }
}

interface DayParts {
  year: number;
  month: number;
  day: number;
}

function parseDay(day: string): DayParts | null {
  const match = DAY_PATTERN.exec(day);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const dayOfMonth = Number(match[3]);
  const utc = new Date(Date.UTC(year, month - 1, dayOfMonth));
  if (utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== dayOfMonth) return null;
  return { year, month, day: dayOfMonth };
}

function requireDay(day: string): DayParts {
  const parts = parseDay(day);
  if (!parts) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return parts;
}

function dayIndex(parts: DayParts): number {
  return Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS;
}

function dayFromIndex(index: number): string {
  return new Date(index * DAY_MS).toISOString().slice(0, 10);
}

function isWeekend(parts: DayParts): boolean {
  const weekday = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** The Beijing calendar day of an instant, YYYY-MM-DD. */
export function beijingDayOf(instant: Date): string {
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid Date');
  return new Date(time + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last millisecond of a Beijing day: 23:59:59.999 UTC+8. */
export function endOfBeijingDay(day: string): Date {
  return new Date((dayIndex(requireDay(day)) + 1) * DAY_MS - BEIJING_OFFSET_MS - 1);
}

/** Build a calendar from year schedules, checking that they are consistent and contiguous. */
export function buildCalendar(schedules: readonly YearSchedule[]): WorkingDayCalendar {
  if (schedules.length === 0) throw new CalendarDataError('No year schedules given.');
  const sorted = [...schedules].sort((a, b) => a.year - b.year);
  const holidays = new Map<string, string>();
  const workdays = new Set<string>();
  for (const [i, schedule] of sorted.entries()) {
    const previous = sorted[i - 1];
    if (previous && schedule.year !== previous.year + 1) {
      throw new CalendarDataError(
        previous.year === schedule.year
          ? `Year ${schedule.year} given twice.`
          : `Years must be contiguous: ${previous.year} is followed by ${schedule.year}.`,
      );
    }
    for (const range of schedule.holidays) {
      const from = parseDay(range.from);
      const to = parseDay(range.to);
      if (!from || !to || from.year !== schedule.year || to.year !== schedule.year || dayIndex(from) > dayIndex(to)) {
        throw new CalendarDataError(`${schedule.year}: bad holiday range ${JSON.stringify(range)}.`);
      }
      for (let index = dayIndex(from); index <= dayIndex(to); index++) {
        const day = dayFromIndex(index);
        if (holidays.has(day)) throw new CalendarDataError(`${schedule.year}: ${day} is in two holiday ranges.`);
        holidays.set(day, range.name);
      }
    }
    for (const day of schedule.workdays) {
      const parts = parseDay(day);
      if (!parts || parts.year !== schedule.year) {
        throw new CalendarDataError(`${schedule.year}: bad adjusted working day ${JSON.stringify(day)}.`);
      }
      if (!isWeekend(parts)) throw new CalendarDataError(`${schedule.year}: adjusted working day ${day} is not a weekend day.`);
      if (holidays.has(day)) throw new CalendarDataError(`${schedule.year}: ${day} is both a holiday and a working day.`);
      workdays.add(day);
    }
  }
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) throw new CalendarDataError('No year schedules given.');
  return { firstYear: first.year, lastYear: last.year, holidays, workdays, schedules: sorted };
}

/** The years the calendar covers, inclusive. */
export function coveredYears(calendar: WorkingDayCalendar): { first: number; last: number } {
  return { first: calendar.firstYear, last: calendar.lastYear };
}

/**
 * Whether a Beijing day (YYYY-MM-DD) is a working day. Throws {@link CalendarCoverageError} for a
 * day outside the covered years and RangeError for a malformed day.
 */
export function isWorkingDay(day: string, calendar: WorkingDayCalendar): boolean {
  const parts = requireDay(day);
  if (parts.year < calendar.firstYear || parts.year > calendar.lastYear) {
    throw new CalendarCoverageError(day, calendar.firstYear, calendar.lastYear);
  }
  if (calendar.workdays.has(day)) return true;
  if (calendar.holidays.has(day)) return false;
  return !isWeekend(parts);
}

/** The holiday's name if the day is an official holiday, else null (no coverage check). */
export function holidayName(day: string, calendar: WorkingDayCalendar): string | null {
  return calendar.holidays.get(day) ?? null;
}

function requireCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}.`);
}

/**
 * Deadline of "within n working days" of `instant`: the end (23:59:59.999 Beijing) of the n-th
 * working day after `instant`'s Beijing day. Throws {@link CalendarCoverageError} if a day that
 * must be examined lies outside the covered years.
 */
export function addWorkingDays(instant: Date, n: number, calendar: WorkingDayCalendar): Date {
  requireCount(n, 'Working days');
  let index = dayIndex(requireDay(beijingDayOf(instant)));
  let counted = 0;
  while (counted < n) {
    index += 1;
    if (isWorkingDay(dayFromIndex(index), calendar)) counted += 1;
  }
  return endOfBeijingDay(dayFromIndex(index));
}

/**
 * Whether a day is a working day, also outside the covered years: there, weekends and the
 * statutory holidays of that year are off and nothing else (no bridging days, no 调休, which only
 * the year's notice can say). `estimated` tells which of the two answered.
 */
export function estimatedWorkingDay(day: string, calendar: WorkingDayCalendar): { working: boolean; estimated: boolean } {
  const parts = requireDay(day);
  if (parts.year >= calendar.firstYear && parts.year <= calendar.lastYear) return { working: isWorkingDay(day, calendar), estimated: false };
  const statutory = parts.year >= FIRST_STATUTORY_YEAR && parts.year <= LAST_STATUTORY_YEAR && statutoryHolidayDays(parts.year).has(day);
  return { working: !statutory && !isWeekend(parts), estimated: true };
}

/**
 * {@link addWorkingDays}, except that a day outside the covered years is counted by
 * {@link estimatedWorkingDay} instead of throwing; `provisional` is true when any day examined
 * was, and the deadline must then be recomputed once the year's notice is entered.
 */
export function addWorkingDaysEstimated(instant: Date, n: number, calendar: WorkingDayCalendar): { dueAt: Date; provisional: boolean } {
  requireCount(n, 'Working days');
  let index = dayIndex(requireDay(beijingDayOf(instant)));
  let counted = 0;
  let provisional = false;
  while (counted < n) {
    index += 1;
    const { working, estimated } = estimatedWorkingDay(dayFromIndex(index), calendar);
    if (estimated) provisional = true;
    if (working) counted += 1;
  }
  return { dueAt: endOfBeijingDay(dayFromIndex(index)), provisional };
}

/** The last day of the covered years (31 December of the last year), YYYY-MM-DD. */
export function calendarEndDay(calendar: WorkingDayCalendar): string {
  return `${calendar.lastYear}-12-31`;
}

/**
 * Deadline of "within n natural days" of `instant`: the end (23:59:59.999 Beijing) of the n-th
 * calendar day after `instant`'s Beijing day. Needs no holiday data.
 */
export function addNaturalDays(instant: Date, n: number): Date {
  requireCount(n, 'Natural days');
  return endOfBeijingDay(dayFromIndex(dayIndex(requireDay(beijingDayOf(instant))) + n));
}

/**
 * Years the calendar lacks for deadlines computed between `now` and `lookaheadDays` later
 * (Beijing days), oldest first. Empty when the data is fresh enough. The default look-ahead, 15
 * days, is the longest ticket deadline (the 15-natural-day reply limit).
 */
export function missingYears(calendar: WorkingDayCalendar, now: Date, lookaheadDays = 15): number[] {
  const firstDay = requireDay(beijingDayOf(now));
  const lastDay = requireDay(dayFromIndex(dayIndex(firstDay) + lookaheadDays));
  const missing: number[] = [];
  for (let year = firstDay.year; year <= lastDay.year; year++) {
    if (year < calendar.firstYear || year > calendar.lastYear) missing.push(year);
  }
  return missing;
}

// ── Reading data (pure: takes already-parsed JSON) ────────────────────────────────────────────

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') throw new CalendarDataError(`${where}: "${key}" must be a non-empty string.`);
  return value;
}

/**
 * Parse the local data file (china-holidays.json):
 * `{ years: { "YYYY": { source: { title, date, url? }, holidays: [{ name, from, to }], workdays: [day] } } }`.
 */
export function parseScheduleFile(json: unknown): YearSchedule[] {
  if (!isRecord(json) || !isRecord(json.years)) throw new CalendarDataError('Schedule file: expected { "years": { ... } }.');
  const schedules: YearSchedule[] = [];
  for (const [key, entry] of Object.entries(json.years)) {
    const where = `Schedule file, year ${key}`;
    if (!/^\d{4}$/.test(key) || !isRecord(entry)) throw new CalendarDataError(`${where}: bad entry.`);
    const source = entry.source;
    if (!isRecord(source)) throw new CalendarDataError(`${where}: "source" must be an object.`);
    const date = stringField(source, 'date', where);
    if (!/^\d{4}-\d{2}(-\d{2})?$/.test(date)) throw new CalendarDataError(`${where}: source date must be YYYY-MM-DD or YYYY-MM.`);
    const url = source.url;
    if (url !== undefined && typeof url !== 'string') throw new CalendarDataError(`${where}: source "url" must be a string.`);
    if (!Array.isArray(entry.holidays) || !Array.isArray(entry.workdays)) {
      throw new CalendarDataError(`${where}: "holidays" and "workdays" must be arrays.`);
    }
    const holidays = entry.holidays.map((range: unknown): HolidayRange => {
      if (!isRecord(range)) throw new CalendarDataError(`${where}: bad holiday range.`);
      return { name: stringField(range, 'name', where), from: stringField(range, 'from', where), to: stringField(range, 'to', where) };
    });
    const workdays = entry.workdays.map((day: unknown): string => {
      if (typeof day !== 'string') throw new CalendarDataError(`${where}: workdays must be strings.`);
      return day;
    });
    schedules.push({
      year: Number(key),
      holidays,
      workdays,
      source: { kind: 'notice', title: stringField(source, 'title', where), date, ...(url === undefined ? {} : { url }) },
    });
  }
  return schedules;
}

/**
 * Convert the chinese-days package's data (`dist/chinese-days.json`: `{ holidays: { day: "English,中文,n" },
 * workdays: { day: ... }, inLieuDays: ... }`) to year schedules. Consecutive holiday days with
 * the same name become one range. Every year with at least one holiday is taken as covered.
 */
export function schedulesFromChineseDays(json: unknown, version: string): YearSchedule[] {
  if (!isRecord(json) || !isRecord(json.holidays) || !isRecord(json.workdays)) {
    throw new CalendarDataError('chinese-days data: expected { holidays: {...}, workdays: {...} }.');
  }
  const byYear = new Map<number, { holidays: HolidayRange[]; workdays: string[] }>();
  const yearEntry = (day: string) => {
    const parts = parseDay(day);
    if (!parts) throw new CalendarDataError(`chinese-days data: bad day ${JSON.stringify(day)}.`);
    let entry = byYear.get(parts.year);
    if (!entry) {
      entry = { holidays: [], workdays: [] };
      byYear.set(parts.year, entry);
    }
    return { entry, index: dayIndex(parts) };
  };
  for (const [day, label] of Object.entries(json.holidays).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof label !== 'string') throw new CalendarDataError(`chinese-days data: bad label for ${day}.`);
    const name = label.split(',')[1] ?? label;
    const { entry, index } = yearEntry(day);
    const last = entry.holidays[entry.holidays.length - 1];
    if (last && last.name === name && dayIndex(requireDay(last.to)) === index - 1) last.to = day;
    else entry.holidays.push({ name, from: day, to: day });
  }
  for (const day of Object.keys(json.workdays).sort()) {
    yearEntry(day).entry.workdays.push(day);
  }
  return [...byYear.entries()]
    .filter(([, entry]) => entry.holidays.length > 0)
    .map(([year, entry]) => ({ year, ...entry, source: { kind: 'package', name: 'chinese-days', version } }));
}

/**
 * Merge schedules from several sources: for a year present in more than one, the earlier list
 * wins (pass the official-notice file first, the package after).
 */
export function mergeSchedules(...sources: readonly (readonly YearSchedule[])[]): YearSchedule[] {
  const byYear = new Map<number, YearSchedule>();
  for (const schedules of sources) {
    for (const schedule of schedules) if (!byYear.has(schedule.year)) byYear.set(schedule.year, schedule);
  }
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

/** Every day of a schedule's year, as `day → 'holiday' | 'workday'`, to compare two sources. */
export function scheduleDays(schedule: YearSchedule): Map<string, 'holiday' | 'workday'> {
  const days = new Map<string, 'holiday' | 'workday'>();
  for (const range of schedule.holidays) {
    for (let index = dayIndex(requireDay(range.from)); index <= dayIndex(requireDay(range.to)); index++) {
      days.set(dayFromIndex(index), 'holiday');
    }
  }
  for (const day of schedule.workdays) days.set(day, 'workday');
  return days;
}
