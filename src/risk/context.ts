// Where a rating made on our own web pages came from, kept beside it for the risk engine: keyed
// hashes of the browser's install id and of its network (/24 or /64 of the address Fastify
// derived through TRUSTED_PROXIES), never the address. How it was proven, and on which hall
// device, is in rating_proof (src/ratings/submit.ts). Written right after the rating is stored,
// outside its transaction: a crash in between leaves a rating the engine assesses without these
// keys, never a rating lost.
import type { Kysely } from 'kysely';
import { hmacSm3 } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { networkOf } from './address.ts';

/** A first-party id the page keeps in the browser's storage: random, nothing personal. */
export const INSTALL_ID_PATTERN = '^[A-Za-z0-9_-]{16,64}$';

export interface RatingContext {
  installId: string | null;
  address: string | null;
}

export async function recordRatingContext(db: Kysely<DB>, lookupKey: Buffer, evaluationId: string, context: RatingContext, now: Date): Promise<void> {
  await db
    .insertInto('rating_context')
    .values({
      evaluation_id: evaluationId,
      install_key: context.installId === null ? null : hmacSm3(lookupKey, 'install', context.installId),
      network_key: context.address === null ? null : hmacSm3(lookupKey, 'network', networkOf(context.address)),
      recorded_at: now,
    })
    .onConflict((oc) => oc.column('evaluation_id').doNothing())
    .execute();
}
