// Corrections of published periods. A closed period's snapshot is never edited; when an evaluation
// later leaves the figures (an appeal upheld, fraud confirmed) or rejoins them (fraud cleared), and
// its facts fall in a closed period, what that changes in the period's counts is attached to the
// snapshot as a correction, in the transaction of the flag. Per snapshot the corrections form an SM3
// chain (each names the digest of the one before), listed with the snapshot and checked by its
// verification: visible, never silent, never lost.
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { sm3 } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { exclusionOf, type ExclusionStatus, type FlagKind } from './exclusion.ts';
import { addCounts, emptyTally, TALLY_COLUMNS, type Contribution, type TallyCounts } from './tally.ts';

export const CORRECTION_FORMAT = 'hcp-score-correction/1';

export interface CorrectionDocument {
  format: typeof CORRECTION_FORMAT;
  snapshotId: string;
  period: { kind: string; key: string };
  seq: number;
  /** Digest (hex) of the correction before it on this snapshot; null for the first. */
  previousDigest: string | null;
  evaluationId: string;
  flag: { id: string; kind: FlagKind; at: string };
  /** What the evaluation is now: out of the figures, or back in them. */
  now: ExclusionStatus | 'counted';
  /** The change to the period's counts of each region (the evaluation's own) and org it touches. */
  effect: Array<{ unitKind: 'region' | 'org'; unitId: string; counts: Partial<TallyCounts> }>;
}

export interface Correction {
  id: string;
  snapshotId: string;
  seq: number;
  document: CorrectionDocument;
  /** The exact text the digest covers. */
  text: string;
  digest: string;
  recordedAt: Date;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The part of a contribution that falls in a period, per region and org, without zeros. */
export function effectIn(contribution: Contribution, fromDay: string, toDay: string): CorrectionDocument['effect'] {
  const sums = new Map<string, { unitKind: 'region' | 'org'; unitId: string; counts: TallyCounts }>();
  for (const t of contribution.tallies) {
    if (t.day < fromDay || t.day > toDay || (t.unit.kind !== 'region' && t.unit.kind !== 'org')) continue;
    const key = `${t.unit.kind}|${t.unit.id}`;
    const entry = sums.get(key) ?? { unitKind: t.unit.kind, unitId: t.unit.id, counts: emptyTally() };
    entry.counts = addCounts(entry.counts, t.counts);
    sums.set(key, entry);
  }
  return [...sums.values()]
    .map((e) => ({ unitKind: e.unitKind, unitId: e.unitId, counts: Object.fromEntries(TALLY_COLUMNS.filter((c) => e.counts[c] !== 0).map((c) => [c, e.counts[c]])) as Partial<TallyCounts> }))
    .filter((e) => Object.keys(e.counts).length > 0)
    .sort((a, b) => (`${a.unitKind}|${a.unitId}` < `${b.unitKind}|${b.unitId}` ? -1 : 1));
}

export interface ExclusionChange {
  evaluationId: string;
  flag: { id: string; kind: FlagKind; at: Date };
  now: CorrectionDocument['now'];
  /** The evaluation's whole footprint as it leaves (negative) or rejoins (positive) the figures. */
  contribution: Contribution;
}

/** Attach the change to every closed period whose figures it touches; the number of corrections written. */
export async function recordCorrections(trx: Kysely<DB> | Transaction<DB>, change: ExclusionChange, now: Date, onlySnapshotId?: string): Promise<number> {
  const days = change.contribution.tallies.map((t) => t.day).sort();
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) return 0;
  // Locked in order, so that two corrections of one snapshot take their places in its chain one by one.
  let closed = trx
    .selectFrom('score_snapshot')
    .select(['id', 'period_kind', 'period_key', 'from_day', 'to_day'])
    .where('from_day', '<=', last)
    .where('to_day', '>=', first);
  if (onlySnapshotId !== undefined) closed = closed.where('id', '=', onlySnapshotId);
  const snapshots = await closed.orderBy('id').forUpdate().execute();
  let written = 0;
  for (const snapshot of snapshots) {
    const effect = effectIn(change.contribution, String(snapshot.from_day), String(snapshot.to_day));
    if (effect.length === 0) continue;
    const previous = await trx.selectFrom('score_correction').select(['seq', 'digest']).where('snapshot_id', '=', snapshot.id).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const document: CorrectionDocument = {
      format: CORRECTION_FORMAT,
      snapshotId: snapshot.id,
      period: { kind: snapshot.period_kind, key: snapshot.period_key },
      seq: (previous?.seq ?? 0) + 1,
      previousDigest: previous ? hex(previous.digest) : null,
      evaluationId: change.evaluationId,
      flag: { id: change.flag.id, kind: change.flag.kind, at: change.flag.at.toISOString() },
      now: change.now,
      effect,
    };
    const text = JSON.stringify(document);
    await trx
      .insertInto('score_correction')
      .values({ id: uuidv7(), snapshot_id: snapshot.id, seq: document.seq, evaluation_id: change.evaluationId, flag_id: change.flag.id, document: text, digest: sm3(text), recorded_at: now })
      .execute();
    written++;
  }
  return written;
}

/** The corrections of a snapshot, in their order. */
export async function correctionsOf(db: Kysely<DB> | Transaction<DB>, snapshotId: string): Promise<Correction[]> {
  const rows = await db.selectFrom('score_correction').selectAll().where('snapshot_id', '=', snapshotId).orderBy('seq').execute();
  return rows.map((r) => ({ id: r.id, snapshotId: r.snapshot_id, seq: r.seq, document: JSON.parse(r.document) as CorrectionDocument, text: r.document, digest: hex(r.digest), recordedAt: r.recorded_at }));
}

/** Problems with a snapshot's chain of corrections, in words; empty when it holds. */
export function correctionChainProblems(snapshotId: string, corrections: readonly Correction[]): string[] {
  const problems: string[] = [];
  let previous: string | null = null;
  corrections.forEach((c, i) => {
    if (hex(sm3(c.text)) !== c.digest) problems.push(`correction ${c.seq}: the document does not match its SM3 digest`);
    if (c.seq !== i + 1 || c.document.seq !== c.seq) problems.push(`correction ${c.seq}: out of sequence (expected ${i + 1})`);
    if (c.document.snapshotId !== snapshotId) problems.push(`correction ${c.seq}: names another snapshot`);
    if (c.document.previousDigest !== previous) problems.push(`correction ${c.seq}: does not follow the correction before it`);
    previous = c.digest;
  });
  return problems;
}

/** The corrections that touch a unit (for a region: any region of its subtree, given as `ids`). */
export function correctionsTouching(corrections: readonly Correction[], unitKind: 'region' | 'org', ids: ReadonlySet<string>): Correction[] {
  return corrections.filter((c) => c.document.effect.some((e) => e.unitKind === unitKind && ids.has(e.unitId)));
}

/**
 * Evaluations of the period whose standing changed after the cut (a flag recorded later) without the
 * corrections saying so: none at all, or a last one that names another standing than the flags give
 * now. Found from the flags themselves, so a correction lost (or never written) is named.
 */
export async function missingCorrections(db: Kysely<DB> | Transaction<DB>, snapshot: { id: string; fromDay: string; toDay: string; cutAt: Date }, corrections: readonly Correction[]): Promise<string[]> {
  const flags = await db
    .selectFrom('evaluation_event as x')
    .innerJoin('evaluation as e', 'e.id', 'x.evaluation_id')
    .select(['x.id', 'x.kind', 'x.at', 'x.evaluation_id'])
    .where('x.evaluation_id', 'in', (eb) =>
      eb
        .selectFrom('evaluation_event as late')
        .innerJoin('evaluation as le', 'le.id', 'late.evaluation_id')
        .select('late.evaluation_id')
        .where('late.at', '>', snapshot.cutAt)
        // Its own day, or (a 差评's ticket) the Beijing day it reached us, in the period.
        .where((w) =>
          w.or([
            w.and([w('le.assessed_day', '>=', snapshot.fromDay), w('le.assessed_day', '<=', snapshot.toDay)]),
            w.and([w('le.received_at', '>=', new Date(`${snapshot.fromDay}T00:00:00+08:00`)), w('le.received_at', '<', new Date(new Date(`${snapshot.toDay}T00:00:00+08:00`).getTime() + 86_400_000))]),
          ]),
        ),
    )
    .execute();
  const byEvaluation = new Map<string, typeof flags>();
  for (const f of flags) byEvaluation.set(f.evaluation_id, [...(byEvaluation.get(f.evaluation_id) ?? []), f]);
  const missing: string[] = [];
  for (const [evaluationId, all] of byEvaluation) {
    const atCut = exclusionOf(all.filter((f) => f.at.getTime() <= snapshot.cutAt.getTime())) ?? 'counted';
    const now = exclusionOf(all) ?? 'counted';
    const last = corrections.filter((c) => c.document.evaluationId === evaluationId).at(-1);
    if (last ? last.document.now !== now : atCut !== now) missing.push(evaluationId);
  }
  return missing;
}
