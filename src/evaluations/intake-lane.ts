// A writer lane: one chain, one queue, group commit. Requests that arrive while a flush is running
// are collected and written together in the next flush (up to INTAKE_FLUSH_MAX_ROWS), by the fast
// path when the batch fits it, by the full path otherwise or when the fast one gives up. Every
// request is answered only after its flush committed. See docs/ledger.md.
import { readStages, type CaseStageRow } from './intake-facts.ts';
import { FAST_PATH_CONFLICT, fastFlush, fitsFastPath } from './intake-fast.ts';
import { fullFlush } from './intake-full.ts';
import type { IntakeDeps, IntakeOutcome, Pending } from './intake-request.ts';
import { noStats, type IntakeLog, type IntakeStats } from './intake-stats.ts';
import type { Head } from './intake-write.ts';

const RETRYABLE = new Set(['40001', '40P01']);
/** Attempts of a full-path flush that keeps meeting serialisation failures or deadlocks. */
const ATTEMPTS = 5;

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

interface Flight {
  batch: Pending[];
  /** The batch's stages, being read for the fast path; null when the batch takes the full path. */
  stages: Promise<CaseStageRow[]> | null;
}

export class Lane {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** The chain head as this lane last wrote it; null until known (the fast path needs it). */
  private head: Head | null = null;
  readonly stats: IntakeStats = noStats();

  constructor(
    private readonly deps: IntakeDeps,
    private readonly log: IntakeLog,
    readonly chainId: number,
  ) {}

  get waiting(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  enqueue(pending: Pending): void {
    this.queue.push(pending);
    // Flush on the next turn of the event loop: everything that arrives in this turn joins the batch.
    this.running ??= new Promise<void>((done) => setImmediate(() => void this.run().finally(done)));
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Flushes one batch after another. The fast path reads the next batch's stages while the batch
   * before it is being written, so that a lane's flushes follow each other at the pace of the
   * write statement alone.
   */
  private async run(): Promise<void> {
    try {
      let flight = this.take();
      while (flight) {
        const current = flight;
        flight = null;
        await this.flushSafely(current.batch, current.stages, () => {
          flight = this.take();
        });
        flight ??= this.take();
      }
    } finally {
      this.running = null;
    }
  }

  /** The next batch from the queue, with its stage read already started when it may take the fast path. */
  private take(): Flight | null {
    if (this.queue.length === 0) return null;
    const batch = this.queue.splice(0, this.deps.config.intake.flushMaxRows);
    if (this.head === null || !fitsFastPath(batch)) return { batch, stages: null };
    const stages = readStages(this.deps.db, batch);
    // Awaited (and its failure counted) by the flush, which then takes the full path; this only
    // keeps a failure from being reported as unhandled before the flush gets to it.
    stages.catch(() => undefined);
    return { batch, stages };
  }

  /** Writes a batch; `writing` is called once the batch's own reads are done and its write is under way. */
  private async flushSafely(batch: Pending[], stages: Promise<CaseStageRow[]> | null = null, writing: () => void = () => undefined): Promise<void> {
    const settle = (outcomes: IntakeOutcome[]) => batch.forEach((pending, i) => pending.resolve(outcomes[i] ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }));
    if (this.head !== null && stages !== null) {
      try {
        const fast = await fastFlush(this.deps, this.chainId, this.head, batch, await stages, writing);
        this.stats.fast++;
        this.head = fast.head;
        settle(fast.outcomes);
        return;
      } catch (error) {
        // Nothing was written: the full path sorts the batch out, or fails each request on its own.
        this.fastPathGaveUp(error, batch.length);
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcomes, head } = await this.deps.db.transaction().execute((trx) => fullFlush(trx, this.deps, this.chainId, batch));
        this.stats.full++;
        this.head = head;
        settle(outcomes);
        return;
      } catch (error) {
        this.head = null;
        const code = codeOf(error);
        if (typeof code === 'string' && RETRYABLE.has(code) && attempt < ATTEMPTS) {
          this.stats.fullRetries++;
          this.log.warn({ err: error, chainId: this.chainId, rows: batch.length, attempt }, '评价写入遇到序列化失败或死锁，重试 / intake flush met a serialisation failure or deadlock; retrying it');
          continue;
        }
        if (batch.length > 1) {
          // One unexpected failure must not sink the others: write them one by one.
          this.stats.batchSplits++;
          this.log.warn({ err: error, chainId: this.chainId, rows: batch.length }, '评价批量写入失败，逐条重写 / intake flush failed; its requests are written one by one');
          for (const pending of batch) await this.flushSafely([pending]);
          return;
        }
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
  }

  /**
   * A claim taken or the head moved (a repeat, a rated stage, a replayed nonce, another writer on
   * this chain) is how the fast path is meant to give up; anything else is a failure worth a warning.
   */
  private fastPathGaveUp(error: unknown, rows: number): void {
    if (codeOf(error) === FAST_PATH_CONFLICT) {
      this.stats.fastConflicts++;
      this.log.debug({ chainId: this.chainId, rows }, 'intake fast path met a conflict; the full path takes the batch');
    } else {
      this.stats.fastFailures++;
      this.log.warn({ err: error, chainId: this.chainId, rows }, '评价快速写入失败，改走完整路径 / intake fast path failed; the full path takes the batch');
    }
  }
}
