// Replay protection. A nonce is claimed by inserting it; the primary key (app_id, nonce) makes
// the database the referee, so several server processes agree on who saw a nonce first.
// Claims arriving in one event-loop turn share one multi-row INSERT (group commit): one round
// trip and one commit for a burst instead of one per request.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface NonceClaimer {
  /** Resolves true when this is the first use of the nonce by this app, false for a replay. */
  claim(appId: string, nonce: string, seenAt: Date): Promise<boolean>;
  /** Resolves once every claim made so far has been answered. */
  drain(): Promise<void>;
}

export interface NonceClaimerOptions {
  /** Rows per INSERT; 1000 rows × 3 parameters stays far below PostgreSQL's 65535. */
  maxBatch?: number;
}

interface PendingClaim {
  appId: string;
  nonce: string;
  seenAt: Date;
  resolve(claimed: boolean): void;
  reject(error: unknown): void;
}

// Neither app ids nor nonces can contain a newline (both are [A-Za-z0-9_-]).
const keyOf = (appId: string, nonce: string) => `${appId}\n${nonce}`;

export function createNonceClaimer(db: Kysely<DB>, options: NonceClaimerOptions = {}): NonceClaimer {
  const maxBatch = options.maxBatch ?? 1000;
  let queue: PendingClaim[] = [];
  let scheduled = false;
  let running: Promise<void> | null = null;

  async function insertBatch(batch: PendingClaim[]): Promise<void> {
    // Two claims of one nonce in the same batch: the first goes to the database, the others
    // lose at once (one statement cannot tell two identical rows apart in its RETURNING).
    const first = new Map<string, PendingClaim>();
    const losers: PendingClaim[] = [];
    for (const claim of batch) {
      const key = keyOf(claim.appId, claim.nonce);
      if (first.has(key)) losers.push(claim);
      else first.set(key, claim);
    }
    for (const loser of losers) loser.resolve(false);
    const rows = [...first.values()];
    try {
      const inserted = await db
        .insertInto('request_nonce')
        .values(rows.map((c) => ({ app_id: c.appId, nonce: c.nonce, seen_at: c.seenAt })))
        .onConflict((oc) => oc.doNothing())
        .returning(['app_id', 'nonce'])
        .execute();
      const won = new Set(inserted.map((r) => keyOf(r.app_id, r.nonce)));
      for (const claim of rows) claim.resolve(won.has(keyOf(claim.appId, claim.nonce)));
    } catch (error) {
      for (const claim of rows) claim.reject(error);
    }
  }

  async function run(): Promise<void> {
    // One statement in flight at a time: claims that arrive meanwhile wait and go together in
    // the next one, which is what makes the batches grow under load.
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      await insertBatch(batch);
    }
  }

  function schedule(): void {
    if (scheduled || running) return;
    scheduled = true;
    // setImmediate, not a timer: everything that arrived in this turn is flushed on the next,
    // and nobody waits longer than one turn plus one statement.
    setImmediate(() => {
      scheduled = false;
      running = run().finally(() => {
        running = null;
        if (queue.length > 0) schedule();
      });
    });
  }

  return {
    claim(appId, nonce, seenAt) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ appId, nonce, seenAt, resolve, reject });
        schedule();
      });
    },
    async drain() {
      while (queue.length > 0 || scheduled || running) {
        if (running) await running;
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}

// Server clocks differ a little; a process running ahead must not drop nonces others still need.
const CLOCK_MARGIN_MS = 60_000;

/**
 * How long a nonce must be kept for a timestamp window of ±maxAgeSeconds. A request is accepted
 * only while its timestamp lies within W of the server clock, so a nonce first seen at t (its
 * timestamp at most t + W) can come back with a passing timestamp until t + 2W; after that it can
 * go (src/jobs/pruning.ts).
 */
export function nonceRetentionMs(maxAgeSeconds: number): number {
  return 2 * maxAgeSeconds * 1000 + CLOCK_MARGIN_MS;
}
