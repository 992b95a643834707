// Reviewers' decisions on held ratings: each vote is recorded (append-only, with reason and
// evidence); when the rule of src/risk/review.ts says the standing changes, the evaluation flag
// that moves the rating out of or back into the figures is appended in the same transaction, and
// the review case follows. A rating reported by a supervisor is held and queued like one the
// engine held.
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { appendEvaluationFlag } from '../scoring/footprint.ts';
import { decide, type CaseStatus, type ReviewDecision } from './review.ts';
import { restoreTicketOf, voidTicketOf } from '../tickets/void.ts';
import { holdForReview } from './assessor.ts';

export interface ReviewInput {
  evaluationId: string;
  reviewer: string;
  decision: ReviewDecision;
  reason: string;
  evidence: string[];
}

export interface ReviewResult {
  status: CaseStatus;
  /** True when this vote changed the standing; false when a second reviewer must agree. */
  decided: boolean;
}

export async function reviewRating(db: Kysely<DB>, input: ReviewInput, now: Date): Promise<ReviewResult> {
  return db.transaction().execute(async (trx) => {
    const riskCase = await trx.selectFrom('risk_case').select(['status', 'round']).where('evaluation_id', '=', input.evaluationId).forUpdate().executeTakeFirst();
    if (!riskCase) throw new AppError('RISK_CASE_NOT_FOUND');
    const pending = await trx.selectFrom('risk_review').select(['reviewer', 'decision', 'at']).where('evaluation_id', '=', input.evaluationId).where('round', '=', riskCase.round).orderBy('at').orderBy('id').execute();
    const vote = { reviewer: input.reviewer, decision: input.decision, at: now };
    const outcome = decide(riskCase.status, pending, vote);
    if (outcome.kind === 'refused') throw new AppError(outcome.code);
    await trx
      .insertInto('risk_review')
      .values({ id: uuidv7(), evaluation_id: input.evaluationId, reviewer: input.reviewer, round: riskCase.round, decision: input.decision, reason: input.reason, evidence: JSON.stringify(input.evidence), at: now })
      .execute();
    if (outcome.kind === 'awaiting_second') return { status: outcome.status, decided: false };
    // The ticket the rating opened: voided on confirmation, restored when a confirmation is undone
    // (restored before the flag, so that its figures rejoin with the rating's).
    if (outcome.status === 'cleared') await restoreTicketOf(trx, input.evaluationId, now);
    await appendEvaluationFlag(trx, { evaluationId: input.evaluationId, kind: outcome.flag, reason: input.reason, actor: input.reviewer }, now);
    if (outcome.status === 'confirmed') await voidTicketOf(trx, input.evaluationId, input.reason, now);
    await trx.updateTable('risk_case').set({ status: outcome.status, decided_at: now, round: riskCase.round + 1 }).where('evaluation_id', '=', input.evaluationId).execute();
    return { status: outcome.status, decided: true };
  });
}

/** A supervisor's report: the rating is held and queued for two reviewers, like the engine's holds. */
export async function reportRating(db: Kysely<DB>, input: { evaluationId: string; reporter: string; reason: string }, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('evaluation as e')
      .leftJoin('rating_proof as p', 'p.evaluation_id', 'e.id')
      .select(['e.id', 'e.level', 'e.org_id', 'e.region_code', 'e.assessed_day', 'e.source_app', 'e.channel', 'p.origin as path'])
      .where('e.id', '=', input.evaluationId)
      .executeTakeFirstOrThrow();
    await appendEvaluationFlag(trx, { evaluationId: row.id, kind: 'fraud_suspected', reason: input.reason, actor: input.reporter }, now);
    await holdForReview(trx, row, { score: 1, reasonCodes: ['reported'], reason: 'reported', actor: input.reporter }, now);
  });
}
