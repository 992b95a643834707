// Provisional deadlines counted again once a year's holiday notice is known. A working-day
// deadline that reached beyond the known calendar was counted on the statutory holidays alone and
// marked (ticket.provisional_deadlines); with the notice, each one still running is counted on
// the official calendar and moved by a `recompute_deadline` event of the system actor, so that the
// ticket stays the fold of its events, and the handlers (or, for an appeal, the supervisors) are
// told. A deadline already met, or missed and escalated, stays as the unit was told it, marked.
import { sql, type Transaction } from 'kysely';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { scheduleJob } from '../jobs/scheduled-jobs.ts';
import { notify } from '../notifications/notifications.ts';
import { applyTicketStep } from '../scoring/footprint.ts';
import { TICKET_WATCH } from './opening.ts';
import { workingDeadline } from './rules.ts';
import { applyEvent, deadlineOf, isRefusal, UNWATCHED_STATES, type Actor, type Ticket, type TicketEvent } from './state-machine.ts';
import { appendStep, setProvisionalDeadlines, ticketFromRow, type TicketRow } from './store.ts';

export const DEADLINE_RECOMPUTED = 'deadline_recomputed';
const CALENDAR_ACTOR: Actor = { role: 'system', id: 'calendar' };

export interface RecomputedDeadline {
  ticketId: string;
  deadline: 'verify' | 'appeal';
  from: string;
  to: string;
  /** Still counted beyond the calendar (a deadline reaching a year after the notice's). */
  provisional: boolean;
}

export interface RecomputeResult {
  /** Tickets changed: a deadline moved, or its provisional mark cleared. */
  tickets: number;
  /** Deadlines moved. */
  moved: RecomputedDeadline[];
  /** Deadlines whose provisional mark was cleared (moved or found unchanged). */
  confirmed: number;
}

/** When a deadline starts counting: the evaluation's arrival (verify), the appeal's filing (appeal). */
async function countedFrom(trx: Transaction<DB>, row: TicketRow, name: 'verify' | 'appeal'): Promise<Date | null> {
  if (name === 'verify') return row.evaluated_at;
  const filed = await trx.selectFrom('ticket_event').select('at').where('ticket_id', '=', row.id).where('type', '=', 'judge_invalid').orderBy('seq').executeTakeFirst();
  return filed?.at ?? null;
}

function stillRunning(ticket: Ticket, name: 'verify' | 'appeal'): boolean {
  const deadline = deadlineOf(ticket, name);
  return deadline !== null && deadline.doneAt === null && !ticket.escalated.includes(name);
}

/**
 * Count every running provisional deadline of the open tickets again on `calendar` (which now
 * holds `calendarYear`'s notice), in the caller's transaction: each ticket locked, moved by an
 * event, its watch booked at once (warnings follow the new time), its mark cleared unless the
 * deadline still reaches beyond the calendar.
 */
export async function recomputeProvisionalDeadlines(
  trx: Transaction<DB>,
  deps: { calendar: WorkingDayCalendar; config: Config },
  calendarYear: number,
  now: Date,
): Promise<RecomputeResult> {
  const rows = await trx
    .selectFrom('ticket')
    .selectAll()
    // The partial index ticket_provisional_idx answers this.
    .where(sql<boolean>`provisional_deadlines <> '{}'`)
    .where('state', 'not in', [...UNWATCHED_STATES])
    .orderBy('id')
    .forUpdate()
    .execute();
  const result: RecomputeResult = { tickets: 0, moved: [], confirmed: 0 };
  for (const original of rows) {
    let row = original;
    const keep: TicketRow['provisional_deadlines'] = [];
    let moved = 0;
    for (const name of original.provisional_deadlines) {
      const before = ticketFromRow(row);
      const from = stillRunning(before, name) ? await countedFrom(trx, row, name) : null;
      const current = deadlineOf(before, name);
      if (from === null || current === null) {
        keep.push(name);
        continue;
      }
      const days = name === 'verify' ? deps.config.tickets.verifyWorkingDays : deps.config.tickets.appealDecisionWorkingDays;
      const counted = workingDeadline(from, days, deps.calendar);
      if (counted.provisional) keep.push(name);
      else result.confirmed++;
      if (counted.dueAt.getTime() === current.dueAt.getTime()) continue;
      const event: TicketEvent = { type: 'recompute_deadline', deadline: name, dueAt: counted.dueAt.toISOString(), calendarYear };
      const next = applyEvent(before, event, CALENDAR_ACTOR, now);
      if (isRefusal(next)) throw new Error(`recompute_deadline refused for ticket ${row.id}: ${next.code}`);
      row = await appendStep(trx, row, next, { event, actor: CALENDAR_ACTOR, note: `${calendarYear}年节假日安排已录入 / ${calendarYear} holiday notice entered`, attachments: [] }, now);
      await applyTicketStep(trx, row.evaluation_id, row.opened_day, before, next);
      const params = { receiptNo: row.receipt_no, deadline: name, from: current.dueAt.toISOString(), dueAt: counted.dueAt.toISOString(), calendarYear };
      const to = name === 'appeal' ? { supervisorsOver: row.region_path, nearestOnly: true } : { orgHandlersOf: row.org_id };
      await notify(trx, { kind: DEADLINE_RECOMPUTED, ticketId: row.id, params, to }, now);
      result.moved.push({ ticketId: row.id, deadline: name, from: current.dueAt.toISOString(), to: counted.dueAt.toISOString(), provisional: counted.provisional });
      moved++;
    }
    // Still provisional and not moved (the notice does not reach its days yet): nothing to write.
    if (moved === 0 && keep.length === original.provisional_deadlines.length) continue;
    result.tickets++;
    await setProvisionalDeadlines(trx, row, keep);
    if (moved > 0) await scheduleJob(trx, { kind: TICKET_WATCH, subjectId: row.id, dueAt: now }, now);
  }
  return result;
}
