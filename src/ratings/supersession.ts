// The right to rate belongs to the applicant: when the verified applicant rates a stage whose first
// rating nobody proved to be theirs (a hall device pressed at the counter, a link once taken from a
// poster), the applicant's rating takes its place. The first stays in the ledger, marked
// 'superseded' (an evaluation flag), and leaves every figure; the applicant's is stored as the
// stage's second rating and counts.
import type { Kysely } from 'kysely';
import type { DB, RatingProof } from '../db/schema.ts';
import { appendEvaluationFlag } from '../scoring/footprint.ts';
import { voidTicketOf } from '../tickets/void.ts';

/** Proofs that show the rater is the applicant: the stage's own link (sent to them), a receipt code, an SMS code to the phone on the case. */
const APPLICANT_PROOFS: ReadonlySet<RatingProof> = new Set(['signed_link', 'receipt_code', 'sms_code']);
/** Proofs that do not: a device at the counter (staff can press it), a poster's link. */
const UNVERIFIED_PROOFS: ReadonlySet<RatingProof> = new Set(['device', 'none']);

export const SUPERSESSION_ACTOR = 'system:applicant';

/** Whether a rating given with `later` replaces a first rating given with `first` (null: not made on our pages; an integrator's or the hotline's system vouches for it). */
export function supersedes(later: RatingProof, first: RatingProof | null): boolean {
  return APPLICANT_PROOFS.has(later) && first !== null && UNVERIFIED_PROOFS.has(first);
}

/** After the applicant's rating `laterId` of a stage is stored: supersede the stage's first rating if it was unverified. Returns the superseded id. */
export async function supersedeUnverifiedFirst(db: Kysely<DB>, later: { id: string; receiptNo: string; proof: RatingProof }, now: Date): Promise<string | null> {
  if (!APPLICANT_PROOFS.has(later.proof)) return null;
  const first = await db
    .selectFrom('evaluation as e')
    .innerJoin('evaluation_slot as slot', (join) => join.onRef('slot.case_stage_id', '=', 'e.case_stage_id').on('slot.assess_number', '=', 1))
    .leftJoin('rating_proof as p', 'p.evaluation_id', 'slot.evaluation_id')
    .select(['slot.evaluation_id', 'p.proof'])
    .where('e.id', '=', later.id)
    .executeTakeFirst();
  if (!first || first.evaluation_id === later.id || !supersedes(later.proof, first.proof)) return null;
  await db.transaction().execute(async (trx) => {
    const already = await trx.selectFrom('evaluation_event').select('id').where('evaluation_id', '=', first.evaluation_id).where('kind', '=', 'superseded').executeTakeFirst();
    if (already) return;
    const reason = `superseded by the applicant's rating ${later.receiptNo}`;
    await appendEvaluationFlag(trx, { evaluationId: first.evaluation_id, kind: 'superseded', reason, actor: SUPERSESSION_ACTOR }, now);
    await voidTicketOf(trx, first.evaluation_id, reason, now);
  });
  return first.evaluation_id;
}
