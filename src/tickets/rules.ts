// Pure rules around the ticket state machine: the deadlines a ticket opens with, and what its
// watch (the scheduled check of each ticket) must do at a given moment. No I/O, no clock.
import type { Config } from '../config/config.ts';
import { addNaturalDays, addWorkingDaysEstimated, type WorkingDayCalendar } from '../calendar/working-days.ts';
import { AWAITING_CALLBACK, deadlineOf, deadlineStatus, UNWATCHED_STATES, type DeadlineName, type Ticket } from './state-machine.ts';

export type TicketSettings = Config['tickets'];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface WorkingDeadline {
  dueAt: Date;
  /**
   * True when the holiday schedule did not cover the days counted: there, weekends and the
   * statutory holidays were skipped, and nothing else (src/calendar/statutory-holidays.ts).
   */
  provisional: boolean;
}

/**
 * n working days after `instant` (calendar/working-days.ts). Where the official schedule does not
 * reach yet (next year's notice not entered), a ticket must still open: count the statutory
 * holidays and say so, and the deadline is recomputed when the notice is entered.
 */
export function workingDeadline(instant: Date, n: number, calendar: WorkingDayCalendar): WorkingDeadline {
  return addWorkingDaysEstimated(instant, n, calendar);
}

/** Verify within n working days, reply within n natural days of the evaluation (DESIGN §4). */
export function openingDeadlines(evaluatedAt: Date, calendar: WorkingDayCalendar, settings: TicketSettings) {
  const verify = workingDeadline(evaluatedAt, settings.verifyWorkingDays, calendar);
  return { verifyDueAt: verify.dueAt, replyDueAt: addNaturalDays(evaluatedAt, settings.replyDays), provisional: verify.provisional };
}

/** The supervisor's deadline for deciding an appeal filed at `now`. */
export function appealDeadline(now: Date, calendar: WorkingDayCalendar, settings: TicketSettings): WorkingDeadline {
  return workingDeadline(now, settings.appealDecisionWorkingDays, calendar);
}

export type WatchAction =
  | { kind: 'opened' }
  | { kind: 'warn'; deadline: DeadlineName; dueAt: Date; hoursLeft: number }
  | { kind: 'escalate'; deadline: DeadlineName }
  | { kind: 'remind_callback'; repliedAt: Date };

export interface WatchPlan {
  actions: WatchAction[];
  /** Keys of what has been done, carried to the next check so that nothing is sent twice. */
  done: string[];
  /** When to look again; null when the ticket needs no more watching. */
  nextAt: Date | null;
}

/** Which deadlines are still running for the ticket in its current state. */
export function runningDeadlines(ticket: Ticket): DeadlineName[] {
  const names: DeadlineName[] = [];
  if (ticket.verify.doneAt === null && (ticket.state === 'open' || ticket.state === 'verifying')) names.push('verify');
  if (ticket.reply.doneAt === null && !UNWATCHED_STATES.has(ticket.state)) names.push('reply');
  if (ticket.state === 'appealing' && ticket.appeal?.deadline.doneAt === null) names.push('appeal');
  return names;
}

/**
 * What the watch of one ticket does now: announce it once, warn before each running deadline at
 * the configured hours (only the most urgent of several passed at once, none that had passed
 * before the ticket opened), escalate a missed deadline once, remind of a callback due after a
 * reply. `done` is what earlier checks did.
 */
export function planWatch(ticket: Ticket, openedAt: Date, done: readonly string[], now: Date, settings: TicketSettings): WatchPlan {
  const did = new Set(done);
  const actions: WatchAction[] = [];
  const future: number[] = [];
  const t = now.getTime();
  if (UNWATCHED_STATES.has(ticket.state)) return { actions, done: [...did], nextAt: null };
  if (!did.has('opened')) {
    actions.push({ kind: 'opened' });
    did.add('opened');
  }

  for (const name of runningDeadlines(ticket)) {
    const deadline = deadlineOf(ticket, name);
    if (!deadline) continue;
    const due = deadline.dueAt.getTime();
    if (deadlineStatus(deadline, now) === 'missed') {
      if (!ticket.escalated.includes(name)) actions.push({ kind: 'escalate', deadline: name });
      continue;
    }
    future.push(due + 1);
    // Warnings belong to one due time: an extension moves the deadline and warns afresh.
    const passed = settings.warnHours
      .map((hours) => ({ hours, key: `warn:${name}:${deadline.dueAt.toISOString()}:${hours}`, at: due - hours * HOUR_MS }))
      .filter((w) => w.at > openedAt.getTime());
    const reached = passed.filter((w) => w.at <= t && !did.has(w.key));
    if (reached.length > 0) {
      actions.push({ kind: 'warn', deadline: name, dueAt: deadline.dueAt, hoursLeft: Math.max(0, Math.round((due - t) / HOUR_MS)) });
      for (const w of reached) did.add(w.key);
    }
    for (const w of passed) if (w.at > t) future.push(w.at);
  }

  if (AWAITING_CALLBACK.has(ticket.state) && ticket.lastReplyAt !== null) {
    const key = `callback:${ticket.lastReplyAt.toISOString()}`;
    const at = ticket.lastReplyAt.getTime() + settings.callbackReminderDays * DAY_MS;
    if (!did.has(key)) {
      if (at <= t) {
        actions.push({ kind: 'remind_callback', repliedAt: ticket.lastReplyAt });
        did.add(key);
      } else {
        future.push(at);
      }
    }
  }
  const nextAt = future.length > 0 ? new Date(Math.min(...future)) : null;
  return { actions, done: [...did], nextAt };
}
