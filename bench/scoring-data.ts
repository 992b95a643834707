// Data for the scoring benchmark: a realistic Sichuan province (the demo's planning: all 21
// prefectures and their counties, provincial and county departments, halls, items, windows, staff)
// and then exactly N evaluations spread over the days, written as fast as the engine allows,
// consistently with what the running system writes:
//   service cases and their stages; a stage_completion row for every completed stage (about 20 %
//   of completed stages stay without an active rating); evaluations hash-chained as intake chains
//   them (receipt order, ledger_chain heads set) with their evaluation_slot rows; for every bad
//   evaluation a ticket whose columns are the fold of the ticket_event rows written with it (and a
//   pending watch job while it is open); appeal_upheld evaluation events. Score tallies are NOT
//   written (the scoring rebuild makes them); evaluation_counter only when asked (counters: true).
//
// The rows are planned in parts, one per ledger chain (2 by default), each with its share of the
// days (bench/scoring-data-plan.ts), in worker threads (2 on PostgreSQL, 1 on PGlite, whose database
// runs in this thread), and written by COPY in chunks of about 100,000 rows, one transaction per
// chunk: pg-copy-streams on PostgreSQL (a connection per thread), COPY FROM '/dev/blob' on PGlite.
// The planners go on with the next chunks while the database takes the last ones. A seed gives the
// same data on both engines. No index is added or dropped; triggers are off for the load (see
// skipTriggers).
//
// Not generated: personal data (applicants' and raters' sealed data and lookups stay NULL, so
// replies are not texted and callbacks are made by phone), intake_key rows, notifications and
// outbound messages.
//
// Try it: tsx bench/scoring-data.ts --engine postgres --evaluations 1000000 [--keep] [--verify]
// (options: --engine pglite|postgres, --evaluations N, --seed N, --from YYYY-MM-DD, --to YYYY-MM-DD,
// --chains N, --planners N, --in-process, --counters, --with-triggers, --keep, --verify;
// PostgreSQL at DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test's server).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { recomputeCounters } from '../src/aggregates/counters.ts';
import { seedSichuanRegions } from '../src/catalog/regions.ts';
import { loadConfig, type Config } from '../src/config/config.ts';
import { openDatabase, type Database, type Engine } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { DB } from '../src/db/schema.ts';
import { loadIndicatorCatalogue } from '../src/evaluations/indicators.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { ScoringDataPlan, TABLE_COLUMNS, TABLE_ORDER, type Chunk, type PlanSettings, type PlanSummary, type RegionInfo, type TableName } from './scoring-data-plan.ts';
import { dropDatabase, redact, withDatabase } from '../test/server-database.ts';
import { cpuSnapshot, type CpuSnapshot } from './cpu.ts';
import type { Ack, WorkerInput, WorkerMessage } from './scoring-data-worker.ts';

export { BENCH_SOURCE_APP } from './scoring-data-plan.ts';
export type { PlanSummary } from './scoring-data-plan.ts';

export interface ScoringDataOptions {
  evaluations: number;
  seed: number;
  /** Beijing days, inclusive: 'YYYY-MM-DD'. */
  fromDay: string;
  toDay: string;
  engine: Engine;
  /** The engine's own client (Database['raw'] of the database `db` belongs to): COPY is not reachable through Kysely. */
  raw: Database['raw'];
  log?: (line: string) => void;
  /** Ledger chains (as intake writer lanes make them), one per part of the days. Default 2 on both engines, so that a seed gives the same data on both. */
  chains?: number;
  /**
   * Planner threads side by side, each planning its parts of the days (at most one per chain).
   * Default: 2 on PostgreSQL (a connection each), 1 on PGlite (whose database runs in this thread:
   * one worker and PGlite already keep two cores busy).
   */
  planners?: number;
  /** Plan in worker threads beside the writes (default), or in this thread, part after part (slower; for debugging). */
  worker?: boolean;
  /** Rows per chunk (one COPY per table and one transaction per chunk). Default 100,000. */
  chunkRows?: number;
  /** Rebuild evaluation_counter from the ledger afterwards (recomputeCounters), as intake would have kept it. Default false: it is not what the scoring reads, and takes a while. */
  counters?: boolean;
  /** Load with triggers off (no per-row foreign-key checks, no kiosk NOTIFY); see skipTriggers. Default true. */
  skipTriggers?: boolean;
  /** Rules and ticket deadlines to plan with. Default: the configuration's defaults. */
  config?: Config;
  /** Check each row's canonical text against src/ledger/canonical.ts canonicalRecord (slower; tests). */
  checkCanonical?: boolean;
}

export interface ScoringDataResult {
  evaluations: number;
  stages: number;
  tickets: number;
  seconds: number;
  /** Rows written, per table. */
  rows: Record<string, number>;
  /** Seconds per phase: preparing, planning + writing the rows, ledger heads, counters, VACUUM ANALYZE. */
  phases: { prepare: number; write: number; ledger: number; counters: number; analyze: number };
  /** Peak resident memory of this process (worker included) while writing, in MB. */
  peakRssMb: number;
  /**
   * CPU while planning and writing, in CPU-seconds (Linux /proc; zeros elsewhere): this process
   * (main thread, worker, PGlite), the PostgreSQL backend taking the COPYs, every postgres process
   * on this machine (background writers, and other users' work), and the whole machine busy.
   */
  cpu: { wallSeconds: number; planners: number; thisProcess: number; backend: number; postgres: number; machineBusy: number; cores: number };
  summary: PlanSummary;
}

const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Writing a chunk

interface Writer {
  write(chunk: Chunk): Promise<void>;
  /** The PostgreSQL backend's process id (for its CPU time), when the server runs on this machine. */
  backendPid: number | null;
  close(): Promise<void>;
}

const copyColumns = (table: TableName) => TABLE_COLUMNS[table].join(', ');

/**
 * Triggers off for this session (session_replication_role = replica, as pg_restore
 * --disable-triggers loads): no foreign-key check per row (the plan makes every reference by
 * construction; bench/scoring-data.test.ts checks them all) and no kiosk NOTIFY per completed stage
 * (an announcement of a live completion, meaningless for history). Needs a superuser (or, on
 * PostgreSQL ≥ 15, SET granted on the parameter); without it the load runs with its triggers.
 */
async function skipTriggers(run: (statement: string) => Promise<unknown>, log: (line: string) => void): Promise<boolean> {
  try {
    await run('SET session_replication_role = replica');
    return true;
  } catch (error) {
    log(`  (cannot skip triggers: ${(error as Error).message}; loading with foreign-key checks and triggers)`);
    return false;
  }
}

async function openWriter(raw: Database['raw'], withoutTriggers: boolean, log: (line: string) => void): Promise<Writer> {
  if (raw.engine === 'postgres') {
    const client = await raw.pool.connect();
    // Commits need not wait for the WAL flush: a crash only loses a benchmark's data, made again by re-running.
    await client.query('SET synchronous_commit = off');
    const skipped = withoutTriggers && (await skipTriggers((statement) => client.query(statement), log));
    const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? null;
    return {
      backendPid,
      async write(chunk) {
        await client.query('BEGIN');
        try {
          for (const t of chunk.tables) {
            const data = Buffer.from(t.text.buffer, t.text.byteOffset, t.text.byteLength);
            await pipeline(Readable.from([data]), client.query(copyFrom(`COPY ${t.table} (${copyColumns(t.table)}) FROM STDIN`)));
          }
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      },
      async close() {
        await client.query('RESET synchronous_commit').catch(() => undefined);
        if (skipped) await client.query('RESET session_replication_role').catch(() => undefined);
        client.release();
      },
    };
  }
  const pglite = raw.pglite;
  // PGlite is one session, shared with Kysely: the setting is reset when the writer closes.
  const skipped = withoutTriggers && (await skipTriggers((statement) => pglite.exec(statement), log));
  // Several planners share the one session: their chunks are written one after the other.
  let turn: Promise<unknown> = Promise.resolve();
  return {
    backendPid: null,
    write(chunk) {
      const written = turn.then(() =>
        pglite.transaction(async (tx) => {
          for (const t of chunk.tables) await tx.query(`COPY ${t.table} (${copyColumns(t.table)}) FROM '/dev/blob'`, [], { blob: new Blob([t.text]) });
        }),
      );
      turn = written.catch(() => undefined);
      return written.then(() => undefined);
    },
    async close() {
      if (skipped) await pglite.exec('RESET session_replication_role');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Planning: in a worker thread, or here

/** The worker runs TypeScript through tsx's loader, registered inside the worker (also under vitest). */
function workerBootstrap(): string {
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const script = new URL('./scoring-data-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })
    .catch((error) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', message: String(error && error.stack || error) }); });`;
}

async function* plannedInWorker(input: WorkerInput): AsyncGenerator<Chunk, PlanSummary[]> {
  // A large young generation: most of what the plan allocates dies young (fewer promotions, less GC).
  const worker = new Worker(workerBootstrap(), { eval: true, workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
  const queue: Array<WorkerMessage | { type: 'exit'; code: number } | { type: 'failed'; error: Error }> = [];
  let wake: (() => void) | null = null;
  const push = (item: (typeof queue)[number]) => {
    queue.push(item);
    wake?.();
    wake = null;
  };
  worker.on('message', (message: WorkerMessage) => push(message));
  worker.on('error', (error) => push({ type: 'failed', error }));
  worker.on('exit', (code) => push({ type: 'exit', code }));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const item = queue.shift();
      if (!item) continue;
      switch (item.type) {
        case 'chunk': {
          yield item.chunk;
          // Written: the buffers go back to the worker for the next chunks.
          const buffers = item.chunk.tables.map((t) => t.text.buffer);
          worker.postMessage({ type: 'ack', buffers } satisfies Ack, buffers);
          break;
        }
        case 'done':
          return item.summaries.map((summary, i) => (i === 0 ? { ...summary, plannerWaitedSeconds: item.waitedSeconds } : summary));
        case 'error':
          throw new Error(`scoring data worker: ${item.message}`);
        case 'failed':
          throw item.error;
        case 'exit':
          throw new Error(`scoring data worker exited (${item.code}) before it was done`);
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

async function* plannedHere(input: WorkerInput): AsyncGenerator<Chunk, PlanSummary[]> {
  const summaries: PlanSummary[] = [];
  for (const index of input.parts) summaries.push(yield* new ScoringDataPlan({ ...input.settings, part: { index, count: input.count } }).chunks());
  return summaries;
}

// ---------------------------------------------------------------------------------------------
// The generator

/** CPU snapshots, one per writer (its backend's CPU; the process and machine figures are the same in each). */
function cpuSnapshots(writers: readonly Writer[]): CpuSnapshot[] {
  return writers.map((w) => cpuSnapshot([w.backendPid ?? -1]));
}

/** The parts' summaries added up. */
function mergeSummaries(parts: readonly PlanSummary[]): PlanSummary {
  const [head, ...rest] = parts;
  if (!head) throw new Error('no plan summary');
  const merged: PlanSummary = { ...head, ticketStates: { ...head.ticketStates }, levels: { ...head.levels }, channels: { ...head.channels }, chains: [...head.chains] };
  const addAll = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
  };
  for (const p of rest) {
    for (const key of ['evaluations', 'firstRatings', 'followUps', 'systemDefaults', 'cases', 'stages', 'stagesCompleted', 'stagesUnrated', 'tickets', 'ticketEvents', 'evaluationEvents', 'scheduledJobs'] as const) merged[key] += p[key];
    addAll(merged.ticketStates, p.ticketStates);
    addAll(merged.levels, p.levels);
    addAll(merged.channels, p.channels);
    merged.chains.push(...p.chains);
    if (p.plannerWaitedSeconds !== undefined) merged.plannerWaitedSeconds = (merged.plannerWaitedSeconds ?? 0) + p.plannerWaitedSeconds;
  }
  merged.chains.sort((a, b) => a.chainId - b.chainId);
  return merged;
}

async function assertEmpty(db: Kysely<DB>): Promise<void> {
  const row = await sql<{ orgs: number; cases: number; evaluations: number; chains: number }>`
    SELECT (SELECT count(*) FROM org)::int8 AS orgs, (SELECT count(*) FROM service_case)::int8 AS cases,
      (SELECT count(*) FROM evaluation)::int8 AS evaluations, (SELECT count(*) FROM ledger_chain)::int8 AS chains`.execute(db);
  const counts = row.rows[0];
  if (!counts || counts.orgs + counts.cases + counts.evaluations + counts.chains > 0) {
    throw new Error(`generateScoringData needs a freshly migrated, empty database (found ${JSON.stringify(counts)})`);
  }
}

/** What the plan needs from the database and the options (the regions are seeded if missing). */
export async function scoringPlanSettings(db: Kysely<DB>, options: Pick<ScoringDataOptions, 'evaluations' | 'seed' | 'fromDay' | 'toDay' | 'engine' | 'chains' | 'chunkRows' | 'config' | 'checkCanonical'>): Promise<PlanSettings> {
  const config = options.config ?? loadConfig({});
  await seedSichuanRegions(db);
  const regions: RegionInfo[] = await db.selectFrom('region').select(['code', 'name', 'level', 'parent_code', 'path']).where('level', '<=', 3).orderBy('code').execute();
  const catalogue = await loadIndicatorCatalogue(db);
  return {
    evaluations: options.evaluations,
    seed: options.seed,
    fromDay: options.fromDay,
    toDay: options.toDay,
    chains: options.chains ?? 2,
    regions,
    indicatorVersion: catalogue.current,
    indicators: [...(catalogue.versions.get(catalogue.current)?.values() ?? [])],
    tickets: config.tickets,
    ratingWindowDays: config.rules.ratingWindowDays,
    systemDefault: { level: config.rules.systemDefault.level, afterDays: config.rules.systemDefault.afterDays },
    chunkRows: options.chunkRows ?? 100_000,
    checkCanonical: options.checkCanonical === true,
  };
}

/**
 * Fill a freshly migrated, empty database with the province and `evaluations` evaluations over
 * fromDay … toDay (Beijing days). Deterministic for a seed (ids, hashes and all) apart from timing.
 */
export async function generateScoringData(db: Kysely<DB>, options: ScoringDataOptions): Promise<ScoringDataResult> {
  const began = performance.now();
  const log = options.log ?? (() => undefined);
  if (options.raw.engine !== options.engine) throw new Error(`engine ${options.engine} but the raw client is ${options.raw.engine}`);
  await assertEmpty(db);
  const settings = await scoringPlanSettings(db, options);
  const prepareSeconds = (performance.now() - began) / 1000;

  // Plan and write. The days are split in one part per chain (each part plans its share of the
  // days onto its chain, with a random stream of its own), whatever the engine, so that a seed
  // gives the same data on both. The parts are shared out among the planner threads; each thread
  // streams its chunks to a writer of its own (its own connection on PostgreSQL; PGlite's one
  // session takes them in turn).
  let t = performance.now();
  const parts = settings.chains;
  const planners = Math.max(1, Math.min(options.planners ?? (options.engine === 'postgres' ? 2 : 1), parts));
  const rows: Record<string, number> = Object.fromEntries(TABLE_ORDER.map((table) => [table, 0]));
  let peakRss = process.memoryUsage().rss;
  const withoutTriggers = options.skipTriggers !== false;
  const writers: Writer[] = [];
  const summaries: PlanSummary[] = [];
  let cpuBefore: CpuSnapshot[] = [];
  try {
    if (options.raw.engine === 'postgres') {
      for (let i = 0; i < planners; i++) writers.push(await openWriter(options.raw, withoutTriggers, log));
    } else {
      writers.push(await openWriter(options.raw, withoutTriggers, log));
    }
    cpuBefore = cpuSnapshots(writers);
    let lastLog = performance.now();
    const progress = (day: string) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (performance.now() - lastLog < 10_000) return;
      lastLog = performance.now();
      const seconds = (performance.now() - t) / 1000;
      const total = Object.values(rows).reduce((a, b) => a + b, 0);
      log(`  ${day}: ${(rows.evaluation ?? 0).toLocaleString('en-US')} evaluations, ${total.toLocaleString('en-US')} rows in ${seconds.toFixed(0)} s (${Math.round(total / seconds).toLocaleString('en-US')} rows/s), rss ${Math.round(process.memoryUsage().rss / MB)} MB`);
    };
    let failed = false;
    const consume = async (thread: number) => {
      const input: WorkerInput = { settings, parts: Array.from({ length: parts }, (_, i) => i).filter((i) => i % planners === thread), count: parts };
      const chunks = options.worker === false ? plannedHere(input) : plannedInWorker(input);
      const writer = writers[thread % writers.length] as Writer;
      try {
        for (;;) {
          if (failed) return;
          const next = await chunks.next();
          if (next.done) {
            summaries.push(...next.value);
            return;
          }
          await writer.write(next.value);
          for (const table of next.value.tables) rows[table.table] = (rows[table.table] ?? 0) + table.rows;
          progress(next.value.day);
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        await chunks.return?.(undefined as never).catch(() => undefined);
      }
    };
    if (options.worker === false) {
      for (let i = 0; i < planners; i++) await consume(i);
    } else {
      const outcomes = await Promise.allSettled(Array.from({ length: planners }, (_, i) => consume(i)));
      const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (rejected) throw rejected.reason;
    }
  } finally {
    for (const writer of writers) await writer.close();
  }
  if (summaries.length !== parts) throw new Error('a plan ended without a summary');
  const summary = mergeSummaries(summaries);
  if (summary.evaluations !== options.evaluations) log(`  (planned ${summary.evaluations} evaluations, not ${options.evaluations}: the period is too short for them)`);
  const writeSeconds = (performance.now() - t) / 1000;
  const cpuAfter = cpuSnapshots(writers);
  const sum = (snapshots: CpuSnapshot[], f: (c: CpuSnapshot) => number) => snapshots.reduce((a, c) => a + f(c), 0);
  const first = (snapshots: CpuSnapshot[]) => snapshots[0] ?? { at: 0, selfUs: 0, serverSeconds: 0, postgresSeconds: 0, machineBusySeconds: 0 };
  const cpu = {
    wallSeconds: writeSeconds,
    planners,
    thisProcess: (first(cpuAfter).selfUs - first(cpuBefore).selfUs) / 1e6,
    backend: sum(cpuAfter, (c) => c.serverSeconds) - sum(cpuBefore, (c) => c.serverSeconds),
    postgres: first(cpuAfter).postgresSeconds - first(cpuBefore).postgresSeconds,
    machineBusy: first(cpuAfter).machineBusySeconds - first(cpuBefore).machineBusySeconds,
    cores: cpus().length,
  };

  // Chain heads, as the intake writer leaves them (no lease held).
  t = performance.now();
  const createdAt = new Date(Date.parse(`${options.fromDay}T00:00:00+08:00`));
  for (const chain of summary.chains) {
    await db.insertInto('ledger_chain').values({ chain_id: chain.chainId, head_seq: chain.headSeq, head_hash: Buffer.from(chain.headHash), created_at: createdAt, lease_owner: null, lease_until: null }).execute();
  }
  const ledgerSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  if (options.counters === true) await recomputeCounters(db);
  const counterSeconds = (performance.now() - t) / 1000;

  // Fresh statistics, so that what runs next (the scoring rebuild) is planned on the real sizes, and
  // visibility maps set (index-only scans), as autovacuum would leave them after a load (the server
  // of this machine runs with autovacuum off).
  t = performance.now();
  await sql.raw(`VACUUM ANALYZE ${TABLE_ORDER.join(', ')}, ledger_chain, evaluation_counter`).execute(db);
  const analyzeSeconds = (performance.now() - t) / 1000;

  const seconds = (performance.now() - began) / 1000;
  return {
    evaluations: summary.evaluations,
    stages: summary.stages,
    tickets: summary.tickets,
    seconds,
    rows,
    phases: { prepare: prepareSeconds, write: writeSeconds, ledger: ledgerSeconds, counters: counterSeconds, analyze: analyzeSeconds },
    peakRssMb: Math.round(peakRss / MB),
    cpu,
    summary,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI: tsx bench/scoring-data.ts --engine postgres --evaluations 1000000

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';

interface CliOptions {
  engine: Engine;
  evaluations: number;
  seed: number;
  fromDay: string;
  toDay: string;
  chains: number | undefined;
  planners: number | undefined;
  worker: boolean;
  counters: boolean;
  triggers: boolean;
  keep: boolean;
  verify: boolean;
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { engine: 'postgres', evaluations: 1_000_000, seed: 2026, fromDay: '2025-11-01', toDay: '2026-10-31', chains: undefined, planners: undefined, worker: true, counters: false, triggers: false, keep: false, verify: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--engine': {
        const engine = value();
        if (engine !== 'postgres' && engine !== 'pglite') throw new Error(`--engine postgres|pglite, not ${engine}`);
        options.engine = engine;
        break;
      }
      case '--evaluations':
        options.evaluations = Number(value().replaceAll('_', ''));
        break;
      case '--seed':
        options.seed = Number(value());
        break;
      case '--from':
        options.fromDay = value();
        break;
      case '--to':
        options.toDay = value();
        break;
      case '--chains':
        options.chains = Number(value());
        break;
      case '--planners':
        options.planners = Number(value());
        break;
      case '--in-process':
        options.worker = false;
        break;
      case '--counters':
        options.counters = true;
        break;
      case '--with-triggers':
        options.triggers = true;
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--verify':
        options.verify = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}; see the head of bench/scoring-data.ts`);
    }
  }
  return options;
}



async function admin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  let database: Database;
  let where: string;
  let cleanup: () => Promise<void>;
  if (cli.engine === 'postgres') {
    const base = process.env.DATABASE_URL || LOCAL_URL;
    const name = `hcp_bench_scoring_${randomBytes(4).toString('hex')}`;
    await admin(base, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = withDatabase(base, name);
    database = await openDatabase({ url, poolSize: 4 });
    where = `PostgreSQL database ${name} at ${redact(base)}`;
    cleanup = async () => {
      await database.close();
      if (cli.keep) console.log(`kept: ${redact(url)}`);
      else await dropDatabase(base, name);
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'hcp_bench_scoring_'));
    database = await openDatabase({ pgliteDir: dir });
    where = `PGlite data folder ${dir}`;
    cleanup = async () => {
      await database.close();
      if (cli.keep) console.log(`kept: ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on this machine slows every figure below)`);
    console.log(`scoring data: ${fmt(cli.evaluations)} evaluations, ${cli.fromDay} … ${cli.toDay}, seed ${cli.seed}, into ${where}`);
    let t = performance.now();
    await migrateToLatest(database.db);
    console.log(`  migrated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const result = await generateScoringData(database.db, {
      evaluations: cli.evaluations,
      seed: cli.seed,
      fromDay: cli.fromDay,
      toDay: cli.toDay,
      engine: cli.engine,
      raw: database.raw,
      log,
      chains: cli.chains,
      planners: cli.planners,
      worker: cli.worker,
      counters: cli.counters,
      skipTriggers: !cli.triggers,
    });
    const s = result.summary;
    const totalRows = Object.values(result.rows).reduce((a, b) => a + b, 0);
    const w = result.phases.write;
    console.log(`\n${cli.engine === 'postgres' ? 'PostgreSQL' : 'PGlite'}: ${fmt(result.evaluations)} evaluations in ${result.seconds.toFixed(1)} s (${fmt(result.evaluations / result.seconds)} evaluations/s overall)`);
    console.log(`  rows written: ${fmt(totalRows)} in ${w.toFixed(1)} s = ${fmt(totalRows / w)} rows/s, ${fmt(result.evaluations / w)} evaluations/s (${result.cpu.planners} planner${result.cpu.planners > 1 ? 's' : ''} ${cli.worker ? 'in worker threads' : 'in this thread'})`);
    for (const table of TABLE_ORDER) console.log(`    ${table.padEnd(17)} ${fmt(result.rows[table] ?? 0).padStart(12)}`);
    const p = result.phases;
    console.log(`  phases: prepare ${p.prepare.toFixed(1)} s, plan + COPY ${p.write.toFixed(1)} s, ledger heads ${p.ledger.toFixed(1)} s, evaluation_counter ${p.counters.toFixed(1)} s, VACUUM ANALYZE ${p.analyze.toFixed(1)} s`);
    console.log(`  peak RSS ${result.peakRssMb} MB`);
    if (s.plannerWaitedSeconds !== undefined) {
      const waited = s.plannerWaitedSeconds / result.cpu.planners;
      console.log(`  planners waited ${waited.toFixed(1)} s (average) of ${w.toFixed(1)} s for the writes (${waited > w / 4 ? 'the database is the bottleneck' : 'planning is the bottleneck'})`);
    }
    const c = result.cpu;
    const cores = (x: number) => (x / Math.max(1e-3, c.wallSeconds)).toFixed(2);
    console.log(
      `  CPU while writing (cores of ${c.cores}): this process ${cores(c.thisProcess)} (${((c.thisProcess * 1e6) / Math.max(1, result.evaluations)).toFixed(0)} µs per evaluation)` +
        (cli.engine === 'postgres' ? `, PostgreSQL backend${c.planners > 1 ? 's' : ''} ${cores(c.backend)} (${((c.backend * 1e6) / Math.max(1, result.evaluations)).toFixed(0)} µs per evaluation), all postgres processes ${cores(c.postgres)}` : '') +
        `, machine busy ${cores(c.machineBusy)}; load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    );
    const levels = [1, 2, 3, 4, 5].map((l) => `${l}: ${(((s.levels[l] ?? 0) / Math.max(1, s.evaluations)) * 100).toFixed(1)} %`).join(', ');
    console.log(`  evaluations: ${fmt(s.firstRatings)} first, ${fmt(s.followUps)} follow-ups, ${fmt(s.systemDefaults)} system defaults; levels ${levels}`);
    console.log(`  cases ${fmt(s.cases)}, stages ${fmt(s.stages)} (${fmt(s.stagesCompleted)} completed, ${((s.stagesUnrated / Math.max(1, s.stagesCompleted)) * 100).toFixed(1)} % of them without an active rating)`);
    console.log(`  tickets ${fmt(s.tickets)} (${Object.entries(s.ticketStates).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}), ${fmt(s.ticketEvents)} events, ${fmt(s.evaluationEvents)} appeals upheld, ${fmt(s.scheduledJobs)} watch jobs`);
    console.log(`  chains: ${s.chains.map((c) => `#${c.chainId} head ${fmt(c.headSeq)}`).join(', ')}`);
    if (cli.verify) {
      t = performance.now();
      const report = await verifyLedger(database.db);
      console.log(`  ledger ${report.ok ? 'verifies' : 'DOES NOT VERIFY'}: ${fmt(report.rows)} rows on ${report.chains.length} chains in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      if (!report.ok) process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
