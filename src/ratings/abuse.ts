// Abuse resistance at the edge: ratings that share a comment with many others on the same day, or
// come in a burst from one source, are noted on the evaluation (an append-only fraud_suspected
// flag) for a supervisor's review. They are stored all the same: a note is not a verdict.
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { hmacSm3 } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';

const BUCKET_MS = 10 * 60_000;
const MIN_TEXT = 6;

/** Comparable form of a comment: width, case, spaces and punctuation do not make it different. */
export function textFingerprintOf(comment: string | null): string | null {
  if (comment === null) return null;
  const text = comment.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
  return [...text].length >= MIN_TEXT ? text : null;
}

export interface AbuseCounts {
  /** How many times this comment has been seen today, this one included; null without a comment worth comparing. */
  sameText: number | null;
  /** Ratings from this source in the current 10-minute bucket, this one included. */
  fromSource: number;
}

/** The reasons to note, if any (pure). */
export function abuseReasons(counts: AbuseCounts, thresholds: Pick<Config['abuse'], 'identicalTextCount' | 'burstCount'>): string[] {
  const reasons: string[] = [];
  if (counts.sameText !== null && counts.sameText >= thresholds.identicalTextCount) reasons.push(`identical comment seen ${counts.sameText} times today`);
  if (counts.fromSource >= thresholds.burstCount) reasons.push(`${counts.fromSource} ratings from one source within 10 minutes`);
  return reasons;
}

/** Count this rating and note it for review when it looks like abuse. Returns the reasons noted. */
export async function noteAbuse(db: Kysely<DB>, config: Config, rating: { evaluationId: string; comment: string | null; source: string | null }, now: Date): Promise<string[]> {
  const text = textFingerprintOf(rating.comment);
  let sameText: number | null = null;
  if (text !== null) {
    const row = await sql<{ count: number }>`
      INSERT INTO text_fingerprint (hash, day, count) VALUES (${hmacSm3(config.pii.lookupKey, 'text', text)}, ${beijingDay(now)}, 1)
      ON CONFLICT (hash, day) DO UPDATE SET count = text_fingerprint.count + 1 RETURNING count`.execute(db);
    sameText = row.rows[0]?.count ?? null;
  }
  let fromSource = 0;
  if (rating.source !== null) {
    // The source is kept only as a keyed hash: enough to count, nothing to trace.
    const bucket = new Date(Math.floor(now.getTime() / BUCKET_MS) * BUCKET_MS);
    const source = await sql<{ count: number }>`
      INSERT INTO source_activity (source_hash, bucket, count) VALUES (${hmacSm3(config.pii.lookupKey, 'source', rating.source)}, ${bucket}, 1)
      ON CONFLICT (source_hash, bucket) DO UPDATE SET count = source_activity.count + 1 RETURNING count`.execute(db);
    fromSource = source.rows[0]?.count ?? 1;
  }
  const reasons = abuseReasons({ sameText, fromSource }, config.abuse);
  if (reasons.length > 0) {
    await db
      .insertInto('evaluation_event')
      .values({ id: uuidv7(), evaluation_id: rating.evaluationId, kind: 'fraud_suspected', reason: reasons.join('; '), actor: 'system:edge', at: now })
      .execute();
  }
  return reasons;
}
