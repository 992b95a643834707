// Periods close by themselves: a scheduled job per period, due when the scheme's closing delay has
// passed, closes it and books the next one. Months, quarters and years are closed.
import type { Transaction } from 'kysely';
import type { DB, PeriodKind } from '../db/schema.ts';
import { beijingDay } from '../clock.ts';
import { sm3 } from '../crypto/sm.ts';
import { AppError } from '../errors.ts';
import { scheduleJob, type JobHandler } from '../jobs/scheduled-jobs.ts';
import { addDaysToDay, parsePeriod, periodContaining, type Period } from './periods.ts';
import { schemeInForce } from './schemes.ts';
import { closableFrom, closePeriod, readSnapshot, type SnapshotSigner } from './snapshots.ts';

export const PERIOD_CLOSE = 'scoring.close';
export const CLOSED_KINDS: readonly PeriodKind[] = ['month', 'quarter', 'year'];

/** Jobs are keyed by a uuid: one derived from the period key (UUIDv8 over SM3), the key itself in the payload. */
export function periodJobSubject(key: string): string {
  const h = sm3(`${PERIOD_CLOSE}:${key}`).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export async function scheduleClose(trx: Transaction<DB>, period: Period, now: Date): Promise<void> {
  const scheme = await schemeInForce(trx, period.fromDay);
  await scheduleJob(trx, { kind: PERIOD_CLOSE, subjectId: periodJobSubject(period.key), dueAt: closableFrom(period, scheme), payload: { period: period.key } }, now);
}

/** Book the closing of the periods now running (idempotent; called at start). */
export async function scheduleCurrentCloses(trx: Transaction<DB>, now: Date): Promise<void> {
  for (const kind of CLOSED_KINDS) await scheduleClose(trx, periodContaining(kind, beijingDay(now)), now);
}

export function closePeriodJob(signer: () => SnapshotSigner): JobHandler {
  return async (trx, job, now) => {
    const period = parsePeriod(String(job.payload.period ?? ''));
    if (!period || period.kind === 'range' || period.kind === 'day' || period.kind === 'week') return;
    if (!(await readSnapshot(trx, period.kind, period.key))) {
      try {
        await closePeriod(trx, signer(), period, 'system:scheduler', now);
      } catch (error) {
        // The scheme's delay changed: book it again for when it may close.
        if (error instanceof AppError && error.code === 'PERIOD_NOT_ENDED') return scheduleClose(trx, period, now);
        throw error;
      }
    }
    await scheduleClose(trx, periodContaining(period.kind, addDaysToDay(period.toDay, 1)), now);
  };
}
