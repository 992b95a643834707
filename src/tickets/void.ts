// Voiding and restoring the ticket of a rating, as the system: when two reviewers confirm the
// rating as fraud, or the applicant's own rating supersedes it, its ticket has nothing left to
// answer; clearing the rating restores the ticket where it stood, its running deadlines moved on
// by the time it was voided. Called inside the caller's transaction, around the evaluation flag
// that moves the figures (void after the flag, restore before it: the ticket's figures then leave
// and rejoin with the rating's).
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { cancelJob, scheduleJob } from '../jobs/scheduled-jobs.ts';
import { TICKET_WATCH } from './opening.ts';
import { applyEvent, isRefusal, type Actor, type TicketEvent } from './state-machine.ts';
import { appendStep, ticketFromRow } from './store.ts';

const SYSTEM: Actor = { role: 'system', id: 'risk-review' };

async function systemStep(trx: Transaction<DB>, evaluationId: string, event: TicketEvent, note: string | null, now: Date): Promise<boolean> {
  const row = await trx.selectFrom('ticket').selectAll().where('evaluation_id', '=', evaluationId).forUpdate().executeTakeFirst();
  if (!row) return false;
  const next = applyEvent(ticketFromRow(row), event, SYSTEM, now);
  // A closed ticket is not voided, and one not voided is not restored: nothing to do.
  if (isRefusal(next)) return false;
  await appendStep(trx, row, next, { event, actor: SYSTEM, note, attachments: [] }, now);
  if (next.state === 'voided') await cancelJob(trx, TICKET_WATCH, row.id, now);
  else await scheduleJob(trx, { kind: TICKET_WATCH, subjectId: row.id, dueAt: now }, now);
  return true;
}

export function voidTicketOf(trx: Transaction<DB>, evaluationId: string, reason: string, now: Date): Promise<boolean> {
  return systemStep(trx, evaluationId, { type: 'void', reason }, reason, now);
}

export function restoreTicketOf(trx: Transaction<DB>, evaluationId: string, now: Date): Promise<boolean> {
  return systemStep(trx, evaluationId, { type: 'restore' }, null, now);
}
