// Recompute every chain from its rows and name the first row that does not match; then hold the
// ledger to every signed checkpoint of the chain heads (rows removed from the end of a chain, with
// its head moved back, pass the first check alone).
import type { Kysely } from 'kysely';
import type { TrustedKeys } from '../crypto/signing-key.ts';
import { equalBytes } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { chainHash, GENESIS_HASH, type LedgerRecord } from './canonical.ts';
import { verifyCheckpoints, type CheckpointReport } from './checkpoints.ts';

export interface ChainReport {
  chainId: number;
  rows: number;
  headSeq: number;
  ok: boolean;
  firstBroken?: { seq: number; evaluationId: string | null; reason: 'hash_mismatch' | 'sequence_gap' | 'head_mismatch' };
}

export interface VerifyReport {
  ok: boolean;
  rows: number;
  chains: ChainReport[];
  checkpoints: CheckpointReport;
}

export interface VerifyOptions {
  /** Keys to check the checkpoints' signatures with (from outside the database); without them only the heads are held against the ledger. */
  trustedKeys?: TrustedKeys;
  /** Rows read per query (small in tests, to cross page boundaries). */
  pageRows?: number;
}

const PAGE = 5000;

export async function verifyLedger(db: Kysely<DB>, { trustedKeys, pageRows = PAGE }: VerifyOptions = {}): Promise<VerifyReport> {
  const chains = await db.selectFrom('ledger_chain').select(['chain_id', 'head_seq', 'head_hash']).orderBy('chain_id').execute();
  const reports: ChainReport[] = [];
  for (const chain of chains) reports.push(await verifyChain(db, chain.chain_id, chain.head_seq, Buffer.from(chain.head_hash), false, pageRows));
  const checkpoints = await verifyCheckpoints(db, trustedKeys);
  return { ok: reports.every((r) => r.ok) && checkpoints.ok, rows: reports.reduce((n, r) => n + r.rows, 0), chains: reports, checkpoints };
}

/**
 * One chain from its first row to `headSeq`, which must end in `headHash`. `bounded`: rows after the
 * head are not read (checking a checkpoint of the past); otherwise they count as a head mismatch.
 */
export async function verifyChain(db: Kysely<DB>, chainId: number, headSeq: number, headHash: Buffer, bounded = false, pageRows = PAGE): Promise<ChainReport> {
  let previous: Uint8Array = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  const pageFrom = (seq: number) =>
    db
      .selectFrom('evaluation')
      .selectAll()
      .where('chain_id', '=', chainId)
      .where('seq', '>=', seq)
      .$if(bounded, (q) => q.where('seq', '<=', headSeq))
      .orderBy('seq')
      .limit(pageRows)
      .execute();
  // The next page is read while this one is hashed (on a server, by another connection).
  let next = pageFrom(1);
  for (;;) {
    const page = await next;
    const last = page.at(-1);
    next = page.length === pageRows && last ? pageFrom(last.seq + 1) : Promise.resolve([]);
    for (const row of page) {
      if (row.seq !== expectedSeq) return settled(next, broken(chainId, rows, headSeq, expectedSeq, null, 'sequence_gap'));
      const record: LedgerRecord = row;
      const stored = Buffer.from(row.hash);
      if (!equalBytes(chainHash(record, previous), stored)) return settled(next, broken(chainId, rows, headSeq, row.seq, row.id, 'hash_mismatch'));
      previous = stored;
      expectedSeq++;
      rows++;
    }
    if (page.length < pageRows) break;
  }
  // Rows removed from the end (or the head rewritten) show up against the recorded head.
  if (expectedSeq - 1 !== headSeq || !equalBytes(previous, headHash)) return broken(chainId, rows, headSeq, expectedSeq, null, 'head_mismatch');
  return { chainId, rows, headSeq, ok: true };
}

/** A report given once the read ahead has finished (its outcome no longer matters). */
async function settled(readAhead: Promise<unknown>, report: ChainReport): Promise<ChainReport> {
  await readAhead.catch(() => undefined);
  return report;
}

function broken(chainId: number, rows: number, headSeq: number, seq: number, evaluationId: string | null, reason: NonNullable<ChainReport['firstBroken']>['reason']): ChainReport {
  return { chainId, rows, headSeq, ok: false, firstBroken: { seq, evaluationId, reason } };
}
