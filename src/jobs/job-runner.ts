// The server's polling loop over scheduled jobs: one round at a time per process. Several
// processes may each run one; SKIP LOCKED in runDueJobs keeps them off each other's jobs.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import { runDueJobs, type Job, type JobCounts, type JobHandlers } from './scheduled-jobs.ts';

/** What the runner needs of a logger; a pino or Fastify logger fits. */
export interface JobRunnerLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobRunnerOptions {
  db: Kysely<DB>;
  clock: Clock;
  handlers: JobHandlers;
  /** Time between polls when idle (config.jobs.pollMs). */
  pollMs: number;
  log: JobRunnerLog;
  /** Jobs per runDueJobs call; between calls the clock is read again. Default 100. */
  batchSize?: number;
}

export interface JobRunner {
  /**
   * Run a round now, or right after the current one (calls made meanwhile share that round), and
   * return its counts. Rejects if the database fails. After stop(), does nothing.
   */
  runNow(): Promise<JobCounts>;
  /** runNow() for callers that do not wait (after intake opens tickets): failures are logged. */
  wake(): void;
  /** No further rounds or jobs; resolves when the job in hand has finished. */
  stop(): Promise<void>;
}

const NOTHING: JobCounts = { done: 0, failed: 0 };

export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, clock, handlers, log } = options;
  const batchSize = options.batchSize ?? 100;
  const stopping = new AbortController();
  let current: Promise<JobCounts> | null = null;
  let queued: Promise<JobCounts> | null = null;

  const onFailure = (job: Job, error: unknown, retryAt: Date) => {
    log.warn(
      { code: 'JOB_FAILED', kind: job.kind, jobId: job.id, subjectId: job.subjectId, attempts: job.attempts + 1, retryAt: retryAt.toISOString(), err: error },
      '定时任务失败，将重试 / scheduled job failed, will retry',
    );
  };

  async function round(): Promise<JobCounts> {
    const total = { ...NOTHING };
    // Until nothing is due; batches only let the clock move on in a long round.
    while (!stopping.signal.aborted) {
      const counts = await runDueJobs(db, handlers, clock(), { limit: batchSize, signal: stopping.signal, onFailure });
      total.done += counts.done;
      total.failed += counts.failed;
      if (counts.done + counts.failed < batchSize) break;
    }
    return total;
  }

  function begin(): Promise<JobCounts> {
    const running: Promise<JobCounts> = round().finally(() => {
      if (current === running) current = null;
    });
    current = running;
    return running;
  }

  function runNow(): Promise<JobCounts> {
    if (stopping.signal.aborted) return Promise.resolve({ ...NOTHING });
    if (queued) return queued;
    if (!current) return begin();
    // A follow-up round with a fresh clock, so that work scheduled during this round is not missed.
    const after = current.then(
      () => undefined,
      () => undefined,
    );
    queued = after.then(() => {
      queued = null;
      return runNow();
    });
    return queued;
  }

  function wake(): void {
    runNow().catch((error: unknown) => log.error({ code: 'JOB_ROUND_FAILED', err: error }, '定时任务轮次失败 / a round of scheduled jobs failed'));
  }

  const timer = setInterval(() => {
    // A busy runner skips the poll: rounds never overlap, and the current one runs until nothing is due.
    if (!current && !queued) wake();
  }, options.pollMs);
  // The loop alone must not keep the process alive.
  timer.unref();

  return {
    runNow,
    wake,
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await Promise.allSettled([current, queued]);
    },
  };
}
