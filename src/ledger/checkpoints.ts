// Signed checkpoints of the heads of all ledger chains. ledger_chain must stay writable (every append
// moves a head), so rows removed from the end of a chain together with its head moved back leave a
// chain that checks out by itself. A checkpoint (chain, seq, hash of every head, and the time), signed
// with the platform's SM2 key and kept in an append-only table, is a promise that those rows exist:
// `verify` holds the ledger to every checkpoint ever taken and names a truncation. Checkpoints are
// taken by a recurring job (when a head moved since the last one) and at every period close.
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Config } from '../config/config.ts';
import type { Sm2Signer, TrustedKeys } from '../crypto/signing-key.ts';
import { sm2Sign, sm2Verify } from '../crypto/sm.ts';
import type { DB, LedgerCheckpointTable } from '../db/schema.ts';
import { scheduleJob, scheduleJobIfAbsent, type JobHandler } from '../jobs/scheduled-jobs.ts';

export const LEDGER_CHECKPOINT = 'ledger.checkpoint';
/** The subject of the one recurring checkpoint job (a job is keyed by kind and subject). */
export const CHECKPOINT_SUBJECT = '00000000-0000-8000-8000-0000000c4ec4';
export const CHECKPOINT_FORMAT = 1;

export type CheckpointReason = LedgerCheckpointTable['reason'];

export interface CheckpointHead {
  chainId: number;
  seq: number;
  /** SM3 chain hash of the row at seq, hex (32 zero bytes for an empty chain). */
  hash: string;
}

/** What is signed, as its exact JSON text (field order fixed here). */
export interface CheckpointDocument {
  format: typeof CHECKPOINT_FORMAT;
  takenAt: string;
  reason: CheckpointReason;
  heads: CheckpointHead[];
}

export function checkpointText(takenAt: Date, reason: CheckpointReason, heads: readonly CheckpointHead[]): string {
  const document: CheckpointDocument = {
    format: CHECKPOINT_FORMAT,
    takenAt: takenAt.toISOString(),
    reason,
    heads: [...heads].sort((a, b) => a.chainId - b.chainId).map((h) => ({ chainId: h.chainId, seq: h.seq, hash: h.hash })),
  };
  return JSON.stringify(document);
}

export async function currentHeads(db: Kysely<DB>): Promise<CheckpointHead[]> {
  const chains = await db.selectFrom('ledger_chain').select(['chain_id', 'head_seq', 'head_hash']).orderBy('chain_id').execute();
  return chains.map((c) => ({ chainId: c.chain_id, seq: Number(c.head_seq), hash: Buffer.from(c.head_hash).toString('hex') }));
}

export interface WriteCheckpoint {
  reason: CheckpointReason;
  at: Date;
  /** The heads to sign (a period close passes those its snapshot was computed at); default: as they are now. */
  heads?: readonly CheckpointHead[];
  /** Write even when no head moved since the latest checkpoint (a period close always writes). */
  always?: boolean;
}

/** Signs and stores a checkpoint; null when nothing moved since the latest one and `always` is not set. */
export async function writeCheckpoint(db: Kysely<DB>, signer: Sm2Signer, options: WriteCheckpoint): Promise<{ id: string; heads: CheckpointHead[] } | null> {
  const heads = [...(options.heads ?? (await currentHeads(db)))].sort((a, b) => a.chainId - b.chainId);
  if (!options.always) {
    const latest = await db.selectFrom('ledger_checkpoint').select('document').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (latest && sameHeads(parseDocument(latest.document)?.heads ?? [], heads)) return null;
  }
  const document = checkpointText(options.at, options.reason, heads);
  const id = uuidv7();
  await db
    .insertInto('ledger_checkpoint')
    .values({ id, taken_at: options.at, reason: options.reason, document, signature: sm2Sign(signer.privateKey, document), key_id: signer.keyId })
    .execute();
  return { id, heads };
}

function sameHeads(a: readonly CheckpointHead[], b: readonly CheckpointHead[]): boolean {
  return a.length === b.length && a.every((h, i) => h.chainId === b[i]?.chainId && h.seq === b[i]?.seq && h.hash === b[i]?.hash);
}

/** One run: a checkpoint if a head moved, then the next run booked. */
export function checkpointJob({ config, signer }: { config: Config; signer: () => Sm2Signer }): JobHandler {
  return async (trx, _job, now) => {
    await writeCheckpoint(trx, signer(), { reason: 'scheduled', at: now });
    await scheduleJob(trx, { kind: LEDGER_CHECKPOINT, subjectId: CHECKPOINT_SUBJECT, dueAt: new Date(now.getTime() + config.ledger.checkpointEveryMinutes * 60_000) }, now);
  };
}

/** Books the first run (due at once) unless one is already booked; called at every start. */
export async function scheduleCheckpoints(db: Kysely<DB> | Transaction<DB>, now: Date): Promise<void> {
  await scheduleJobIfAbsent(db, { kind: LEDGER_CHECKPOINT, subjectId: CHECKPOINT_SUBJECT, dueAt: now }, now);
}

// --- Verification ---

export interface CheckpointProblem {
  checkpointId: string;
  takenAt: string;
  reason: 'document_invalid' | 'unknown_key' | 'signature_invalid' | 'truncated' | 'row_missing' | 'row_mismatch';
  chainId?: number;
  /** truncated: the last row the chain still has; row_missing / row_mismatch: the row checkpointed. */
  seq?: number;
  detail: string;
}

export interface CheckpointReport {
  ok: boolean;
  checkpoints: number;
  /** False when no trusted keys were given: the heads were held against the ledger, the signatures not checked. */
  signaturesChecked: boolean;
  problems: CheckpointProblem[];
}

function parseDocument(text: string): CheckpointDocument | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const document = value as Partial<CheckpointDocument>;
    if (document.format !== CHECKPOINT_FORMAT || typeof document.takenAt !== 'string' || !Array.isArray(document.heads)) return null;
    const wellFormed = document.heads.every((h) => Number.isSafeInteger(h?.chainId) && Number.isSafeInteger(h?.seq) && h.seq >= 0 && typeof h?.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash));
    return wellFormed ? (document as CheckpointDocument) : null;
  } catch {
    return null;
  }
}

const PAGE = 1000;

interface Claim {
  hash: string;
  checkpointId: string;
  takenAt: string;
}

/**
 * Every checkpoint's signature (when `trustedKeys` is given: keys from outside the database), and
 * that the ledger still holds every checkpointed head row with its hash. A head row that is gone
 * from the end of its chain is a truncation, named by chain and by the last row left.
 */
export async function verifyCheckpoints(db: Kysely<DB>, trustedKeys?: TrustedKeys): Promise<CheckpointReport> {
  const problems: CheckpointProblem[] = [];
  // (chain, seq) → the latest checkpoint claiming that row, with the hash it claims.
  const claims = new Map<number, Map<number, Claim>>();
  let checkpoints = 0;
  // By id: UUIDv7, in the order they were written.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await db.selectFrom('ledger_checkpoint').select(['id', 'taken_at', 'document', 'signature', 'key_id']).where('id', '>', after).orderBy('id').limit(PAGE).execute();
    for (const row of page) {
      checkpoints++;
      const takenAt = row.taken_at.toISOString();
      const problem = (reason: CheckpointProblem['reason'], detail: string) => problems.push({ checkpointId: row.id, takenAt, reason, detail });
      if (trustedKeys) {
        const key = trustedKeys.get(row.key_id);
        if (!key) problem('unknown_key', `no trusted public key for key id ${row.key_id}`);
        else if (!sm2Verify(key, row.document, row.signature)) problem('signature_invalid', `the SM2 signature does not match the checkpoint under the trusted key ${row.key_id}`);
      }
      const document = parseDocument(row.document);
      if (!document) {
        problem('document_invalid', 'the checkpoint is not a format-1 document');
        continue;
      }
      for (const head of document.heads) {
        if (head.seq === 0) continue;
        let chain = claims.get(head.chainId);
        if (!chain) claims.set(head.chainId, (chain = new Map()));
        const earlier = chain.get(head.seq);
        if (earlier && earlier.hash !== head.hash) {
          problems.push({ checkpointId: row.id, takenAt, reason: 'row_mismatch', chainId: head.chainId, seq: head.seq, detail: `checkpoints disagree on row ${head.seq} of chain ${head.chainId} (see checkpoint ${earlier.checkpointId})` });
        }
        chain.set(head.seq, { hash: head.hash, checkpointId: row.id, takenAt });
      }
    }
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    after = last.id;
  }

  for (const [chainId, chain] of claims) problems.push(...(await holdChain(db, chainId, chain)));
  return { ok: problems.length === 0, checkpoints, signaturesChecked: trustedKeys !== undefined, problems };
}

/** The checkpointed rows of one chain against the ledger: one problem per kind, the most telling one. */
async function holdChain(db: Kysely<DB>, chainId: number, chain: ReadonlyMap<number, Claim>): Promise<CheckpointProblem[]> {
  const seqs = [...chain.keys()].sort((a, b) => a - b);
  const stored = new Map<number, string>();
  for (let i = 0; i < seqs.length; i += PAGE) {
    const rows = await db.selectFrom('evaluation').select(['seq', 'hash']).where('chain_id', '=', chainId).where('seq', 'in', seqs.slice(i, i + PAGE)).execute();
    for (const row of rows) stored.set(Number(row.seq), Buffer.from(row.hash).toString('hex'));
  }
  const missing = seqs.filter((seq) => !stored.has(seq));
  const altered = seqs.filter((seq) => stored.has(seq) && stored.get(seq) !== chain.get(seq)?.hash);
  const problems: CheckpointProblem[] = [];
  if (missing.length > 0) {
    const lastLeft = await db.selectFrom('evaluation').select((eb) => eb.fn.max('seq').as('seq')).where('chain_id', '=', chainId).executeTakeFirst();
    const left = lastLeft?.seq === null || lastLeft?.seq === undefined ? 0 : Number(lastLeft.seq);
    const highest = missing.at(-1) ?? 0;
    const claim = chain.get(highest);
    if (claim && highest > left) {
      problems.push({
        checkpointId: claim.checkpointId, takenAt: claim.takenAt, reason: 'truncated', chainId, seq: left,
        detail: `chain ${chainId} truncated after seq ${left}: checkpoint of ${claim.takenAt} signed its head at seq ${highest}`,
      });
    }
    const inside = missing.filter((seq) => seq <= left);
    const first = inside[0];
    const firstClaim = first === undefined ? undefined : chain.get(first);
    if (first !== undefined && firstClaim) {
      problems.push({ checkpointId: firstClaim.checkpointId, takenAt: firstClaim.takenAt, reason: 'row_missing', chainId, seq: first, detail: `row ${first} of chain ${chainId}, checkpointed on ${firstClaim.takenAt}, is gone (${inside.length} checkpointed rows missing)` });
    }
  }
  const firstAltered = altered[0];
  const alteredClaim = firstAltered === undefined ? undefined : chain.get(firstAltered);
  if (firstAltered !== undefined && alteredClaim) {
    problems.push({ checkpointId: alteredClaim.checkpointId, takenAt: alteredClaim.takenAt, reason: 'row_mismatch', chainId, seq: firstAltered, detail: `row ${firstAltered} of chain ${chainId} no longer has the hash checkpointed on ${alteredClaim.takenAt} (${altered.length} rows differ)` });
  }
  return problems;
}
