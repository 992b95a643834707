// The score feed: folds newly stored evaluations into the live tallies, chain by chain, in the order
// of each chain. A chain's rows up to its head are committed in sequence, so a cursor per chain says
// exactly what has been folded; the fold and the cursor move in one transaction (exactly once).
// Intake does not wait for it; the tallies follow within about a second: each tick folds what
// arrived since the last, in one fold per chain (more only while a chain is a whole fold behind),
// so that under a steady load the feed costs a few statements a second, not a few per flush.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { FastifyBaseLogger } from 'fastify';
import { SCORED_COLUMNS } from './footprint.ts';
import { combine, evaluationContribution, type StageCompletion } from './tally.ts';
import { applyContribution } from './tally-store.ts';
import { startTicker } from '../jobs/ticker.ts';

const FOLD_ROWS = 20_000;

/** Fold what is waiting on every chain (one batch per chain per call); returns evaluations folded. */
export async function foldLedger(db: Kysely<DB>, maxRows = FOLD_ROWS): Promise<number> {
  return (await foldChains(db, maxRows)).folded;
}

/** One fold per waiting chain; `behind` when a chain had more waiting than one fold takes. */
async function foldChains(db: Kysely<DB>, maxRows: number): Promise<{ folded: number; behind: boolean }> {
  const waiting = await sql<{ chain_id: number }>`SELECT c.chain_id FROM ledger_chain c LEFT JOIN score_feed_cursor f USING (chain_id)
    WHERE c.head_seq > coalesce(f.seq, 0) ORDER BY c.chain_id`.execute(db);
  let folded = 0;
  let behind = false;
  for (const { chain_id: chainId } of waiting.rows) {
    await db.insertInto('score_feed_cursor').values({ chain_id: chainId, seq: 0 }).onConflict((oc) => oc.column('chain_id').doNothing()).execute();
    const count = await db.transaction().execute(async (trx) => {
      const cursor = await trx.selectFrom('score_feed_cursor').select('seq').where('chain_id', '=', chainId).forUpdate().skipLocked().executeTakeFirst();
      if (!cursor) return 0; // another process is folding this chain
      const rows = await trx
        .selectFrom('evaluation')
        .select([...SCORED_COLUMNS, 'seq'])
        .where('chain_id', '=', chainId)
        .where('seq', '>', cursor.seq)
        .orderBy('seq')
        .limit(maxRows)
        .execute();
      if (rows.length === 0) return 0;
      const stageIds = [...new Set(rows.filter((r) => r.case_stage_id !== null && r.assess_number === 1 && !r.is_default).map((r) => r.case_stage_id as string))];
      const stages = new Map<string, StageCompletion>();
      if (stageIds.length > 0) {
        for (const s of await trx.selectFrom('stage_completion').selectAll().where('case_stage_id', 'in', stageIds).execute()) stages.set(s.case_stage_id, s);
      }
      await applyContribution(trx, combine(rows.map((r) => evaluationContribution(r, r.case_stage_id === null ? null : (stages.get(r.case_stage_id) ?? null)))));
      await trx.updateTable('score_feed_cursor').set({ seq: (rows[rows.length - 1] as { seq: number }).seq }).where('chain_id', '=', chainId).execute();
      return rows.length;
    });
    folded += count;
    behind ||= count === maxRows;
  }
  return { folded, behind };
}

/** A tick's work: one fold per waiting chain, and more while a chain is a whole fold behind; returns evaluations folded. */
export async function foldWaiting(db: Kysely<DB>, foldRows = FOLD_ROWS): Promise<number> {
  let total = 0;
  for (;;) {
    const { folded, behind } = await foldChains(db, foldRows);
    total += folded;
    if (!behind) return total;
  }
}

export interface ScoreFeed {
  /** Fold until nothing waits (tests, closing a period). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** Run the feed every `intervalMs` in this process (several processes share the chains safely). */
export function startScoreFeed(db: Kysely<DB>, intervalMs: number, log: FastifyBaseLogger): ScoreFeed {
  const ticker = startTicker(() => foldWaiting(db), intervalMs, (error) => log.error({ err: error }, 'score feed failed; retrying'));
  return {
    drain: async () => {
      await ticker.settled();
      let total = 0;
      for (;;) {
        const n = await foldLedger(db);
        total += n;
        if (n === 0) return total;
      }
    },
    stop: () => ticker.stop(),
  };
}
