// Idempotency replies: what a request is answered when its key was seen before, in an earlier
// flush or earlier in the same batch. The same content gets the original result; other content
// under the same key is refused.
import type { Transaction } from 'kysely';
import { equalBytes } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import type { Refusal } from '../errors.ts';
import { present, type IntakeOutcome, type Outcomes, type Pending } from './intake-request.ts';

/** Other content under a key already used: a derived key names a stage already rated, a caller's key was reused. */
function reusedKey(pending: Pending): Refusal {
  return { code: pending.request.draft.derivedKey ? 'EVALUATION_ALREADY_EXISTS' : 'IDEMPOTENCY_KEY_REUSED' };
}

/** Requests whose key was stored before: the original evaluation if the content is the same. */
export async function resolveRepeats(trx: Transaction<DB>, repeats: Array<[number, Pending]>, outcomes: Outcomes): Promise<void> {
  const existing = await trx
    .selectFrom('intake_key as k')
    .innerJoin('evaluation as e', 'e.id', 'k.evaluation_id')
    .select(['k.source_app', 'k.client_id', 'k.request_digest', 'e.id', 'e.receipt_no', 'e.project_no', 'e.service_number', 'e.assess_number', 'e.level', 'e.channel', 'e.is_default', 'e.received_at', 'e.chain_id', 'e.seq', 'e.hash'])
    .where((eb) => eb(eb.refTuple('k.source_app', 'k.client_id'), 'in', repeats.map(([, p]) => eb.tuple(p.row.source_app, p.row.client_id ?? ''))))
    .execute();
  const byKey = new Map(existing.map((e) => [`${e.source_app}\u0000${e.client_id}`, e]));
  for (const [i, pending] of repeats) {
    const original = byKey.get(`${pending.row.source_app}\u0000${pending.row.client_id}`);
    if (!original) {
      // The key's holder committed no evaluation (it was refused and gave the key back between our
      // statements): ask the caller to retry rather than guess.
      outcomes[i] = { status: 'refused', refusal: { code: 'SERVICE_UNAVAILABLE', details: { retry: true } } };
    } else if (equalBytes(original.request_digest, pending.digest)) {
      outcomes[i] = { status: 'duplicate', evaluation: present(original) };
    } else {
      outcomes[i] = { status: 'refused', refusal: reusedKey(pending) };
    }
  }
}

/** A repeat within the batch, once its leader (the first request with the key) has its answer. */
export function followerOutcome(follower: Pending, leader: Pending, leaderOutcome: IntakeOutcome | undefined): IntakeOutcome {
  if (leaderOutcome?.status === 'stored' || leaderOutcome?.status === 'duplicate') {
    return equalBytes(follower.digest, leader.digest) ? { status: 'duplicate', evaluation: leaderOutcome.evaluation } : { status: 'refused', refusal: reusedKey(follower) };
  }
  return leaderOutcome ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } };
}
