// Reading and writing tickets: the row's projection columns are the fold of the ticket's events,
// written together with each event. (ticket_id, seq) and the version check make two people acting
// on the same version collide, so that exactly one of them wins.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, TicketAttachmentRef, TicketEventTable, TicketTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { openTicket, replay, type Actor, type RecordedEvent, type Ticket, type TicketEvent } from './state-machine.ts';

export type TicketRow = Selectable<TicketTable>;
export type TicketEventRow = Selectable<TicketEventTable>;

/** The ticket as it was opened: the start of every replay. */
export function openingOf(row: TicketRow): Ticket {
  return openTicket({ verifyDueAt: row.opened_verify_due_at, replyDueAt: row.opened_reply_due_at });
}

/** The ticket held in a row's projection columns. */
export function ticketFromRow(row: TicketRow): Ticket {
  return {
    state: row.state,
    verify: { dueAt: row.verify_due_at, doneAt: row.verify_done_at },
    reply: { dueAt: row.reply_due_at, doneAt: row.reply_done_at },
    extension: row.extension_state === null ? null : { state: row.extension_state, days: row.extension_days ?? 0 },
    appeal:
      row.appeal_kind === null || row.appeal_due_at === null
        ? null
        : {
            kind: row.appeal_kind,
            deadline: { dueAt: row.appeal_due_at, doneAt: row.appeal_decided_at },
            upheld: row.appeal_state === 'pending' ? null : row.appeal_state === 'upheld',
          },
    escalated: row.escalated,
    reopenCount: row.reopen_count,
    lastReplyAt: row.last_reply_at,
    lastCallback: row.last_callback,
    callbackAt: row.callback_at,
    voided: row.voided_from === null || row.voided_at === null ? null : { from: row.voided_from, at: row.voided_at },
    version: row.version,
  };
}

/** The projection columns of a ticket. */
export function projectionOf(ticket: Ticket) {
  return {
    state: ticket.state,
    version: ticket.version,
    verify_due_at: ticket.verify.dueAt,
    verify_done_at: ticket.verify.doneAt,
    reply_due_at: ticket.reply.dueAt,
    reply_done_at: ticket.reply.doneAt,
    extension_state: ticket.extension?.state ?? null,
    extension_days: ticket.extension?.days ?? null,
    appeal_kind: ticket.appeal?.kind ?? null,
    appeal_state: ticket.appeal === null ? null : ticket.appeal.upheld === null ? ('pending' as const) : ticket.appeal.upheld ? ('upheld' as const) : ('refused' as const),
    appeal_due_at: ticket.appeal?.deadline.dueAt ?? null,
    appeal_decided_at: ticket.appeal?.deadline.doneAt ?? null,
    escalated: ticket.escalated,
    reopen_count: ticket.reopenCount,
    last_reply_at: ticket.lastReplyAt,
    last_callback: ticket.lastCallback,
    callback_at: ticket.callbackAt,
    voided_from: ticket.voided?.from ?? null,
    voided_at: ticket.voided?.at ?? null,
  };
}

export function recordedEventOf(row: TicketEventRow): RecordedEvent {
  return { event: { ...row.payload, type: row.type } as TicketEvent, actor: { role: row.actor_role, id: row.actor_id }, at: row.at };
}

/** The ticket derived from its events alone (for checks: it must equal the projection). */
export function replayRow(row: TicketRow, events: readonly TicketEventRow[]): ReturnType<typeof replay> {
  return replay(openingOf(row), events.map(recordedEventOf));
}

export async function findTicket(db: Kysely<DB> | Transaction<DB>, id: string): Promise<TicketRow | undefined> {
  return db.selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function ticketEvents(db: Kysely<DB> | Transaction<DB>, ticketId: string): Promise<TicketEventRow[]> {
  return db.selectFrom('ticket_event').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute();
}

export interface StepRecord {
  event: TicketEvent;
  actor: Actor;
  note: string | null;
  attachments: TicketAttachmentRef[];
}

/**
 * Append one event and move the projection to `next`, only if the row is still at `from.version`.
 * A second writer of the same version gets TICKET_CONFLICT and changes nothing.
 */
export async function appendStep(trx: Transaction<DB>, row: TicketRow, next: Ticket, step: StepRecord, now: Date): Promise<TicketRow> {
  const { type, ...payload } = step.event;
  try {
    await trx
      .insertInto('ticket_event')
      .values({
        ticket_id: row.id,
        seq: row.version + 1,
        type,
        payload: JSON.stringify(payload),
        actor_role: step.actor.role,
        actor_id: step.actor.id,
        at: now,
        note: step.note,
        attachments: JSON.stringify(step.attachments),
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('TICKET_CONFLICT', { ticketId: row.id, version: row.version, state: row.state });
    throw error;
  }
  const projection = { ...projectionOf(next), updated_at: now };
  const moved = await trx.updateTable('ticket').set(projection).where('id', '=', row.id).where('version', '=', row.version).executeTakeFirst();
  if (moved.numUpdatedRows !== 1n) throw new AppError('TICKET_CONFLICT', { ticketId: row.id, version: row.version, state: row.state });
  // The row as it now stands: nothing but the projection changed, so there is no need to read it back.
  return { ...row, ...projection };
}

/** Remember what the ticket's watch has done (warnings, reminders), so it is not done again. */
export async function recordWatchDone(trx: Transaction<DB>, ticketId: string, done: readonly string[]): Promise<void> {
  await trx.updateTable('ticket').set({ watch_done: sql<string[]>`${[...done]}::text[]` }).where('id', '=', ticketId).execute();
}

/**
 * Record which working-day deadlines of a ticket were counted beyond the known calendar
 * (src/tickets/recompute.ts counts them again once the year's notice is entered).
 */
export async function setProvisionalDeadlines(trx: Transaction<DB>, row: TicketRow, names: TicketRow['provisional_deadlines']): Promise<TicketRow> {
  const sorted = [...new Set(names)].sort();
  await trx.updateTable('ticket').set({ provisional_deadlines: sql<TicketRow['provisional_deadlines']>`${sorted}::text[]` }).where('id', '=', row.id).execute();
  return { ...row, provisional_deadlines: sorted };
}
