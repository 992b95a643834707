// The holiday notices entered into the database, and the calendar they make with the years the
// code ships with. Entering a notice stores it, records who did it (admin_audit) and counts the
// provisional deadlines of open tickets again, all in one transaction: the notice is never there
// without its recomputation, nor a recomputation without its notice.
import { sql, type Kysely, type Transaction } from 'kysely';
import { recordAdminChange, type AdminActor } from '../auth/admin-audit.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError, type Refusal } from '../errors.ts';
import { scheduleJob } from '../jobs/scheduled-jobs.ts';
import { recomputeProvisionalDeadlines, type RecomputeResult } from '../tickets/recompute.ts';
import { TERMINAL_STATES } from '../tickets/state-machine.ts';
import { builtInSchedules } from './china-calendar.ts';
import type { LiveCalendar } from './live-calendar.ts';
import { checkNotice, noticeSchedule, type NoticeInput } from './notice-file.ts';
import { buildCalendar, mergeSchedules, type WorkingDayCalendar, type YearSchedule } from './working-days.ts';

/** The scheduled check of the calendar (src/calendar/calendar-watch.ts); entering a notice books it soon. */
export const CALENDAR_WATCH = 'calendar.watch';
export const CALENDAR_WATCH_SUBJECT = '00000000-0000-8000-8000-0000000ca1e0';
/** How often a server reads the entered notices again (a notice entered elsewhere reaches it within this). */
export const CALENDAR_REFRESH_MS = 60_000;

/** The years entered into the database, oldest first. */
export async function enteredSchedules(db: Kysely<DB> | Transaction<DB>): Promise<YearSchedule[]> {
  const rows = await db.selectFrom('calendar_notice').selectAll().orderBy('year').execute();
  return rows.map((row) =>
    noticeSchedule({ year: row.year, title: row.title, published: row.published, url: row.url, holidays: row.holidays, workdays: row.workdays }),
  );
}

/**
 * The calendar deadlines are counted on: the years the code ships with, then those entered (a
 * year shipped in a later release wins over the same year entered).
 */
export async function loadCalendar(db: Kysely<DB> | Transaction<DB>): Promise<WorkingDayCalendar> {
  return buildCalendar(mergeSchedules(builtInSchedules(), await enteredSchedules(db)));
}

export interface EnteredNotice {
  calendar: WorkingDayCalendar;
  recomputed: RecomputeResult;
}

function checked(notice: NoticeInput, known: WorkingDayCalendar): WorkingDayCalendar {
  const result: WorkingDayCalendar | Refusal = checkNotice(notice, known);
  if ('code' in result) throw new AppError(result.code, result.details);
  return result;
}

/** Check a notice against the calendar as it stands, without storing anything (`calendar check`). */
export async function checkNoticeAgainst(db: Kysely<DB>, notice: NoticeInput): Promise<{ calendar: WorkingDayCalendar; provisionalTickets: number }> {
  const calendar = checked(notice, await loadCalendar(db));
  const { count } = await db
    .selectFrom('ticket')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where(sql<boolean>`provisional_deadlines <> '{}'`)
    .where('state', 'not in', [...TERMINAL_STATES])
    .executeTakeFirstOrThrow();
  return { calendar, provisionalTickets: Number(count) };
}

/**
 * Store a notice for the year after the known calendar and recompute the provisional deadlines of
 * open tickets on the calendar it completes, in one transaction. Refused with a coded error
 * (nothing stored) when the notice does not check out (src/calendar/notice-file.ts checkNotice).
 */
export async function enterNotice(deps: { db: Kysely<DB>; config: Config }, notice: NoticeInput, actor: AdminActor, now: Date): Promise<EnteredNotice> {
  return deps.db.transaction().execute(async (trx) => {
    // One notice at a time: the second waits, then finds its year already known.
    await sql`LOCK TABLE calendar_notice IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const calendar = checked(notice, await loadCalendar(trx));
    await trx
      .insertInto('calendar_notice')
      .values({
        year: notice.year,
        title: notice.title,
        published: notice.published,
        url: notice.url,
        holidays: JSON.stringify(notice.holidays),
        workdays: JSON.stringify(notice.workdays),
        entered_by: actor.name,
        entered_at: now,
      })
      .execute();
    const recomputed = await recomputeProvisionalDeadlines(trx, { calendar, config: deps.config }, notice.year, now);
    await recordAdminChange(
      trx,
      {
        actor,
        action: 'calendar_notice.enter',
        targetKind: 'calendar_notice',
        targetId: String(notice.year),
        details: { title: notice.title, published: notice.published, ticketsRecomputed: recomputed.tickets, deadlinesMoved: recomputed.moved.length },
      },
      now,
    );
    // Servers read the notice within CALENDAR_REFRESH_MS; a ticket one of them opened meanwhile on
    // the old calendar is caught by the calendar watch, booked for after that.
    await scheduleJob(trx, { kind: CALENDAR_WATCH, subjectId: CALENDAR_WATCH_SUBJECT, dueAt: new Date(now.getTime() + 2 * CALENDAR_REFRESH_MS) }, now);
    return { calendar, recomputed };
  });
}

export interface CalendarRefreshLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Read the entered notices into `live` now; true when the years covered changed. */
export async function refreshCalendar(db: Kysely<DB>, live: LiveCalendar): Promise<boolean> {
  return live.replace(await loadCalendar(db));
}

/** Refresh `live` every `everyMs` until stopped (a failed read is logged and tried again next time). */
export function startCalendarRefresh(db: Kysely<DB>, live: LiveCalendar, log: CalendarRefreshLog, everyMs = CALENDAR_REFRESH_MS): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshCalendar(db, live)
      .then((changed) => {
        if (changed) log.info({ code: 'CALENDAR_UPDATED', lastYear: live.calendar.lastYear }, '工作日历已更新 / the working-day calendar was updated');
      })
      .catch((error: unknown) => log.warn({ code: 'CALENDAR_REFRESH_FAILED', err: error }, '读取节假日安排失败 / reading the holiday notices failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
