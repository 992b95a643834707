// Upkeep: rows that matter only for a while (sessions, request nonces, finished jobs, the contexts
// behind risk assessments, the applicant's SMS codes and wrong codes, failed sign-ins) are deleted once their time
// has passed, by one recurring scheduled job.
// Each run deletes at most PRUNE_BATCH_ROWS rows per table in its own short transaction and books
// the next run: at once while a table has more to go, else after PRUNE_EVERY_MINUTES. So a large
// backlog is worked off in many small transactions and no run holds locks for long.
//
// To prune another table, add one rule to PRUNE_RULES (and an index on the column it compares).
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { nonceRetentionMs } from '../auth/nonces.ts';
import { attemptRetentionMs } from '../auth/sign-in-rule.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { scheduleJob, scheduleJobIfAbsent, type JobHandler } from './scheduled-jobs.ts';

export const PRUNE = 'upkeep.prune';
/** The subject of the one recurring prune job (a job is keyed by kind and subject). */
export const PRUNE_SUBJECT = '00000000-0000-8000-8000-00000000f00d';

const DAY_MS = 86_400_000;

export interface PruneRule {
  table: keyof DB & string;
  /** How long a row is kept after the moment that `olderThan` compares. */
  retentionMs(config: Config): number;
  /** A condition true of the rows whose moment lies before `cutoff`; it should be answered by an index. */
  olderThan(cutoff: Date): RawBuilder<unknown>;
}

const fraudSignalsMs = (config: Config) => config.upkeep.fraudSignalsDays * DAY_MS;

export const PRUNE_RULES: readonly PruneRule[] = [
  // An expired session is refused (src/auth/sessions.ts) and can never come back.
  { table: 'staff_session', retentionMs: () => 0, olderThan: (cutoff) => sql`expires_at < ${cutoff}` },
  // Kept while a replay of the request could still pass the timestamp check (src/auth/nonces.ts).
  { table: 'request_nonce', retentionMs: (config) => nonceRetentionMs(config.auth.signatureMaxAgeSeconds), olderThan: (cutoff) => sql`seen_at < ${cutoff}` },
  // Pending jobs (done_at null) never match.
  { table: 'scheduled_job', retentionMs: (config) => config.upkeep.finishedJobsDays * DAY_MS, olderThan: (cutoff) => sql`done_at < ${cutoff}` },
  // How web ratings were made (keyed hashes of install and network): the risk engine looks back a
  // day; its conclusions stay in risk_assessment.
  { table: 'rating_context', retentionMs: fraudSignalsMs, olderThan: (cutoff) => sql`recorded_at < ${cutoff}` },
  // Proving to be the applicant (src/ratings/applicant-proof.ts): SMS codes, kept a while after they
  // expire as signals (codes asked per phone hash), and wrong codes per source per hour.
  { table: 'applicant_challenge', retentionMs: fraudSignalsMs, olderThan: (cutoff) => sql`expires_at < ${cutoff}` },
  { table: 'proof_failure', retentionMs: fraudSignalsMs, olderThan: (cutoff) => sql`bucket < ${cutoff}` },
  // Failed sign-ins (src/auth/sign-in-attempts.ts), kept while the lock rule can still count them.
  { table: 'sign_in_attempt', retentionMs: (config) => attemptRetentionMs([config.auth.signIn.account, config.auth.signIn.address]), olderThan: (cutoff) => sql`at < ${cutoff}` },
];

/**
 * Deletes at most `limit` of the rule's rows older than its retention at `now`. Rows another
 * transaction holds are skipped (left for the next run), so pruning never waits on live work.
 */
export async function pruneBatch(trx: Transaction<DB>, rule: PruneRule, config: Config, now: Date, limit: number): Promise<number> {
  const cutoff = new Date(now.getTime() - rule.retentionMs(config));
  const table = sql.table(rule.table);
  // PostgreSQL's DELETE has no LIMIT: the physical row ids of a limited, locked selection.
  const result = await sql`DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM ${table} WHERE ${rule.olderThan(cutoff)} LIMIT ${limit} FOR UPDATE SKIP LOCKED))`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/** One run: a batch from every table, then the next run booked. */
export function pruneJob({ config, rules = PRUNE_RULES }: { config: Config; rules?: readonly PruneRule[] }): JobHandler {
  return async (trx, _job, now) => {
    const limit = config.upkeep.batchRows;
    const pruned: Record<string, number> = {};
    let more = false;
    for (const rule of rules) {
      const deleted = await pruneBatch(trx, rule, config, now, limit);
      pruned[rule.table] = deleted;
      if (deleted >= limit) more = true;
    }
    const dueAt = more ? now : new Date(now.getTime() + config.upkeep.pruneEveryMinutes * 60_000);
    // What the last run deleted rides along in the next run's payload, for an operator to read.
    await scheduleJob(trx, { kind: PRUNE, subjectId: PRUNE_SUBJECT, dueAt, payload: { previous: { at: now.toISOString(), pruned } } }, now);
  };
}

/** Books the first run (due at once) unless one is already booked; called at every start. */
export async function schedulePruning(db: Kysely<DB> | Transaction<DB>, now: Date): Promise<void> {
  await scheduleJobIfAbsent(db, { kind: PRUNE, subjectId: PRUNE_SUBJECT, dueAt: now }, now);
}
