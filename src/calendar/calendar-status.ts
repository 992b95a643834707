// How far the known working-day calendar reaches, and whether admins must be warned (pure: a
// calendar and an instant in, the status out).
import { beijingDayOf, calendarEndDay, type WorkingDayCalendar } from './working-days.ts';

/** Admins are warned from this many days before the end of the last year with an official calendar. */
export const CALENDAR_WARN_DAYS = 60;

export interface CalendarStatus {
  firstYear: number;
  lastYear: number;
  /** The last day with an official calendar, YYYY-MM-DD (31 December of lastYear). */
  endsOn: string;
  /** From this Beijing day on, the warning is due. */
  warnFrom: string;
  warningDue: boolean;
  /** Days from today (Beijing) to endsOn; negative once past it. */
  daysLeft: number;
}

const DAY_MS = 86_400_000;
const indexOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayAt = (index: number) => new Date(index * DAY_MS).toISOString().slice(0, 10);

export function calendarStatus(calendar: WorkingDayCalendar, now: Date, warnDays = CALENDAR_WARN_DAYS): CalendarStatus {
  const endsOn = calendarEndDay(calendar);
  const warnFrom = dayAt(indexOf(endsOn) - warnDays);
  const today = beijingDayOf(now);
  return {
    firstYear: calendar.firstYear,
    lastYear: calendar.lastYear,
    endsOn,
    warnFrom,
    warningDue: today >= warnFrom,
    daysLeft: indexOf(endsOn) - indexOf(today),
  };
}

/** The instant the warning falls due: the start (00:00 Beijing) of warnFrom. */
export function warningDueAt(status: CalendarStatus): Date {
  return new Date(Date.parse(`${status.warnFrom}T00:00:00+08:00`));
}
