// Pure rules of the ticket desk: which deadline of a ticket comes next, how many working days are
// left on the official calendar, and whether that is normal, a warning or overdue. No I/O, no clock.
import { beijingDayOf, endOfBeijingDay, estimatedWorkingDay, type WorkingDayCalendar } from '../calendar/working-days.ts';
import { runningDeadlines } from './rules.ts';
import { deadlineOf, type DeadlineName, type Ticket } from './state-machine.ts';

/** A deadline with this many working days left or fewer (and not yet passed) is a warning. */
export const WARNING_WORKING_DAYS = 2;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type Urgency = 'normal' | 'warning' | 'overdue';

export interface NextDeadline {
  name: DeadlineName;
  dueAt: Date;
  /** Working days from today (exclusive) to the due day (inclusive); negative once passed (at least −1). */
  workingDaysLeft: number;
  hoursLeft: number;
  status: Urgency;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** Working days d with from < d ≤ to (Beijing days); beyond the calendar's years, estimated. */
export function workingDaysAfter(from: string, to: string, calendar: WorkingDayCalendar): number {
  let count = 0;
  for (let day = nextDay(from); day <= to; day = nextDay(day)) if (estimatedWorkingDay(day, calendar).working) count += 1;
  return count;
}

/** Working days left until `dueAt` seen at `now`: 0 when due today; negative (≤ −1) once passed. */
export function workingDaysLeft(dueAt: Date, now: Date, calendar: WorkingDayCalendar): number {
  const today = beijingDayOf(now);
  const dueDay = beijingDayOf(dueAt);
  if (now.getTime() <= dueAt.getTime()) return workingDaysAfter(today, dueDay, calendar);
  return -Math.max(1, workingDaysAfter(dueDay, today, calendar));
}

/** The one urgency rule: passed → overdue; ≤ WARNING_WORKING_DAYS working days left → warning. */
export function urgencyOf(dueAt: Date, now: Date, daysLeft: number): Urgency {
  if (now.getTime() > dueAt.getTime()) return 'overdue';
  return daysLeft <= WARNING_WORKING_DAYS ? 'warning' : 'normal';
}

/** The running deadline due first, with its urgency; null when nothing is due (closed, replied, voided). */
export function nextDeadline(ticket: Ticket, now: Date, calendar: WorkingDayCalendar): NextDeadline | null {
  let first: { name: DeadlineName; dueAt: Date } | null = null;
  for (const name of runningDeadlines(ticket)) {
    const deadline = deadlineOf(ticket, name);
    if (deadline && (first === null || deadline.dueAt.getTime() < first.dueAt.getTime())) first = { name, dueAt: deadline.dueAt };
  }
  if (first === null) return null;
  const daysLeft = workingDaysLeft(first.dueAt, now, calendar);
  return { ...first, workingDaysLeft: daysLeft, hoursLeft: Math.round((first.dueAt.getTime() - now.getTime()) / HOUR_MS), status: urgencyOf(first.dueAt, now, daysLeft) };
}

/**
 * The instant before which a deadline not yet passed is a warning: the start of the
 * (WARNING_WORKING_DAYS + 1)-th working day after today. The list's `due=due_soon` filter and the
 * counts put this into SQL; it agrees with {@link urgencyOf} (tested).
 */
export function warningBefore(now: Date, calendar: WorkingDayCalendar): Date {
  let day = beijingDayOf(now);
  for (let counted = 0; counted <= WARNING_WORKING_DAYS; ) {
    day = nextDay(day);
    if (estimatedWorkingDay(day, calendar).working) counted += 1;
  }
  return new Date(endOfBeijingDay(day).getTime() - DAY_MS + 1);
}
