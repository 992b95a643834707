// The scheduled check of the working-day calendar (job kind 'calendar.watch', one recurring job):
// - from CALENDAR_WARN_DAYS before the end of the last year with an official calendar, tell the
//   province admins, once per such year (calendar_warning), in-app and by e-mail;
// - count again the provisional deadlines that the calendar now covers (a ticket opened on the old
//   calendar by a server that had not yet read a new notice, or a year shipped in a new release).
// It reads the calendar from the database in its own transaction, never a process's copy.
import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { scheduleJob, scheduleJobIfAbsent, type JobHandler } from '../jobs/scheduled-jobs.ts';
import { notify } from '../notifications/notifications.ts';
import { recomputeProvisionalDeadlines } from '../tickets/recompute.ts';
import { calendarStatus, warningDueAt, type CalendarStatus } from './calendar-status.ts';
import { CALENDAR_WATCH, CALENDAR_WATCH_SUBJECT, loadCalendar } from './notices.ts';

/** The notification to province admins that the known calendar is about to end. */
export const CALENDAR_ENDING = 'calendar_ending';

const DAY_MS = 86_400_000;

/**
 * Tell the active province admins once for this last year. Nobody to tell (no province admin yet)
 * records nothing, so the next check tries again.
 */
async function warnOnce(trx: Transaction<DB>, status: CalendarStatus, now: Date): Promise<number> {
  const warned = await trx.selectFrom('calendar_warning').select('last_year').where('last_year', '=', status.lastYear).executeTakeFirst();
  if (warned) return 0;
  const admins = await trx.selectFrom('staff_account').select('id').where('role', '=', 'province_admin').where('active', '=', true).execute();
  if (admins.length === 0) return 0;
  const params = { lastYear: status.lastYear, endsOn: status.endsOn, nextYear: status.lastYear + 1, daysLeft: status.daysLeft };
  const sent = await notify(trx, { kind: CALENDAR_ENDING, ticketId: null, params, to: { accounts: admins.map((a) => a.id) }, email: true }, now);
  await trx.insertInto('calendar_warning').values({ last_year: status.lastYear, warned_at: now, accounts: sent.accounts }).execute();
  return sent.accounts;
}

export function calendarWatchJob(deps: { config: Config }): JobHandler {
  return async (trx, _job, now) => {
    const calendar = await loadCalendar(trx);
    await recomputeProvisionalDeadlines(trx, { calendar, config: deps.config }, calendar.lastYear, now);
    const status = calendarStatus(calendar, now);
    if (status.warningDue) await warnOnce(trx, status, now);
    // Daily, and at the very start of the warning period if that comes sooner.
    const dayLater = new Date(now.getTime() + DAY_MS);
    const warnAt = warningDueAt(status);
    const dueAt = !status.warningDue && warnAt.getTime() < dayLater.getTime() ? warnAt : dayLater;
    await scheduleJob(trx, { kind: CALENDAR_WATCH, subjectId: CALENDAR_WATCH_SUBJECT, dueAt }, now);
  };
}

/** Books the first check (due at once) unless one is booked; called at every start. */
export async function scheduleCalendarWatch(db: Kysely<DB> | Transaction<DB>, now: Date): Promise<void> {
  await scheduleJobIfAbsent(db, { kind: CALENDAR_WATCH, subjectId: CALENDAR_WATCH_SUBJECT, dueAt: now }, now);
}
