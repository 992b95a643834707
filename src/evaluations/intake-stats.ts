// What intake counts and logs about its own flushes. A failure the writer gets over by itself (a
// fast path that falls back to the full one, a retried flush, a batch written request by request,
// a lease not renewed) is never silent: each is counted here and logged with its error.

/** What the writer needs of a logger; a pino or Fastify logger fits. */
export interface IntakeLog {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface IntakeStats {
  /** Flushes written by the two-statement fast path. */
  fast: number;
  /** Flushes written by the full transactional path (first flush of a lane, repeats, follow-ups, conflicts). */
  full: number;
  /**
   * Fast-path statements that aborted as designed because a claim was taken or the chain head had
   * moved (a repeat, a rated stage, a replayed nonce, another writer on the chain); the full path
   * sorted the batch out. Logged at debug level: duplicates are ordinary.
   */
  fastConflicts: number;
  /** Fast-path reads or statements that failed for any other reason; the full path took the batch. Logged as warnings. */
  fastFailures: number;
  /** Full-path flushes retried after a serialisation failure or a deadlock. Logged as warnings. */
  fullRetries: number;
  /** Batches whose full-path flush failed otherwise and that were then written request by request. Logged as warnings. */
  batchSplits: number;
  /** Chain leases that could not be renewed (another process may take the chain over; it stays consistent). Logged as warnings. */
  leaseRenewalFailures: number;
}

export function noStats(): IntakeStats {
  return { fast: 0, full: 0, fastConflicts: 0, fastFailures: 0, fullRetries: 0, batchSplits: 0, leaseRenewalFailures: 0 };
}

export function addStats(sum: IntakeStats, more: IntakeStats): IntakeStats {
  return {
    fast: sum.fast + more.fast,
    full: sum.full + more.full,
    fastConflicts: sum.fastConflicts + more.fastConflicts,
    fastFailures: sum.fastFailures + more.fastFailures,
    fullRetries: sum.fullRetries + more.fullRetries,
    batchSplits: sum.batchSplits + more.batchSplits,
    leaseRenewalFailures: sum.leaseRenewalFailures + more.leaseRenewalFailures,
  };
}
