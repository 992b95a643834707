// Replay protection. A nonce is claimed by inserting it; the primary key (app_id, nonce) makes
// the database the referee, so several server processes agree on who saw a nonce first.
// Claims arriving in one event-loop turn share one multi-row INSERT (group commit): one round
// trip and one commit for a burst instead of one per request.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface NonceClaimer {
  /** Resolves true when this is the first use of the nonce by this app, false for a replay. */
  claim(appId: string, nonce: string, seenAt: Date): Promise<boolean>;
  /** Resolves once every claim made so far has been answered. */
  drain(): Promise<void>;
  /** For nonces claimed elsewhere (inside the intake transaction): keeps the periodic pruning going. */
  noteClaimElsewhere(seenAt: Date): void;
}

export interface NonceClaimerOptions {
  /** Rows per INSERT; 1000 rows × 3 parameters stays far below PostgreSQL's 65535. */
  maxBatch?: number;
  /**
   * When set, nonces older than this are deleted now and then by the claimer itself, using the
   * latest claim time as "now", so the table stays bounded without a separate job.
   */
  retainMs?: number;
  /** Minimum time between two such deletions; short, so each one stays small. */
  pruneEveryMs?: number;
  /** Told about a failed background deletion (claims themselves report errors to their callers). */
  onPruneError?: (error: unknown) => void;
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
  const pruneEveryMs = options.pruneEveryMs ?? 10_000;
  let queue: PendingClaim[] = [];
  let scheduled = false;
  let running: Promise<void> | null = null;
  let lastPruneAt = -Infinity;
  let pruning: Promise<void> | null = null;

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

  function pruneIfDue(now: number): void {
    const retainMs = options.retainMs;
    if (retainMs === undefined || pruning || now - lastPruneAt < pruneEveryMs) return;
    lastPruneAt = now;
    // Beside the claims, not in their queue: a large DELETE must not hold up signed requests, and
    // on PostgreSQL it touches only old rows, so it does not conflict with the inserts. (PGlite
    // has one connection, so there it simply takes its turn.)
    pruning = pruneNonces(db, new Date(now - retainMs))
      .then(
        () => undefined,
        (error: unknown) => options.onPruneError?.(error),
      )
      .finally(() => {
        pruning = null;
      });
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
      pruneIfDue(seenAt.getTime());
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ appId, nonce, seenAt, resolve, reject });
        schedule();
      });
    },
    noteClaimElsewhere(seenAt) {
      pruneIfDue(seenAt.getTime());
    },
    async drain() {
      while (queue.length > 0 || scheduled || running || pruning) {
        if (running) await running;
        else if (pruning) await pruning;
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}

/**
 * Deletes nonces first seen before `olderThan`. A request is accepted only within the timestamp
 * window W of the server clock, so a nonce seen at t can only come back until t + 2W; older ones
 * can go. Pass `limit` to delete in slices on a busy table.
 */
export async function pruneNonces(db: Kysely<DB>, olderThan: Date, limit?: number): Promise<number> {
  if (limit === undefined) {
    const result = await db.deleteFrom('request_nonce').where('seen_at', '<', olderThan).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
  // Row-value IN over a limited subquery: PostgreSQL's DELETE has no LIMIT of its own.
  const result = await sql`DELETE FROM request_nonce WHERE (app_id, nonce) IN (
    SELECT app_id, nonce FROM request_nonce WHERE seen_at < ${olderThan} LIMIT ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

// Server clocks differ a little; a process running ahead must not drop nonces others still need.
const CLOCK_MARGIN_MS = 60_000;

/** How long a nonce must be kept for a timestamp window of ±maxAgeSeconds (see pruneNonces). */
export function nonceRetentionMs(maxAgeSeconds: number): number {
  return 2 * maxAgeSeconds * 1000 + CLOCK_MARGIN_MS;
}
