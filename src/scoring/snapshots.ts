// Closing a period: its figures computed from the ledger alone as of a checkpoint (the chain heads and
// a cut instant), written once as a document signed with SM2. `verifySnapshot` checks the digest and
// the signature, re-verifies the chains up to the checkpoint, and recomputes every figure.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { samePublicKey, type Sm2Signer, type TrustedKeys } from '../crypto/signing-key.ts';
import { sm2Sign, sm2Verify, sm3 } from '../crypto/sm.ts';
import type { DB, PeriodKind, ScoreSnapshotTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { writeCheckpoint } from '../ledger/checkpoints.ts';
import { verifyChain } from '../ledger/verify.ts';
import { assembleFigures, type UnitCounts } from './assemble.ts';
import { roundingOf, SNAPSHOT_FORMAT, SNAPSHOT_FORMATS, type Checkpoint, type PeriodFigures, type SnapshotDocument, type StoredSnapshot } from './document.ts';
import type { Rounding } from './figures.ts';
import { correctionChainProblems, correctionsOf, missingCorrections } from './corrections.ts';
import { correctSettlingFlags } from './footprint.ts';
import { ledgerTallies, ticketsAtCut, type LedgerCut } from './ledger-tallies.ts';
import { excludedSetAsOfSql } from './exclusion-sql.ts';
import { readCatalog } from './live.ts';
import { addDaysToDay, parsePeriod, type Period } from './periods.ts';
import type { Scheme } from './scheme.ts';
import { schemeByVersion, schemeInForce } from './schemes.ts';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';

/** Facts recorded within this long before closing are left to settle (transactions still in flight). */
const SETTLE_MS = 60_000;

export type SnapshotSigner = Sm2Signer;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The figures of a period as of a checkpoint, from the ledger and the facts alone. */
export async function figuresAtCheckpoint(db: Kysely<DB>, period: Period, scheme: Scheme, cut: LedgerCut & { at: Date }, rounding: Rounding = 'once'): Promise<PeriodFigures> {
  const query = { fromDay: period.fromDay, toDay: period.toDay, cut };
  const tickets = await ticketsAtCut(db, query, cut.at);
  const rows = await ledgerTallies(db, { ...query, byDay: false, unitKinds: ['region', 'org'] }, tickets);
  const counts: UnitCounts = { regions: new Map(), orgs: new Map(), openOverdueByRegion: new Map(), openOverdueByOrg: new Map() };
  for (const row of rows) (row.unit_kind === 'region' ? counts.regions : counts.orgs).set(row.unit_id, row.counts);
  for (const t of tickets) {
    if (!t.overdueOpen) continue;
    counts.openOverdueByRegion.set(t.placement.region_code, (counts.openOverdueByRegion.get(t.placement.region_code) ?? 0) + 1);
    counts.openOverdueByOrg.set(t.placement.org_id, (counts.openOverdueByOrg.get(t.placement.org_id) ?? 0) + 1);
  }
  return assembleFigures(period, scheme, await readCatalog(db, [...counts.orgs.keys()]), counts, rounding);
}

/** Count and SM3 digest of the non-ledger facts a checkpoint takes in. */
async function factDigests(db: Kysely<DB>, period: Period, cutAt: Date): Promise<Checkpoint['facts']> {
  const digest = (lines: string[]) => ({ count: lines.length, digest: hex(sm3(lines.join('\n'))) });
  const flags = await sql<{ line: string }>`SELECT concat_ws('|', id, evaluation_id, kind, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')) AS line
    FROM evaluation_event WHERE at <= ${cutAt} ORDER BY id`.execute(db);
  const ticketEvents = await sql<{ line: string }>`SELECT concat_ws('|', te.ticket_id, te.seq, te.type, te.payload::text, to_char(te.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')) AS line
    FROM ticket_event te JOIN ticket t ON t.id = te.ticket_id
    WHERE t.opened_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date AND te.at <= ${cutAt} ORDER BY te.ticket_id, te.seq`.execute(db);
  const inspections = await sql<{ line: string }>`SELECT concat_ws('|', id, template_id, org_id, window_id, inspected_day, score_points, results::text) AS line
    FROM inspection WHERE inspected_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date AND recorded_at <= ${cutAt} ORDER BY id`.execute(db);
  const stages = await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM stage_completion
    WHERE completed_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date AND recorded_at <= ${cutAt}`.execute(db);
  return {
    evaluationEvents: digest(flags.rows.map((r) => r.line)),
    ticketEvents: digest(ticketEvents.rows.map((r) => r.line)),
    inspections: digest(inspections.rows.map((r) => r.line)),
    stageCompletions: { count: stages.rows[0]?.n ?? 0 },
  };
}

/** The first instant a period may be closed: the end of its last Beijing day plus the scheme's delay. */
export function closableFrom(period: Period, scheme: Scheme): Date {
  return new Date(`${addDaysToDay(period.toDay, 1 + scheme.definition.closeAfterDays)}T00:00:00+08:00`);
}

async function registerKey(db: Kysely<DB>, signer: SnapshotSigner, now: Date): Promise<void> {
  const pem = createPublicKey(signer.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  await db.insertInto('signing_key').values({ key_id: signer.keyId, algorithm: 'SM2', public_key_pem: pem, created_at: now }).onConflict((oc) => oc.column('key_id').doNothing()).execute();
  const stored = await db.selectFrom('signing_key').select('public_key_pem').where('key_id', '=', signer.keyId).executeTakeFirstOrThrow();
  if (stored.public_key_pem !== pem) throw new AppError('SIGNING_KEY_INVALID', { reason: `key id ${signer.keyId} is registered with another public key` });
}

/** Receipt numbers of the period's ratings (within the cut's chain heads) held for fraud review as of the cut, sorted. */
async function heldAtCut(db: Kysely<DB>, period: Period, cut: { heads: Array<{ chainId: number; seq: number }>; at: Date }): Promise<string[]> {
  if (cut.heads.length === 0) return [];
  const rows = await sql<{ receipt_no: string }>`SELECT e.receipt_no FROM evaluation e
    JOIN unnest(${cut.heads.map((h) => h.chainId)}::int4[], ${cut.heads.map((h) => h.seq)}::int8[]) AS h(chain_id, seq) ON h.chain_id = e.chain_id AND e.seq <= h.seq
    JOIN (${excludedSetAsOfSql(cut.at)}) x ON x.evaluation_id = e.id
    WHERE x.status = 'held' AND e.assessed_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date ORDER BY e.receipt_no`.execute(db);
  return rows.rows.map((r) => r.receipt_no);
}

export async function closePeriod(db: Kysely<DB>, signer: SnapshotSigner, period: Period, closedBy: string, now: Date): Promise<StoredSnapshot> {
  if (period.kind === 'range') throw new AppError('PERIOD_KIND_NOT_CLOSABLE', { period: period.key });
  const scheme = await schemeInForce(db, period.fromDay);
  const from = closableFrom(period, scheme);
  if (now < from) throw new AppError('PERIOD_NOT_ENDED', { period: period.key, closableFrom: from.toISOString() });
  if (await readSnapshot(db, period.kind, period.key)) throw new AppError('PERIOD_ALREADY_CLOSED', { period: period.key });
  await registerKey(db, signer, now);
  const chains = await db.selectFrom('ledger_chain').select(['chain_id', 'head_seq', 'head_hash']).orderBy('chain_id').execute();
  const cutAt = new Date(now.getTime() - SETTLE_MS);
  const cut = { heads: chains.map((c) => ({ chainId: c.chain_id, seq: c.head_seq })), at: cutAt };
  const figures = await figuresAtCheckpoint(db, period, scheme, cut);
  const checkpoint: Checkpoint = {
    cutAt: cutAt.toISOString(),
    chains: chains.map((c) => ({ chainId: c.chain_id, seq: c.head_seq, hash: hex(c.head_hash) })),
    facts: await factDigests(db, period, cutAt),
  };
  const heldForReview = await heldAtCut(db, period, cut);
  const document: SnapshotDocument = { format: SNAPSHOT_FORMAT, ...figures, checkpoint, heldForReview, closedAt: now.toISOString(), closedBy };
  const text = JSON.stringify(document);
  const row = {
    id: uuidv7(),
    period_kind: period.kind,
    period_key: period.key,
    from_day: period.fromDay,
    to_day: period.toDay,
    scheme_version: scheme.version,
    cut_at: cutAt,
    document: text,
    digest: sm3(text),
    signature: sm2Sign(signer.privateKey, text),
    key_id: signer.keyId,
    closed_by: closedBy,
    closed_at: now,
  };
  try {
    await db.insertInto('score_snapshot').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('PERIOD_ALREADY_CLOSED', { period: period.key });
    throw error;
  }
  // The heads the snapshot was computed at, also as a ledger checkpoint that verify holds the ledger to.
  await writeCheckpoint(db, signer, { reason: 'period_close', at: now, heads: checkpoint.chains, always: true });
  await correctSettlingFlags(db, { id: row.id, fromDay: period.fromDay, toDay: period.toDay, cutAt }, now);
  return storedOf(row);
}

function storedOf(row: Selectable<ScoreSnapshotTable>): StoredSnapshot {
  return {
    id: row.id,
    periodKind: row.period_kind,
    periodKey: row.period_key,
    document: JSON.parse(row.document) as SnapshotDocument,
    digest: hex(row.digest),
    signature: Buffer.from(row.signature).toString('base64'),
    keyId: row.key_id,
    closedAt: row.closed_at,
  };
}

export async function readSnapshot(db: Kysely<DB>, kind: PeriodKind, key: string): Promise<StoredSnapshot | undefined> {
  const row = await db.selectFrom('score_snapshot').selectAll().where('period_kind', '=', kind).where('period_key', '=', key).executeTakeFirst();
  return row ? storedOf(row) : undefined;
}

export async function latestSnapshot(db: Kysely<DB>, kind: PeriodKind): Promise<StoredSnapshot | undefined> {
  const row = await db.selectFrom('score_snapshot').selectAll().where('period_kind', '=', kind).orderBy('from_day', 'desc').limit(1).executeTakeFirst();
  return row ? storedOf(row) : undefined;
}

export async function listSnapshots(db: Kysely<DB>): Promise<Array<Omit<StoredSnapshot, 'document'> & { fromDay: string; toDay: string; schemeVersion: string }>> {
  const rows = await db.selectFrom('score_snapshot').select(['id', 'period_kind', 'period_key', 'from_day', 'to_day', 'scheme_version', 'digest', 'signature', 'key_id', 'closed_at']).orderBy('from_day', 'desc').execute();
  return rows.map((r) => ({
    id: r.id, periodKind: r.period_kind, periodKey: r.period_key, fromDay: r.from_day, toDay: r.to_day, schemeVersion: r.scheme_version,
    digest: hex(r.digest), signature: Buffer.from(r.signature).toString('base64'), keyId: r.key_id, closedAt: r.closed_at,
  }));
}

function storedKeyIs(pem: string, trusted: KeyObject): boolean {
  try {
    return samePublicKey(createPublicKey(pem), trusted);
  } catch {
    return false;
  }
}

export interface SnapshotProblem {
  code: 'digest_mismatch' | 'signature_invalid' | 'unknown_key' | 'key_mismatch' | 'document_mismatch' | 'ledger_broken' | 'checkpoint_mismatch' | 'facts_changed' | 'scheme_changed' | 'figures_differ' | 'corrections_broken' | 'corrections_missing';
  detail: string;
}

export interface SnapshotVerification {
  snapshotId: string;
  period: string;
  ok: boolean;
  problems: SnapshotProblem[];
  unitsCompared: number;
}

/**
 * Check a published snapshot from the ledger alone. The signature is checked against `trustedKeys`
 * (key id → public key), which must come from outside the database (the configured key, or a file
 * an auditor holds): the key registered in the database at signing is only compared with it.
 */
export async function verifySnapshot(db: Kysely<DB>, kind: PeriodKind, key: string, trustedKeys: TrustedKeys): Promise<SnapshotVerification> {
  const row = await db.selectFrom('score_snapshot').selectAll().where('period_kind', '=', kind).where('period_key', '=', key).executeTakeFirst();
  if (!row) throw new AppError('SNAPSHOT_NOT_FOUND', { period: key });
  const problems: SnapshotProblem[] = [];
  const report = (unitsCompared: number): SnapshotVerification => ({ snapshotId: row.id, period: `${kind} ${key}`, ok: problems.length === 0, problems, unitsCompared });

  if (hex(sm3(row.document)) !== hex(row.digest)) problems.push({ code: 'digest_mismatch', detail: 'the stored document does not match its SM3 digest' });
  const trusted = trustedKeys.get(row.key_id);
  if (!trusted) {
    problems.push({ code: 'unknown_key', detail: `no trusted public key for key id ${row.key_id}: configure the signing key or give its public key (--public-key)` });
  } else {
    if (!sm2Verify(trusted, row.document, row.signature)) problems.push({ code: 'signature_invalid', detail: `the SM2 signature does not match the document under the trusted key ${row.key_id}` });
    const registered = await db.selectFrom('signing_key').select('public_key_pem').where('key_id', '=', row.key_id).executeTakeFirst();
    if (!registered || !storedKeyIs(registered.public_key_pem, trusted)) {
      problems.push({ code: 'key_mismatch', detail: `the public key stored in the database for key id ${row.key_id} is not the trusted one` });
    }
  }

  let document: SnapshotDocument;
  try {
    document = JSON.parse(row.document) as SnapshotDocument;
  } catch {
    problems.push({ code: 'document_mismatch', detail: 'the document is not JSON' });
    return report(0);
  }
  if (!SNAPSHOT_FORMATS.includes(document.format)) {
    problems.push({ code: 'document_mismatch', detail: `unknown document format ${String(document.format)}` });
    return report(0);
  }
  const period = parsePeriod(document.period?.key ?? '');
  if (!period || period.key !== row.period_key || period.kind !== row.period_kind || document.scheme?.version !== row.scheme_version) {
    problems.push({ code: 'document_mismatch', detail: 'the document names another period or scheme than its row' });
    return report(0);
  }

  for (const chain of document.checkpoint.chains) {
    const checked = await verifyChain(db, chain.chainId, chain.seq, Buffer.from(chain.hash, 'hex'), true);
    if (!checked.ok) problems.push({ code: 'ledger_broken', detail: `chain ${chain.chainId}: ${checked.firstBroken?.reason} at seq ${checked.firstBroken?.seq}` });
  }
  const chainsNow = await db.selectFrom('ledger_chain').select('chain_id').execute();
  const inCheckpoint = new Set(document.checkpoint.chains.map((c) => c.chainId));
  const newChains = chainsNow.filter((c) => !inCheckpoint.has(c.chain_id));
  if (newChains.length > 0) {
    const early = await db.selectFrom('evaluation').select('id').where('chain_id', 'in', newChains.map((c) => c.chain_id)).where('received_at', '<=', new Date(document.checkpoint.cutAt)).limit(1).execute();
    if (early.length > 0) problems.push({ code: 'checkpoint_mismatch', detail: 'a chain missing from the checkpoint holds evaluations received before the cut' });
  }

  const cutAt = new Date(document.checkpoint.cutAt);
  const facts = await factDigests(db, period, cutAt);
  for (const name of Object.keys(facts) as Array<keyof Checkpoint['facts']>) {
    const was = document.checkpoint.facts[name];
    const now = facts[name];
    if (was.count !== now.count || was.digest !== now.digest) problems.push({ code: 'facts_changed', detail: `${name}: ${was.count} at closing, ${now.count} now${was.digest !== now.digest ? ', content differs' : ''}` });
  }

  const scheme = await schemeByVersion(db, row.scheme_version);
  if (!scheme || JSON.stringify(scheme.definition) !== JSON.stringify(document.scheme.definition)) {
    problems.push({ code: 'scheme_changed', detail: `scheme ${row.scheme_version} differs from the one in the document` });
  }
  const recomputed = await figuresAtCheckpoint(db, period, { version: document.scheme.version, effectiveFrom: scheme?.effectiveFrom ?? '', definition: document.scheme.definition }, {
    heads: document.checkpoint.chains.map((c) => ({ chainId: c.chainId, seq: c.seq })),
    at: cutAt,
  }, roundingOf(document.format));
  const published = new Map(document.units.map((u) => [`${u.unitKind}:${u.unitId}`, JSON.stringify(u)]));
  const differing: string[] = [];
  for (const unit of recomputed.units) {
    const id = `${unit.unitKind}:${unit.unitId}`;
    if (published.get(id) !== JSON.stringify(unit)) differing.push(`${unit.name} (${id})`);
    published.delete(id);
  }
  differing.push(...[...published.keys()].map((id) => `${id} (not recomputed)`));
  if (differing.length > 0) problems.push({ code: 'figures_differ', detail: `${differing.length} units differ, e.g. ${differing.slice(0, 5).join('; ')}` });
  if (JSON.stringify(recomputed.rankings) !== JSON.stringify(document.rankings)) problems.push({ code: 'figures_differ', detail: 'the rankings differ' });
  if (document.heldForReview !== undefined) {
    const held = await heldAtCut(db, period, { heads: document.checkpoint.chains.map((c) => ({ chainId: c.chainId, seq: c.seq })), at: cutAt });
    if (JSON.stringify(held) !== JSON.stringify(document.heldForReview)) problems.push({ code: 'figures_differ', detail: 'the ratings held for review at the cut differ' });
  }
  const corrections = await correctionsOf(db, row.id);
  for (const detail of correctionChainProblems(row.id, corrections)) problems.push({ code: 'corrections_broken', detail });
  const missing = await missingCorrections(db, { id: row.id, fromDay: period.fromDay, toDay: period.toDay, cutAt }, corrections);
  if (missing.length > 0) problems.push({ code: 'corrections_missing', detail: `${missing.length} evaluations changed standing after the close without a correction, e.g. ${missing.slice(0, 3).join(', ')}` });
  return report(recomputed.units.length);
}

