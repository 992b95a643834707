// Scheduled work stored in the database (table scheduled_job): deadline checks, reminders,
// deliveries. A job is taken with FOR UPDATE SKIP LOCKED and marked done in the same transaction
// as its handler's effects, so database effects happen exactly once however many runners
// (processes) there are and wherever one of them dies. Effects outside the database (an SMS sent
// to a gateway) are at least once: the handler must make them safe to repeat.
//
// Columns as this module keeps them: attempts counts the tries (failed ones, and the successful
// one); last_error is the latest failure, kept after a later success; a cancelled job is simply
// done without having run.
import { sql, type Kysely, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../db/schema.ts';

export interface Job {
  id: string;
  kind: string;
  subjectId: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  /** Failed tries before this one: 0 on the first run. */
  attempts: number;
}

/**
 * Does the job's work in `trx`, the transaction that marks the job done: if it throws, nothing it
 * wrote is kept and the job is retried later. It may schedule jobs, its own kind and subject too.
 */
export type JobHandler = (trx: Transaction<DB>, job: Job, now: Date) => Promise<void>;
export type JobHandlers = Readonly<Record<string, JobHandler>>;

export interface JobRequest {
  kind: string;
  subjectId: string;
  dueAt: Date;
  payload?: Record<string, unknown>;
}

export interface JobCounts {
  done: number;
  failed: number;
}

export interface RunOptions {
  /** Most jobs to take in this call (done and failed together). Default 100. */
  limit?: number;
  /** Once aborted, no further job is taken; the one in hand finishes. */
  signal?: AbortSignal;
  /** Told of each failure after it is recorded; `retryAt` is the job's new due time. */
  onFailure?: (job: Job, error: unknown, retryAt: Date) => void;
}

const DEFAULT_LIMIT = 100;
const FIRST_RETRY_MS = 30_000;
const LAST_RETRY_MS = 3600_000;
const MAX_ERROR_CHARS = 2000;

/** Wait before the next try after `failures` failed ones: 30 s, 1 min, 2 min … at most 1 h. */
export function retryDelayMs(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), LAST_RETRY_MS);
}

/**
 * Insert jobs, or move the pending job of the same kind and subject (new due time and payload,
 * tries counted afresh): there is at most one pending job of a kind per subject. Runs in the
 * caller's transaction when given one, so that a job is scheduled with the fact that causes it.
 */
export async function scheduleJobs(db: Kysely<DB> | Transaction<DB>, jobs: readonly JobRequest[], now: Date): Promise<void> {
  // One statement may not update a row twice (ON CONFLICT): the last request for a pair wins.
  const latest = new Map<string, JobRequest>();
  for (const job of jobs) latest.set(JSON.stringify([job.kind, job.subjectId]), job);
  if (latest.size === 0) return;
  await db
    .insertInto('scheduled_job')
    .values(
      [...latest.values()].map((job) => ({
        id: uuidv7(),
        kind: job.kind,
        subject_id: job.subjectId,
        due_at: job.dueAt,
        payload: JSON.stringify(job.payload ?? {}),
        created_at: now,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['kind', 'subject_id'])
        .where('done_at', 'is', null)
        .doUpdateSet((eb) => ({ due_at: eb.ref('excluded.due_at'), payload: eb.ref('excluded.payload'), attempts: 0 })),
    )
    .execute();
}

export async function scheduleJob(db: Kysely<DB> | Transaction<DB>, job: JobRequest, now: Date): Promise<void> {
  await scheduleJobs(db, [job], now);
}

/**
 * Insert the job unless one of its kind and subject is already pending, which is then left as it
 * is: for recurring work booked at every start, which must not push back a run already booked.
 */
export async function scheduleJobIfAbsent(db: Kysely<DB> | Transaction<DB>, job: JobRequest, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('scheduled_job')
    .values({ id: uuidv7(), kind: job.kind, subject_id: job.subjectId, due_at: job.dueAt, payload: JSON.stringify(job.payload ?? {}), created_at: now })
    .onConflict((oc) => oc.columns(['kind', 'subject_id']).where('done_at', 'is', null).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Mark the pending job of this kind for this subject done without running it. True if there was one. */
export async function cancelJob(db: Kysely<DB> | Transaction<DB>, kind: string, subjectId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('scheduled_job')
    .set({ done_at: now })
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('done_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Take due jobs one at a time, earliest first, each in its own transaction, until `limit` jobs
 * were taken or none is due. A failed job (its handler threw, or no handler knows its kind) keeps
 * none of its effects and is due again after retryDelayMs. Throws only when the database fails.
 */
export async function runDueJobs(db: Kysely<DB>, handlers: JobHandlers, now: Date, options: RunOptions = {}): Promise<JobCounts> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const counts: JobCounts = { done: 0, failed: 0 };
  while (counts.done + counts.failed < limit && !options.signal?.aborted) {
    const outcome = await runOneJob(db, handlers, now);
    if (outcome === null) break;
    if (outcome.ok) {
      counts.done++;
    } else {
      counts.failed++;
      options.onFailure?.(outcome.job, outcome.error, outcome.retryAt);
    }
  }
  return counts;
}

type Outcome = { ok: true } | { ok: false; job: Job; error: unknown; retryAt: Date };

async function runOneJob(db: Kysely<DB>, handlers: JobHandlers, now: Date): Promise<Outcome | null> {
  // Set once a job is locked; an object, because TypeScript does not follow assignments in callbacks.
  const taken: { job: Job | null } = { job: null };
  try {
    return await db.transaction().execute(async (trx): Promise<Outcome | null> => {
      const row = await trx
        .selectFrom('scheduled_job')
        .select(['id', 'kind', 'subject_id', 'due_at', 'payload', 'attempts'])
        .where('done_at', 'is', null)
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!row) return null;
      const job: Job = { id: row.id, kind: row.kind, subjectId: row.subject_id, dueAt: row.due_at, payload: row.payload, attempts: row.attempts };
      taken.job = job;
      // A savepoint undoes the handler's work but keeps the row lock, so the failure is recorded
      // before any other runner can take the job again.
      await sql`SAVEPOINT scheduled_job_run`.execute(trx);
      try {
        // Done first: the handler may then schedule the same kind and subject again.
        await trx.updateTable('scheduled_job').set({ done_at: now, attempts: job.attempts + 1 }).where('id', '=', job.id).execute();
        const handler = Object.hasOwn(handlers, job.kind) ? handlers[job.kind] : undefined;
        if (!handler) throw new Error(`no handler for job kind "${job.kind}"`);
        await handler(trx, job, now);
        return { ok: true };
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT scheduled_job_run`.execute(trx);
        return { ok: false, job, error, retryAt: await recordFailure(trx, job, error, now) };
      }
    });
  } catch (error) {
    const job = taken.job;
    if (job === null) throw error;
    // The transaction itself failed (the commit, say a deferred constraint, or the connection):
    // record the failure apart, so that a job that cannot commit does not block the head of the queue.
    return { ok: false, job, error, retryAt: await recordFailure(db, job, error, now) };
  }
}

async function recordFailure(db: Kysely<DB> | Transaction<DB>, job: Job, error: unknown, now: Date): Promise<Date> {
  const retryAt = new Date(now.getTime() + retryDelayMs(job.attempts + 1));
  // Still pending only: another runner may have finished the job since this transaction ended.
  await db
    .updateTable('scheduled_job')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: describeError(error), due_at: retryAt }))
    .where('id', '=', job.id)
    .where('done_at', 'is', null)
    .execute();
  return retryAt;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // PostgreSQL's SQLSTATE and our AppError codes say the most in the fewest characters.
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
  const full = code ? `[${code}] ${text}` : text;
  if (full.length <= MAX_ERROR_CHARS) return full;
  // By code points, so that a cut never leaves half a surrogate pair.
  return `${Array.from(full).slice(0, MAX_ERROR_CHARS - 1).join('')}…`;
}
