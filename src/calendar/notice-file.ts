/**
 * A State Council holiday notice as an operator enters it (pure: text in, a checked year out).
 *
 * The notice file, UTF-8, one field per line; `#` starts a comment; blank lines are ignored:
 *
 *     year: 2027
 *     title: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
 *     published: 2026-11-12            (YYYY-MM-DD, or YYYY-MM)
 *     url: https://www.gov.cn/...      (optional)
 *     holiday: 元旦 2027-01-01..2027-01-03
 *     holiday: 清明节 2027-04-05         (one day: no "..")
 *     workday: 2027-02-14              (each 调休上班 day, weekend days)
 *
 * Each 放假 period of the notice is one `holiday` line (name, first day, last day, inclusive,
 * weekends inside included); each 上班 weekend day one `workday` line. A file in the JSON shape of
 * src/calendar/china-holidays.json holding exactly one year is taken too.
 *
 * Checks ({@link checkNotice}): the fields are there and well formed, the year is the one right
 * after the known calendar, the ranges lie in the year and do not overlap, the working days are
 * weekend days, and every statutory holiday of the year (statutory-holidays.ts) is a day off: a
 * typo in a date is caught before it moves any deadline.
 */
import type { Refusal } from '../errors.ts';
import { statutoryHolidays } from './statutory-holidays.ts';
import { buildCalendar, CalendarDataError, isWorkingDay, parseScheduleFile, type HolidayRange, type WorkingDayCalendar, type YearSchedule } from './working-days.ts';

export interface NoticeInput {
  year: number;
  title: string;
  /** YYYY-MM-DD or YYYY-MM */
  published: string;
  url: string | null;
  holidays: HolidayRange[];
  workdays: string[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TITLE = 300;

function invalid(reason: string, line?: number): Refusal {
  return { code: 'CALENDAR_NOTICE_INVALID', details: line === undefined ? { reason } : { line, reason } };
}

/** Parse the line format (or the one-year JSON shape); a refusal names the line. */
export function parseNoticeText(text: string): NoticeInput | Refusal {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) return parseNoticeJson(body);
  const fields: Partial<Record<'year' | 'title' | 'published' | 'url', string>> = {};
  const holidays: HolidayRange[] = [];
  const workdays: string[] = [];
  const lines = body.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const match = /^([a-z]+)\s*[:：]\s*(.*)$/.exec(line);
    if (!match) return invalid('expected "field: value"', lineNo);
    const [, key = '', value = ''] = match;
    switch (key) {
      case 'year':
      case 'title':
      case 'published':
      case 'url':
        if (fields[key] !== undefined) return invalid(`"${key}" given twice`, lineNo);
        fields[key] = value;
        break;
      case 'holiday': {
        const parts = /^(\S+)\s+(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?$/.exec(value);
        if (!parts) return invalid('holiday: expected "name YYYY-MM-DD..YYYY-MM-DD" or "name YYYY-MM-DD"', lineNo);
        const [, name = '', from = '', to] = parts;
        holidays.push({ name, from, to: to ?? from });
        break;
      }
      case 'workday':
        if (!DAY.test(value)) return invalid('workday: expected YYYY-MM-DD', lineNo);
        workdays.push(value);
        break;
      default:
        return invalid(`unknown field "${key}" (year, title, published, url, holiday, workday)`, lineNo);
    }
  }
  if (fields.year === undefined || !/^\d{4}$/.test(fields.year)) return invalid('"year: YYYY" is required');
  if (!fields.title) return invalid('"title" is required: the notice’s title with its 文号');
  if (!fields.published) return invalid('"published" is required: the notice’s date, YYYY-MM-DD or YYYY-MM');
  return { year: Number(fields.year), title: fields.title, published: fields.published, url: fields.url || null, holidays, workdays };
}

function parseNoticeJson(text: string): NoticeInput | Refusal {
  let schedules: YearSchedule[];
  try {
    schedules = parseScheduleFile(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof CalendarDataError) return invalid(error.message);
    throw error;
  }
  const [only, ...more] = schedules;
  if (!only || more.length > 0) return invalid('a JSON notice file must hold exactly one year');
  if (only.source.kind !== 'notice') return invalid('a notice needs its source');
  return { year: only.year, title: only.source.title, published: only.source.date, url: only.source.url ?? null, holidays: [...only.holidays], workdays: [...only.workdays] };
}

/** The notice as a year of the calendar. */
export function noticeSchedule(notice: NoticeInput): YearSchedule {
  return {
    year: notice.year,
    holidays: notice.holidays,
    workdays: notice.workdays,
    source: { kind: 'notice', title: notice.title, date: notice.published, ...(notice.url === null ? {} : { url: notice.url }) },
  };
}

/**
 * Whether `notice` may extend `known`: the next year, consistent, every statutory holiday off.
 * Returns the calendar with the notice's year added, or a coded refusal.
 */
export function checkNotice(notice: NoticeInput, known: WorkingDayCalendar): WorkingDayCalendar | Refusal {
  if (notice.year !== known.lastYear + 1) {
    return { code: 'CALENDAR_NOTICE_YEAR_INVALID', details: { year: notice.year, expected: known.lastYear + 1, known: { first: known.firstYear, last: known.lastYear } } };
  }
  if (notice.title.length > MAX_TITLE) return invalid(`title longer than ${MAX_TITLE} characters`);
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(notice.published)) return invalid('published: expected YYYY-MM-DD or YYYY-MM');
  if (notice.url !== null && !/^https?:\/\/\S+$/.test(notice.url)) return invalid('url: expected an http(s) address');
  if (notice.holidays.length === 0) return invalid('no holiday given');
  let calendar: WorkingDayCalendar;
  try {
    calendar = buildCalendar([...known.schedules, noticeSchedule(notice)]);
  } catch (error) {
    if (error instanceof CalendarDataError || error instanceof RangeError) return invalid(error.message);
    throw error;
  }
  const missed = statutoryHolidays(notice.year).flatMap((h) => h.days.filter((day) => isWorkingDay(day, calendar)).map((day) => `${h.name} ${day}`));
  if (missed.length > 0) return { code: 'CALENDAR_NOTICE_MISSES_STATUTORY', details: { year: notice.year, workingDays: missed } };
  return calendar;
}
