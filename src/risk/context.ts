// How a rating on our own pages was made, kept beside it for the risk engine: the path, the proof
// the rater gave, the hall device, and keyed hashes of the browser's install id and of its network
// (/24 or /64 of the address Fastify derived through TRUSTED_PROXIES). Written right after the
// rating is stored, outside its transaction: a crash in between leaves a rating the engine
// assesses without these keys, never a rating lost.
import type { Kysely } from 'kysely';
import { hmacSm3 } from '../crypto/sm.ts';
import { KIOSK_SOURCE_PREFIX } from '../kiosk/push.ts';
import type { DB } from '../db/schema.ts';
import { networkOf } from './address.ts';
import type { RatingPath } from './engine.ts';

/** A first-party id the page keeps in the browser's storage: random, nothing personal. */
export const INSTALL_ID_PATTERN = '^[A-Za-z0-9_-]{16,64}$';

export interface RatingContext {
  path: RatingPath;
  /** How the rater showed the right to rate: 'signed_link', 'device', 'receipt_code', 'sms_code', 'none'. */
  proof: string;
  deviceId: string | null;
  installId: string | null;
  address: string | null;
}


/** The path and device of a rating made through a rating link, from the link's source. */
export function linkPathOf(linkSourceApp: string): { path: RatingPath; deviceId: string | null; proof: string } {
  if (linkSourceApp.startsWith(KIOSK_SOURCE_PREFIX)) return { path: 'kiosk', deviceId: linkSourceApp.slice(KIOSK_SOURCE_PREFIX.length), proof: 'device' };
  return { path: 'link', deviceId: null, proof: 'signed_link' };
}

export async function recordRatingContext(db: Kysely<DB>, lookupKey: Buffer, evaluationId: string, context: RatingContext, now: Date): Promise<void> {
  await db
    .insertInto('rating_context')
    .values({
      evaluation_id: evaluationId,
      path: context.path,
      proof: context.proof,
      device_id: context.deviceId,
      install_key: context.installId === null ? null : hmacSm3(lookupKey, 'install', context.installId),
      network_key: context.address === null ? null : hmacSm3(lookupKey, 'network', networkOf(context.address)),
      recorded_at: now,
    })
    .onConflict((oc) => oc.column('evaluation_id').doNothing())
    .execute();
}
