// Scoring benchmark: `npm run bench:scoring`. For each engine it loads BENCH_EVALUATIONS evaluations
// (default 10,000,000) over a year into a fresh database (bench/scoring-data.ts), rebuilds the live
// tallies from the ledger, then measures, against the maintained tallies:
//   - the rankings of a month (prefectures, counties, provincial departments, with all figures),
//   - the rankings of a year,
//   - a prefecture's and an org's dashboard for a month (figures, channels, daily trend),
//   - an org's live score ledger (latest 50 changes traced to their facts),
// each BENCH_ITERATIONS times (p50 / p95); then the same month's prefecture ranking computed by a
// plain GROUP BY over the evaluation ledger, closing the month (signed snapshot from the ledger
// alone) and verifying it. Prints a table per engine and writes bench/results/scoring-<engine>.json.
//
// Knobs: BENCH_ENGINES (pglite,postgres), BENCH_EVALUATIONS (10000000), BENCH_ITERATIONS (50),
// BENCH_VERIFY (1; 0 skips verify-snapshot, which re-hashes every chain from its first row),
// BENCH_REBUILD (1; 0 keeps the tallies a reused database got from an earlier run), BENCH_WARMUP
// (3 untimed runs of each read before its timed ones),
// DATABASE_URL (the PostgreSQL server; default the local one). Loading 10 million evaluations takes
// a while (about 25 min on PostgreSQL here); BENCH_REUSE_POSTGRES (a database URL) and
// BENCH_REUSE_PGLITE (a data folder) measure a database loaded earlier instead, by
//   tsx bench/scoring-data.ts --engine <engine> --evaluations N --from 2025-12-01 --to 2026-11-30 --seed 2026 --keep
// (the same data the bench loads); it must hold exactly BENCH_EVALUATIONS evaluations, is left in
// place, and the month closed is the first of 2026-06 … 2026-10 not closed yet.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { trustedKeysOf } from '../src/crypto/signing-key.ts';
import { generateSm2KeyPair } from '../src/crypto/sm.ts';
import { openDatabase, type Database, type Engine } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { scoreChanges } from '../src/scoring/changes.ts';
import { liveFigures, unitDashboard } from '../src/scoring/live.ts';
import { parsePeriod, type Period } from '../src/scoring/periods.ts';
import { rebuildTallies } from '../src/scoring/rebuild.ts';
import { rankUnits } from '../src/scoring/ranking.ts';
import { schemeInForce } from '../src/scoring/schemes.ts';
import { closePeriod, verifySnapshot } from '../src/scoring/snapshots.ts';
import { unitFigures } from '../src/scoring/figures.ts';
import { emptyTally, type TallyCounts } from '../src/scoring/tally.ts';
import { generateScoringData } from './scoring-data.ts';
import { dropDatabase, withDatabase } from '../test/server-database.ts';

const env = process.env;
const ENGINES = (env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((e) => e.trim()) as Engine[];
const EVALUATIONS = Number(env.BENCH_EVALUATIONS ?? 10_000_000);
const ITERATIONS = Number(env.BENCH_ITERATIONS ?? 50);
const VERIFY = env.BENCH_VERIFY !== '0';
const REBUILD = env.BENCH_REBUILD !== '0';
const WARMUP = Number(env.BENCH_WARMUP ?? 3);
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';
const RESULTS_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
const FROM_DAY = '2025-12-01';
const TO_DAY = '2026-11-30';
const MONTH = parsePeriod('2026-06') as Period;
const CLOSABLE_MONTHS = ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10'].map((key) => parsePeriod(key) as Period);
const YEAR = parsePeriod('2026') as Period;
const CURRENT_MONTH = parsePeriod('2026-11') as Period;
// Closing needs the month's closing delay passed; the bench closes "now" = after the data.
const CLOSE_AT = new Date('2026-12-25T00:00:00Z');

interface Row {
  measure: string;
  /** Held to the target (p95 ≤ 50 ms on PostgreSQL): the reads of the maintained tallies. */
  judged?: boolean;
  p50Ms: number;
  p95Ms: number;
  runs: number;
  note: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** `runs` timed runs after WARMUP untimed ones (the served pages' steady state: their data in the caches). */
async function timed<T>(runs: number, work: () => Promise<T>, warmup = WARMUP): Promise<{ p50: number; p95: number; last: T }> {
  const times: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < warmup; i++) await work();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await work();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p95: at(0.95), last: last as T };
}

/** A database loaded earlier (BENCH_REUSE_<ENGINE>), or none. */
async function reusedDatabase(engine: Engine): Promise<{ database: Database; drop: () => Promise<void>; where: string } | null> {
  const location = engine === 'pglite' ? env.BENCH_REUSE_PGLITE : env.BENCH_REUSE_POSTGRES;
  if (!location) return null;
  const database = await openDatabase(engine === 'pglite' ? { pgliteDir: location } : { url: location, poolSize: 8 });
  return { database, drop: () => database.close(), where: engine === 'pglite' ? location : new URL(location).pathname.slice(1) };
}

async function freshDatabase(engine: Engine): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'hcp_bench_scoring_'));
    const database = await openDatabase({ pgliteDir: dir });
    return { database, drop: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const base = env.DATABASE_URL || LOCAL_URL;
  const name = `hcp_bench_scoring_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try { await client.query(statement); } finally { await client.end(); }
  };
  await admin(`CREATE DATABASE ${name}`);
  const database = await openDatabase({ url: withDatabase(base, name), poolSize: 8 });
  return { database, drop: async () => { await database.close(); await dropDatabase(base, name); } };
}

/** The month's prefecture ranking the naive way: one GROUP BY over the evaluation ledger. */
async function plainGroupByRanking(database: Database, period: Period) {
  const scheme = await schemeInForce(database.db, period.fromDay);
  const rows = await sql<{ prefecture: string; level: number; is_default: boolean; n: number }>`
    SELECT split_part(r.path, '/', 2) AS prefecture, e.level, e.is_default, count(*)::int8 AS n
    FROM evaluation e JOIN region r ON r.code = e.region_code
    WHERE e.assessed_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date
      AND NOT EXISTS (SELECT 1 FROM evaluation_event x WHERE x.evaluation_id = e.id AND x.kind = 'appeal_upheld')
    GROUP BY 1, 2, 3`.execute(database.db);
  const counts = new Map<string, TallyCounts>();
  for (const r of rows.rows) {
    const c = counts.get(r.prefecture) ?? emptyTally();
    c[`${r.is_default ? 'default' : 'active'}_${r.level}` as keyof TallyCounts] += r.n;
    counts.set(r.prefecture, c);
  }
  return rankUnits([...counts].map(([id, c]) => ({ unitId: id, name: id, figures: unitFigures(c, 0, scheme.definition) })), scheme.definition.minimumVolume);
}

async function benchEngine(engine: Engine): Promise<{ rows: Row[]; reused: string | null }> {
  const reused = await reusedDatabase(engine);
  const { database, drop } = reused ?? (await freshDatabase(engine));
  const rows: Row[] = [];
  const once = (measure: string, ms: number, note: string) => rows.push({ measure, p50Ms: ms, p95Ms: ms, runs: 1, note });
  try {
    await migrateToLatest(database.db);
    let t = performance.now();
    if (reused) {
      const held = await sql<{ evaluations: number; tickets: number }>`SELECT (SELECT count(*) FROM evaluation)::int8 AS evaluations, (SELECT count(*) FROM ticket)::int8 AS tickets`.execute(database.db);
      const { evaluations, tickets } = held.rows[0] ?? { evaluations: 0, tickets: 0 };
      if (evaluations !== EVALUATIONS) throw new Error(`${reused.where} holds ${fmt(evaluations)} evaluations, not BENCH_EVALUATIONS = ${fmt(EVALUATIONS)}`);
      console.log(`  reusing ${reused.where}: ${fmt(evaluations)} evaluations, ${fmt(tickets)} tickets (loaded earlier; see its load log)`);
    } else {
      const data = await generateScoringData(database.db, { evaluations: EVALUATIONS, seed: 2026, fromDay: FROM_DAY, toDay: TO_DAY, engine, raw: database.raw, log: (line) => console.log(`  ${line}`) });
      once('load the ledger (COPY, bench/scoring-data.ts)', performance.now() - t, `${fmt(data.evaluations)} evaluations, ${fmt(data.tickets)} tickets`);
    }
    const say = (line: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
    if (REBUILD || !reused) {
      say('rebuilding the tallies …');
      t = performance.now();
      const rebuilt = await rebuildTallies(database.db, (name, ms) => say(`  ${name}: ${(ms / 1000).toFixed(1)} s`));
      once('rebuild the live tallies from the ledger', performance.now() - t, `${fmt(rebuilt.tallyRows)} unit-days`);
      // What autovacuum does after such a rewrite (off on this machine's server): dead rows gone, visibility maps set.
      t = performance.now();
      await sql`VACUUM ANALYZE score_tally, score_tally_month, score_channel_tally, ticket`.execute(database.db);
      // The rebuild's writes flushed now, not by the checkpointer in the middle of the measurements.
      await sql`CHECKPOINT`.execute(database.db);
      say(`  vacuum: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } else {
      const held = await database.db.selectFrom('score_feed_cursor').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      if (Number(held.n) === 0) throw new Error('BENCH_REBUILD=0, but the tallies of this database were never rebuilt');
      say('tallies kept from an earlier rebuild (BENCH_REBUILD=0)');
    }
    const now = new Date('2026-12-01T00:00:00Z');

    say('measuring rankings, dashboards and the live ledger …');
    const month = await timed(ITERATIONS, () => liveFigures(database.db, MONTH, now));
    const units = month.last.units.length;
    rows.push({ judged: true, measure: `rankings of ${MONTH.key} (3 classes: every region, provincial departments)`, p50Ms: month.p50, p95Ms: month.p95, runs: ITERATIONS, note: `${units} units` });
    const year = await timed(ITERATIONS, () => liveFigures(database.db, YEAR, now));
    rows.push({ judged: true, measure: `rankings of ${YEAR.key}`, p50Ms: year.p50, p95Ms: year.p95, runs: ITERATIONS, note: '' });
    const prefecture = await timed(ITERATIONS, () => unitDashboard(database.db, 'region', '510100', MONTH, now));
    rows.push({ judged: true, measure: 'dashboard of a prefecture (成都市), one month', p50Ms: prefecture.p50, p95Ms: prefecture.p95, runs: ITERATIONS, note: `${fmt(prefecture.last.figures.evaluations)} evaluations` });
    const busiest = await database.db.selectFrom('score_tally').select(['unit_id', sql<number>`sum(active_5 + active_4)::int8`.as('n')]).where('unit_kind', '=', 'org').groupBy('unit_id').orderBy('n', 'desc').limit(1).executeTakeFirstOrThrow();
    const org = await timed(ITERATIONS, () => unitDashboard(database.db, 'org', busiest.unit_id, MONTH, now));
    rows.push({ judged: true, measure: 'dashboard of the busiest org, one month', p50Ms: org.p50, p95Ms: org.p95, runs: ITERATIONS, note: `${fmt(org.last.figures.evaluations)} evaluations` });
    // The live ledger is read for the running period: the latest month of the data.
    const ledger = await timed(ITERATIONS, () => scoreChanges(database.db, 'org', busiest.unit_id, CURRENT_MONTH, 50));
    rows.push({ judged: true, measure: `live score ledger of that org, ${CURRENT_MONTH.key} (50 latest changes)`, p50Ms: ledger.p50, p95Ms: ledger.p95, runs: ITERATIONS, note: '' });

    say('the plain GROUP BY, then closing and verifying a month …');
    const plain = await timed(3, () => plainGroupByRanking(database, MONTH), 0);
    rows.push({ measure: `same prefecture ranking by GROUP BY over the ledger`, p50Ms: plain.p50, p95Ms: plain.p95, runs: 3, note: `${plain.last.ranked.length} ranked` });

    // A key of its own each run (a reused database keeps the keys registered by earlier runs).
    const signer = { keyId: `bench-${randomBytes(4).toString('hex')}`, privateKey: generateSm2KeyPair().privateKey };
    const closed = new Set((await database.db.selectFrom('score_snapshot').select('period_key').where('period_kind', '=', 'month').execute()).map((r) => r.period_key));
    const toClose = CLOSABLE_MONTHS.find((m) => !closed.has(m.key));
    if (!toClose) throw new Error('every month the bench closes is closed already in this database');
    t = performance.now();
    const snapshot = await closePeriod(database.db, signer, toClose, 'bench', CLOSE_AT);
    once(`close ${toClose.key} (figures from the ledger alone, signed)`, performance.now() - t, `${snapshot.document.units.length} units`);
    if (!VERIFY) return { rows, reused: reused?.where ?? null };
    say(`verifying ${toClose.key} …`);
    t = performance.now();
    const verified = await verifySnapshot(database.db, 'month', toClose.key, trustedKeysOf(signer));
    once(`verify-snapshot ${toClose.key} (chains, digests, every figure)`, performance.now() - t, verified.ok ? 'verified' : `NOT verified: ${verified.problems.map((p) => p.code).join(', ')}`);
    if (!verified.ok) process.exitCode = 1;
    return { rows, reused: reused?.where ?? null };
  } finally {
    await drop();
  }
}

function printTable(engine: Engine, rows: Row[]): void {
  console.log(`\n${engine === 'postgres' ? 'PostgreSQL' : 'PGlite'} — ${fmt(EVALUATIONS)} evaluations`);
  console.log(`| measure | p50 | p95 | runs | note |`);
  console.log(`|---|---:|---:|---:|---|`);
  for (const r of rows) console.log(`| ${r.measure} | ${r.p50Ms.toFixed(1)} ms | ${r.p95Ms.toFixed(1)} ms | ${r.runs} | ${r.note} |`);
  if (engine === 'postgres') {
    const live = rows.filter((r) => r.judged === true);
    const worst = Math.max(...live.map((r) => r.p95Ms));
    console.log(`target p95 ≤ 50 ms for rankings, dashboards and the live ledger: ${worst <= 50 ? 'PASS' : 'FAIL'} (worst ${worst.toFixed(1)} ms)`);
  }
}

for (const engine of ENGINES) {
  console.log(`scoring benchmark on ${engine}, ${fmt(EVALUATIONS)} evaluations …`);
  const { rows, reused } = await benchEngine(engine);
  printTable(engine, rows);
  if (reused) console.log(`(measured on ${reused}, loaded earlier by bench/scoring-data.ts)`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `scoring-${engine}.json`), JSON.stringify({ engine, evaluations: EVALUATIONS, iterations: ITERATIONS, at: new Date().toISOString(), reused, rows }, null, 2));
}
