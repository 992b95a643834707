// The shell around the tallies' contributions: evaluation flags that take an evaluation out of the
// figures (or bring it back), ticket steps, and stage completions, each applied in the transaction
// of the fact itself.
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay } from '../clock.ts';
import type { DB, EvaluationEventTable } from '../db/schema.ts';
import type { Ticket } from '../tickets/state-machine.ts';
import { ticketFromRow } from '../tickets/store.ts';
import {
  combine,
  evaluationContribution,
  stageCompletionContribution,
  ticketContribution,
  ticketStepContribution,
  type Placement,
  type StageCompletion,
} from './tally.ts';
import { applyContribution } from './tally-store.ts';
import { correctionsOf, missingCorrections, recordCorrections } from './corrections.ts';
import { exclusionOf, isExcluded, type EvaluationFlag } from './exclusion.ts';

export const SCORED_COLUMNS = ['id', 'level', 'is_default', 'assess_number', 'channel', 'assessed_day', 'received_at', 'case_stage_id', 'region_code', 'org_id', 'item_id', 'window_id', 'staff_id'] as const;

async function flagsOf(trx: Transaction<DB>, evaluationId: string): Promise<EvaluationFlag[]> {
  return trx.selectFrom('evaluation_event').select(['id', 'kind', 'at']).where('evaluation_id', '=', evaluationId).execute();
}

export interface NewEvaluationFlag {
  evaluationId: string;
  kind: EvaluationEventTable['kind'];
  reason: string;
  actor: string;
}

/**
 * Append a flag to an evaluation. When it takes the evaluation out of the figures (appeal upheld,
 * fraud confirmed) or brings it back (fraud cleared), the evaluation's whole footprint, with its
 * ticket's present figures, leaves or rejoins the tallies in the same transaction. The evaluation
 * and ticket rows are locked so that a concurrent ticket step cannot slip between.
 */
export async function appendEvaluationFlag(trx: Transaction<DB>, flag: NewEvaluationFlag, now: Date): Promise<string> {
  const evaluation = await trx.selectFrom('evaluation').select(SCORED_COLUMNS).where('id', '=', flag.evaluationId).forUpdate().executeTakeFirstOrThrow();
  const ticketRow = await trx.selectFrom('ticket').selectAll().where('evaluation_id', '=', flag.evaluationId).forUpdate().executeTakeFirst();
  const before = isExcluded(await flagsOf(trx, flag.evaluationId));
  const id = uuidv7();
  await trx.insertInto('evaluation_event').values({ id, evaluation_id: flag.evaluationId, kind: flag.kind, reason: flag.reason, actor: flag.actor, at: now }).execute();
  const flags = await flagsOf(trx, flag.evaluationId);
  const after = isExcluded(flags);
  if (before === after) return id;
  const stage = await stageCompletionOf(trx, evaluation.case_stage_id);
  const own = evaluationContribution(evaluation, stage);
  const ticket = ticketRow ? ticketFromRow(ticketRow) : null;
  const sign = after ? -1 : 1;
  await applyContribution(trx, combine(ticket ? [own, ticketContribution(evaluation, ticketRow?.opened_day ?? '', ticket)] : [own], sign));
  // Periods already closed keep their signed figures; the change is attached to them as a
  // correction. An upheld appeal took the ticket's figures out with its step just before: the
  // correction names them as they stood.
  const standing = ticket && ticket.appeal?.upheld === true ? { ...ticket, appeal: null } : ticket;
  const parts = standing ? [own, ticketContribution(evaluation, ticketRow?.opened_day ?? '', standing)] : [own];
  await recordCorrections(trx, { evaluationId: flag.evaluationId, flag: { id, kind: flag.kind, at: now }, now: exclusionOf(flags) ?? 'counted', contribution: combine(parts, sign) }, now);
  return id;
}

/**
 * Corrections a new snapshot needs at once: flags recorded between its cut and its row (the minute
 * the close leaves to settle) change ratings' standing after the figures were taken, and no flag
 * transaction saw the snapshot to attach them to. Returns the corrections written.
 */
export async function correctSettlingFlags(db: Kysely<DB> | Transaction<DB>, snapshot: { id: string; fromDay: string; toDay: string; cutAt: Date }, now: Date): Promise<number> {
  let written = 0;
  for (const evaluationId of await missingCorrections(db, snapshot, await correctionsOf(db, snapshot.id))) {
    const flags = await db.selectFrom('evaluation_event').select(['id', 'kind', 'at']).where('evaluation_id', '=', evaluationId).orderBy('at').orderBy('id').execute();
    const atCut = isExcluded(flags.filter((f) => f.at.getTime() <= snapshot.cutAt.getTime()));
    const out = isExcluded(flags);
    const last = flags.at(-1);
    if (atCut === out || !last) continue;
    const evaluation = await db.selectFrom('evaluation').select(SCORED_COLUMNS).where('id', '=', evaluationId).executeTakeFirstOrThrow();
    const ticketRow = await db.selectFrom('ticket').selectAll().where('evaluation_id', '=', evaluationId).executeTakeFirst();
    const parts = [evaluationContribution(evaluation, await stageCompletionOf(db, evaluation.case_stage_id))];
    const ticket = ticketRow ? ticketFromRow(ticketRow) : null;
    if (ticket && ticketRow) parts.push(ticketContribution(evaluation, ticketRow.opened_day, ticket.appeal?.upheld === true ? { ...ticket, appeal: null } : ticket));
    written += await recordCorrections(db, { evaluationId, flag: last, now: exclusionOf(flags) ?? 'counted', contribution: combine(parts, out ? -1 : 1) }, now, snapshot.id);
  }
  return written;
}

/** The change of a ticket step, unless the ticket's evaluation is out of the figures. */
export async function applyTicketStep(trx: Transaction<DB>, evaluationId: string, openedDay: string, before: Ticket, after: Ticket): Promise<void> {
  const placement: Placement | undefined = await trx
    .selectFrom('evaluation')
    .select(['region_code', 'org_id', 'item_id', 'window_id', 'staff_id'])
    .where('id', '=', evaluationId)
    .executeTakeFirst();
  if (!placement || isExcluded(await flagsOf(trx, evaluationId))) return;
  await applyContribution(trx, ticketStepContribution(placement, openedDay, before, after));
}

export async function stageCompletionOf(trx: Kysely<DB> | Transaction<DB>, caseStageId: string | null): Promise<StageCompletion | null> {
  if (caseStageId === null) return null;
  return (await trx.selectFrom('stage_completion').selectAll().where('case_stage_id', '=', caseStageId).executeTakeFirst()) ?? null;
}

/** A stage completed for the first time: fix its attribution (for 未评率) and count it. */
export async function recordStageCompletion(trx: Transaction<DB>, stage: Placement & { case_stage_id: string; item_id: string; completed_at: Date }, now: Date): Promise<void> {
  const row = {
    case_stage_id: stage.case_stage_id,
    completed_day: beijingDay(stage.completed_at),
    region_code: stage.region_code,
    org_id: stage.org_id,
    item_id: stage.item_id,
    window_id: stage.window_id,
    staff_id: stage.staff_id,
  };
  const inserted = await trx.insertInto('stage_completion').values({ ...row, recorded_at: now }).onConflict((oc) => oc.column('case_stage_id').doNothing()).executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) await applyContribution(trx, stageCompletionContribution(row));
}
