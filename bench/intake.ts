// Intake benchmark: `npm run bench:intake`. See bench/README.md for what each row means.
//
// For each engine (PGlite in a fresh temp folder; PostgreSQL in a fresh database hcp_bench_<pid>)
// it boots the real system, listens on 127.0.0.1, and measures in the same run:
//   1. single evaluations over HTTP (50 connections, load from a second process),
//   2. batch intake (1,000 items per request, a few concurrent clients),
//   3. a bare Fastify route with the same body schema, storing nothing,
//   4. a bare evaluation-shaped table written by multi-row INSERT and by COPY; by COPY, a table
//      with the ledger's indexes (4c), and with it the key and slot tables (4d),
//   5. the same table written by single-row autocommit INSERTs,
// then checks the stored data (row count, ledger verification), prints a table per engine, writes
// bench/results/intake-<engine>.json, and judges the targets on PostgreSQL.
//
// Knobs (environment, all optional; see bench/README.md): DATABASE_URL (PostgreSQL server; default
// the local one), BENCH_ENGINES (pglite,postgres), BENCH_SECONDS (8), BENCH_CONNECTIONS (50),
// BENCH_BATCH_CLIENTS (4), BENCH_SCALE (1), BENCH_BASELINES (1), BENCH_PROFILE (a folder for CPU
// profiles of the server process), BENCH_TRACE (1: per-statement timings, PostgreSQL), BENCH_WORKERS
// (PostgreSQL: the system runs as `serve` with HTTP_WORKERS worker processes; default 1, in this
// process), and for the system under test LOG_LEVEL (warn), DB_POOL_SIZE, INTAKE_WRITERS,
// INTAKE_FLUSH_MAX_ROWS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { uuidv7 } from 'uuidv7';
import { createIntegratorApp } from '../src/auth/integrator-apps.ts';
import { makeDeptCode } from '../src/catalog/dept-code.ts';
import { loadConfig, type Config } from '../src/config/config.ts';
import { openDatabase, type Database, type Engine } from '../src/db/database.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { startSystem } from '../src/system.ts';
import type { LoadResult, LoadSpec } from './load.ts';
import { startServeProcess } from '../test/serve-process.ts';
import { dropDatabase, redact, withDatabase } from '../test/server-database.ts';
import { copyText, createBareTable, evaluationLikeRows, type RawValue } from './raw-rows.ts';
import { childProcesses, processSeconds, type CpuShare } from './cpu.ts';
import { traceStatements, type StatementTrace } from './trace.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const BATCH_CLIENTS = Number(env.BENCH_BATCH_CLIENTS ?? 4);
const BATCH_SIZE = 1000;
// BENCH_BASELINES=0 skips rows 3–5 (quicker A/B runs of intake settings; targets then not judged).
const BASELINES = env.BENCH_BASELINES !== '0';
const ENGINES = (env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((e) => e.trim()) as Engine[];
// BENCH_WORKERS > 1 (PostgreSQL): the system under test is `serve` in a child process with that many
// HTTP worker processes (HTTP_WORKERS), as deployed on a machine with several cores.
const WORKERS = Number(env.BENCH_WORKERS ?? 1);

// Cases are registered just before each run: for the single run 3 × what the warm-up rate would
// use in BENCH_SECONDS, for the batch run 8 × what the single rate would, within [min, max], so
// that runs end on time rather than on running out of cases without registering (slowly) far
// more than a busy machine can use. A run that does run out is shorter and says so.
// BENCH_SCALE (default 1) scales all of it, e.g. 0.1 for a quick try.
const SCALE = Number(env.BENCH_SCALE ?? 1);
const scaled = (n: number) => Math.max(BATCH_SIZE, Math.round((n * SCALE) / BATCH_SIZE) * BATCH_SIZE);
interface Plan {
  warmupCases: number;
  single: { min: number; max: number };
  batch: { min: number; max: number };
  rawRows: number;
  rawSingleSeconds: number;
}
const PLAN: Record<Engine, Plan> = {
  pglite: {
    warmupCases: scaled(4_000),
    single: { min: scaled(4_000), max: scaled(60_000) },
    batch: { min: scaled(20_000), max: scaled(60_000) },
    rawRows: scaled(60_000),
    rawSingleSeconds: 3,
  },
  postgres: {
    warmupCases: scaled(8_000),
    single: { min: scaled(6_000), max: scaled(150_000) },
    batch: { min: scaled(32_000), max: scaled(150_000) },
    rawRows: scaled(150_000),
    rawSingleSeconds: 4,
  },
};
const within = (n: number, range: { min: number; max: number }) => Math.min(range.max, Math.max(range.min, Math.ceil(n / BATCH_SIZE) * BATCH_SIZE));

// ---------------------------------------------------------------------------------------------
// Results

interface Row {
  key: 'single' | 'batch' | 'bare' | 'rawMulti' | 'rawCopy' | 'rawLedgerCopy' | 'rawEvaluationRowsCopy' | 'rawSingle';
  label: string;
  rate: number;
  unit: string;
  p50?: number;
  p99?: number;
  note: string;
  /** HTTP rows: cores used by each party during the run (see bench/cpu.ts). */
  cpu?: CpuShare | null;
  /** COPY rows on PostgreSQL: the server's CPU per row written. */
  postgresUsPerRow?: number;
  detail?: unknown;
}

interface Check {
  evaluations: number;
  single201: number;
  warmup201: number;
  batchStored: number;
  expected: number;
  countOk: boolean;
  ledger: { ok: boolean; rows: number; chains: number; seconds: number };
}

interface Target {
  name: string;
  /** The HTTP row a rate target judges (its CPU budget is printed). */
  row?: 'single' | 'batch';
  actual: number;
  threshold: number;
  comparison: '>=' | '<=';
  pass: boolean;
}

interface EngineReport {
  engine: Engine;
  server: string;
  startedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: Record<string, unknown>;
  rows: Row[];
  check: Check;
  targets: Target[] | null;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// Child processes

function tsx(script: string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore') {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args], { cwd: ROOT, stdio: [stdin, 'pipe', 'inherit'] });
  const stdout = child.stdout;
  if (!stdout) throw new Error('child has no stdout');
  return Object.assign(child, { stdout });
}

/** Runs bench/load.ts in a second process and returns what it printed. */
function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = tsx('load.ts', [JSON.stringify(spec)]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`load process exited with ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(line) as LoadResult);
    });
  });
}

/** Starts bench/bare-server.ts; resolves with its port, pid and a stop function. */
function startBareServer(): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    // stdin piped: the server exits when it closes, so it never outlives this process.
    const child = tsx('bare-server.ts', ['0', '--exit-with-stdin'], 'pipe');
    let out = '';
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    child.on('error', reject);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) {
        resolve({
          port: Number(match[1]),
          pid: child.pid ?? 0,
          async stop() {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`bare server exited early with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// Engines

interface OpenedEngine {
  engine: Engine;
  server: string;
  config: Config;
  database: Database;
  /** For PostgreSQL: the URL of the benchmark database (row 5 opens its own 50-connection pool). */
  url: string | null;
  /** The environment `config` was loaded from, for a system under test in a child process. */
  systemEnv: Record<string, string | undefined>;
  /** BENCH_TRACE=1 on PostgreSQL: per-statement timings of the system's queries. */
  trace: StatementTrace | null;
  cleanup(): Promise<void>;
}



/** The configuration of the system under test, as environment variables. */
function systemEnv(extra: Record<string, string>): Record<string, string | undefined> {
  return {
    HCP_ENV: 'development',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DB_POOL_SIZE: env.DB_POOL_SIZE,
    INTAKE_WRITERS: env.INTAKE_WRITERS,
    INTAKE_FLUSH_MAX_ROWS: env.INTAKE_FLUSH_MAX_ROWS,
    ...extra,
  };
}

async function openEngine(engine: Engine): Promise<OpenedEngine | { skipped: string }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'hcp_bench_pglite_'));
    const vars = systemEnv({ PGLITE_DIR: dir });
    const config = loadConfig(vars);
    const database = await openDatabase({ pgliteDir: dir });
    const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(database.db);
    return {
      engine,
      server: `PGlite (PostgreSQL ${version.rows[0]?.v ?? '?'}, WASM, in-process), data folder ${dir}`,
      config,
      database,
      url: null,
      systemEnv: vars,
      trace: null,
      async cleanup() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = env.DATABASE_URL || LOCAL_URL;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    return { skipped: `cannot connect to ${redact(base)} (${(error as Error).message})` };
  }
  const name = `hcp_bench_${process.pid}`;
  const version = (await admin.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]?.v ?? '?';
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(base, name);
  const vars = systemEnv({ DATABASE_URL: url });
  const config = loadConfig(vars);
  const database = await openDatabase({ url, poolSize: config.database.poolSize });
  // The trace sees the queries of a system under test in this process only.
  const trace = env.BENCH_TRACE && WORKERS === 1 && database.raw.engine === 'postgres' ? traceStatements(database.raw.pool) : null;
  return {
    engine,
    server: `PostgreSQL ${version} at ${redact(base)}, database ${name}`,
    config,
    database,
    url,
    systemEnv: vars,
    trace,
    async cleanup() {
      await database.close();
      await dropDatabase(base, name);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Seed: one org, one item, one integrator app and many completed one-stage cases.

interface Seed {
  appId: string;
  secret: string;
  orgId: string;
  itemId: string;
  projectPrefix: string;
}

async function seedCatalog(database: Database, config: Config): Promise<Seed> {
  const db = database.db;
  const now = new Date();
  const orgId = uuidv7();
  await db
    .insertInto('org')
    .values({ id: orgId, dept_code: makeDeptCode(String(process.pid).slice(-8)), name: '基准测试局', kind: 'department', region_code: '510104', parent_id: null, created_at: now })
    .execute();
  const itemId = uuidv7();
  await db
    .insertInto('service_item')
    .values({ id: itemId, task_code: `BENCH-${process.pid}`, name: '基准测试事项', item_type: '01', org_id: orgId, region_code: '510104', created_at: now })
    .execute();
  const appId = `bench-${process.pid}`;
  const { secret } = await createIntegratorApp(db, config, { appId, name: '基准测试接入应用', regionCode: '510000', channelProfile: 'national' }, now);

  return { appId, secret, orgId, itemId, projectPrefix: `BENCH${process.pid}-` };
}

/** Registers completed one-stage cases first … first+count-1; returns the seconds it took. */
async function seedCases(database: Database, seedData: Seed, first: number, count: number): Promise<number> {
  const db = database.db;
  const { appId, orgId, itemId, projectPrefix } = seedData;
  const started = performance.now();
  const now = new Date();
  const completedAt = new Date(now.getTime() - 86_400_000);
  // Multi-row INSERTs of 10,000 rows each, as one array parameter per varying column (unnest):
  // far fewer parameters to send and parse than a VALUES list. Case n is `${projectPrefix}${n}`.
  const CHUNK = 10_000;
  for (let start = first; start < first + count; start += CHUNK) {
    const numbers: number[] = [];
    const caseIds: string[] = [];
    const stageIds: string[] = [];
    for (let n = start; n < Math.min(first + count, start + CHUNK); n++) {
      numbers.push(n);
      caseIds.push(uuidv7());
      stageIds.push(uuidv7());
    }
    await sql`
      INSERT INTO service_case (id, project_no, item_id, org_id, region_code, pro_status, accept_at, result_at, source_app, created_at, updated_at)
      SELECT id, ${projectPrefix} || n, ${itemId}::uuid, ${orgId}::uuid, '510104', 3, ${completedAt}::timestamptz, ${completedAt}::timestamptz, ${appId}, ${now}::timestamptz, ${now}::timestamptz
      FROM unnest(${caseIds}::uuid[], ${numbers}::int[]) AS u(id, n)`.execute(db);
    await sql`
      INSERT INTO case_stage (id, case_id, service_number, status, completed_at, org_id)
      SELECT id, case_id, 1, 3, ${completedAt}::timestamptz, ${orgId}::uuid
      FROM unnest(${stageIds}::uuid[], ${caseIds}::uuid[]) AS u(id, case_id)`.execute(db);
  }
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Rows 4 and 5: a bare table with the evaluation columns, no indexes, triggers or constraints.

const RAW_TABLE = 'bench_raw_evaluation';
/** Row 4c: the columns, indexes and constraints of `evaluation` (LIKE … INCLUDING ALL), no triggers. */
const LEDGER_TABLE = 'bench_ledger_evaluation';
/** Row 4d: shaped like `intake_key` and `evaluation_slot`, the other rows every evaluation writes. */
const KEY_TABLE = 'bench_intake_key';
const SLOT_TABLE = 'bench_evaluation_slot';

async function rawCount(database: Database, table = RAW_TABLE): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int8 as n from ${sql.table(table)}`.execute(database.db);
  return Number(result.rows[0]?.n ?? 0);
}

async function measureRaw(opened: OpenedEngine, seedData: Seed, rowCount: number, singleSeconds: number): Promise<Row[]> {
  const { database } = opened;
  const columns = await createBareTable(opened.database.db, RAW_TABLE);
  const names = columns.map((c) => c.name).join(', ');
  const rows = evaluationLikeRows(columns, rowCount, seedData);
  const results: Row[] = [];

  // 4a. Multi-row INSERT, 1,000 rows per statement, one connection.
  const BATCH = 1000;
  const placeholders = Array.from({ length: BATCH }, (_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
  const multiSql = `INSERT INTO ${RAW_TABLE} (${names}) VALUES ${placeholders}`;
  let started = performance.now();
  if (database.raw.engine === 'postgres') {
    const client = await database.raw.pool.connect();
    try {
      for (let i = 0; i < rows.length; i += BATCH) await client.query(multiSql, rows.slice(i, i + BATCH).flat());
    } finally {
      client.release();
    }
  } else {
    for (let i = 0; i < rows.length; i += BATCH) await database.raw.pglite.query(multiSql, rows.slice(i, i + BATCH).flat());
  }
  let seconds = (performance.now() - started) / 1000;
  let stored = await rawCount(database);
  results.push({ key: 'rawMulti', label: '4a bare table, multi-row INSERT', rate: stored / seconds, unit: 'rows/s', note: `${fmt(stored)} rows, ${BATCH}/statement, 1 connection, ${seconds.toFixed(1)} s` });
  await sql`truncate ${sql.table(RAW_TABLE)}`.execute(database.db);

  // 4b. COPY, one connection; 4c the same into a table with the ledger's indexes and constraints;
  // 4d as 4c, with the idempotency key and the case-stage slot that every evaluation also writes.
  interface Copy {
    table: string;
    columns: string;
    rows: RawValue[][];
  }
  const copyInto = async (copies: Copy[], label: Row['label'], key: Row['key']) => {
    // On PostgreSQL, the CPU of the one backend that copies (PGlite runs in this process).
    let postgresSeconds: number | undefined;
    const began = performance.now();
    if (database.raw.engine === 'postgres') {
      const client = await database.raw.pool.connect();
      try {
        const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? -1;
        const before = processSeconds(backend);
        for (const copy of copies) await pipeline(Readable.from(copyText(copy.rows)), client.query(copyFrom(`COPY ${copy.table} (${copy.columns}) FROM STDIN`)));
        postgresSeconds = processSeconds(backend) - before;
      } finally {
        client.release();
      }
    } else {
      for (const copy of copies) {
        const blob = new Blob([...copyText(copy.rows)]);
        await database.raw.pglite.query(`COPY ${copy.table} (${copy.columns}) FROM '/dev/blob'`, [], { blob });
      }
    }
    const took = (performance.now() - began) / 1000;
    const copied = await rawCount(database, copies[0]?.table);
    const postgresUsPerRow = postgresSeconds === undefined ? undefined : (postgresSeconds * 1e6) / Math.max(1, copied);
    const pgNote = postgresUsPerRow === undefined ? '' : `, PostgreSQL CPU ${postgresUsPerRow.toFixed(1)} µs per ${copies.length > 1 ? 'evaluation' : 'row'}`;
    const what = copies.length > 1 ? `${fmt(copied)} evaluations (${copies.length} rows each)` : `${fmt(copied)} rows`;
    results.push({ key, label, rate: copied / took, unit: copies.length > 1 ? 'eval/s' : 'rows/s', note: `${what}, 1 connection, ${took.toFixed(1)} s${pgNote}`, ...(postgresUsPerRow === undefined ? {} : { postgresUsPerRow }) });
  };
  await copyInto([{ table: RAW_TABLE, columns: names, rows }], '4b bare table, COPY', 'rawCopy');
  await sql`truncate ${sql.table(RAW_TABLE)}`.execute(database.db);
  // The least that storing the ledger rows can cost: no checks, no other table, no hash, no HTTP.
  await sql.raw(`CREATE TABLE ${LEDGER_TABLE} (LIKE evaluation INCLUDING ALL)`).execute(database.db);
  await copyInto([{ table: LEDGER_TABLE, columns: names, rows }], '4c ledger-shaped table, COPY', 'rawLedgerCopy');
  await sql.raw(`TRUNCATE ${LEDGER_TABLE}; CREATE TABLE ${KEY_TABLE} (LIKE intake_key INCLUDING ALL); CREATE TABLE ${SLOT_TABLE} (LIKE evaluation_slot INCLUDING ALL)`).execute(database.db);
  const at = (name: string) => columns.findIndex((c) => c.name === name);
  const [id, stage, app, client, received] = ['id', 'case_stage_id', 'source_app', 'client_id', 'received_at'].map(at) as [number, number, number, number, number];
  const digest = randomBytes(32);
  await copyInto(
    [
      { table: LEDGER_TABLE, columns: names, rows },
      { table: KEY_TABLE, columns: 'source_app, client_id, evaluation_id, request_digest, created_at', rows: rows.map((r) => [r[app] ?? null, r[client] ?? null, r[id] ?? null, digest, r[received] ?? null]) },
      { table: SLOT_TABLE, columns: 'case_stage_id, assess_number, evaluation_id', rows: rows.map((r) => [r[stage] ?? null, 1, r[id] ?? null]) },
    ],
    '4d ledger + key + slot, COPY',
    'rawEvaluationRowsCopy',
  );
  await sql.raw(`DROP TABLE ${LEDGER_TABLE}, ${KEY_TABLE}, ${SLOT_TABLE}`).execute(database.db);

  // 5. Single-row INSERT, autocommit: 50 concurrent clients on PostgreSQL, sequential on PGlite.
  const oneSql = `INSERT INTO ${RAW_TABLE} (${names}) VALUES (${columns.map((_c, c) => `$${c + 1}`).join(', ')})`;
  let next = 0;
  const take = () => rows[next++ % rows.length] ?? [];
  let clients = 1;
  started = performance.now();
  const deadline = started + singleSeconds * 1000;
  if (database.raw.engine === 'postgres' && opened.url) {
    clients = CONNECTIONS;
    const pool = new pg.Pool({ connectionString: opened.url, max: clients });
    // Open the connections before the clock starts.
    const warm = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    for (const c of warm) c.release();
    started = performance.now();
    const until = started + singleSeconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) await pool.query(oneSql, take());
      }),
    );
    seconds = (performance.now() - started) / 1000;
    await pool.end();
  } else if (database.raw.engine === 'pglite') {
    const pglite = database.raw.pglite;
    while (performance.now() < deadline) await pglite.query(oneSql, take());
    seconds = (performance.now() - started) / 1000;
  }
  stored = await rawCount(database);
  results.push({
    key: 'rawSingle',
    label: '5  bare table, single-row INSERT',
    rate: stored / seconds,
    unit: 'rows/s',
    note: `${fmt(stored)} rows, autocommit, ${clients === 1 ? 'sequential' : `${clients} concurrent clients`}, ${seconds.toFixed(1)} s`,
  });
  await sql.raw(`DROP TABLE ${RAW_TABLE}`).execute(database.db);
  return results;
}

// ---------------------------------------------------------------------------------------------
// The system under test: in this process, or `serve` with BENCH_WORKERS worker processes.

interface SystemUnderTest {
  url: string;
  /** Its processes, for the CPU account. */
  pids: number[];
  /** In this process: its event loop's utilisation can be read and its CPU profiled. */
  inProcess: boolean;
  close(): Promise<void>;
}

async function startSystemUnderTest(opened: OpenedEngine): Promise<SystemUnderTest> {
  if (WORKERS <= 1 || opened.engine !== 'postgres') {
    const system = await startSystem(opened.config, { database: opened.database });
    await system.app.listen({ host: '127.0.0.1', port: 0 });
    const address = system.app.server.address();
    if (!address || typeof address === 'string') throw new Error('server has no port');
    return { url: `http://127.0.0.1:${address.port}`, pids: [process.pid], inProcess: true, close: () => system.close() };
  }
  const { child, url } = await startServeProcess({ PATH: env.PATH, HOME: env.HOME, ...opened.systemEnv, HTTP_WORKERS: String(WORKERS) });
  const pid = child.pid ?? 0;
  return {
    url,
    pids: [pid, ...childProcesses(pid)],
    inProcess: false,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// One engine

async function profileWhile<T>(system: SystemUnderTest, label: string, run: () => Promise<T>): Promise<T> {
  const folder = env.BENCH_PROFILE;
  if (!folder) return run();
  if (!system.inProcess) {
    console.log('  (no CPU profile: the server runs in worker processes)');
    return run();
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${label}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`  (CPU profile of the server process written to ${file})`);
    session.disconnect();
  }
}

function loadRow(key: 'single' | 'bare', label: string, result: LoadResult, counted: number): Row {
  const seconds = result.elapsedMs / 1000;
  const others = Object.entries(result.statusCodes).filter(([code]) => code !== '201');
  return {
    key,
    label,
    rate: counted / seconds,
    unit: key === 'single' ? 'eval/s' : 'req/s',
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    note: `${fmt(counted)} × 201 in ${seconds.toFixed(1)} s, non-2xx ${result.non2xx}${others.length ? ` (${others.map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}, errors ${result.errors}`,
    cpu: result.cpu,
    detail: result,
  };
}

async function runEngine(engine: Engine): Promise<EngineReport | null> {
  const began = performance.now();
  const loadAverageBefore = loadavg();
  const plan = PLAN[engine];
  console.log(`\n=== ${engine}: setting up …`);
  const opened = await openEngine(engine);
  if ('skipped' in opened) {
    console.log(`=== ${engine}: SKIPPED — ${opened.skipped}`);
    return null;
  }
  const { config, database } = opened;
  const rows: Row[] = [];
  let system: SystemUnderTest | null = null;
  try {
    let t = performance.now();
    system = await startSystemUnderTest(opened);
    const { url } = system;
    const httpWorkers = system.inProcess ? 1 : system.pids.length - 1;
    const processes = system.inProcess ? 'in this process' : `${httpWorkers} worker processes (HTTP_WORKERS), pids ${system.pids.join(' ')}`;
    console.log(`  system started in ${((performance.now() - t) / 1000).toFixed(1)} s on ${url}, ${processes} (intake writers: ${config.intake.writers}, pool ${config.database.poolSize}, flush max ${config.intake.flushMaxRows})`);

    const seeded = await seedCatalog(database, config);
    let nextCase = 0;
    const register = async (count: number) => {
      const seconds = await seedCases(database, seeded, nextCase, count);
      // The planner then knows the tables as autovacuum would have it know them in production.
      await sql`ANALYZE`.execute(database.db);
      console.log(`  registered ${fmt(count)} completed cases in ${seconds.toFixed(1)} s, then analysed the tables`);
      const first = nextCase;
      nextCase += count;
      return first;
    };
    const assessedAt = new Date(Date.now() - 3_600_000).toISOString();
    const base = { url, appId: seeded.appId, secret: seeded.secret, projectPrefix: seeded.projectPrefix, assessedAt, batchSize: BATCH_SIZE, serverPids: system.pids };

    // 3. Bare Fastify route (its own process), loaded like row 1.
    let bareRow: Row | null = null;
    if (BASELINES) {
      const bare = await startBareServer();
      const bareResult = await runLoad({ ...base, url: `http://127.0.0.1:${bare.port}`, serverPids: [bare.pid], mode: 'single', connections: CONNECTIONS, durationSeconds: SECONDS, maxRequests: 10_000_000, firstCase: 0 });
      await bare.stop();
      bareRow = loadRow('bare', '3  bare Fastify route, no storage', bareResult, bareResult.statusCodes['201'] ?? 0);
      console.log(`  bare route: ${fmt(bareRow.rate)} req/s`);
    }

    // 1. Single evaluations: a short warm-up (stored and counted too), then the measured run.
    const warmupFirst = await register(plan.warmupCases);
    const warmup = await runLoad({ ...base, mode: 'single', connections: CONNECTIONS, durationSeconds: 2, maxRequests: plan.warmupCases, firstCase: warmupFirst });
    const warmup201 = warmup.statusCodes['201'] ?? 0;
    if (warmup.non2xx > 0) console.log(`  warm-up had ${warmup.non2xx} non-2xx responses, e.g. ${warmup.sampleErrors[0] ?? ''}`);
    const singleCases = within(((warmup.statusCodes['201'] ?? 0) / Math.max(0.1, warmup.elapsedMs / 1000)) * SECONDS * 3, plan.single);
    const singleFirst = await register(singleCases);
    opened.trace?.reset();
    const eluBefore = performance.eventLoopUtilization();
    const single = await profileWhile(system, `${engine}-single`, () =>
      runLoad({ ...base, mode: 'single', connections: CONNECTIONS, durationSeconds: SECONDS, maxRequests: singleCases, firstCase: singleFirst }),
    );
    const singleElu = performance.eventLoopUtilization(eluBefore).utilization;
    const single201 = single.statusCodes['201'] ?? 0;
    const singleRow = loadRow('single', '1  single evaluations over HTTP', single, single201);
    // How busy the server's event loop was: near 1, the server process is the bottleneck.
    singleRow.note += system.inProcess ? `, server event loop ${(singleElu * 100).toFixed(0)} % busy` : `, ${system.pids.length - 1} server worker processes`;
    if (single.sampleErrors.length) console.log(`  single: sample errors: ${single.sampleErrors.join(' | ')}`);
    if (single.casesUsed >= singleCases) singleRow.note += ` (used all ${fmt(singleCases)} cases before ${SECONDS} s)`;
    console.log(`  single: ${fmt(singleRow.rate)} eval/s, p50 ${single.latencyMs.p50} ms, p99 ${single.latencyMs.p99} ms`);
    if (opened.trace) {
      console.log(`  statements during the single run:\n${opened.trace.report()}`);
      singleRow.detail = { ...single, statements: opened.trace.summary() };
      opened.trace.reset();
    }

    // 2. Batch intake: BATCH_CLIENTS concurrent clients, 1,000 items per request.
    const batchCases = within(singleRow.rate * SECONDS * 8, plan.batch);
    const batchFirst = await register(batchCases);
    const batches = Math.floor(batchCases / BATCH_SIZE);
    const batchResult = await profileWhile(system, `${engine}-batch`, () =>
      runLoad({ ...base, mode: 'batch', connections: Math.min(BATCH_CLIENTS, batches), durationSeconds: SECONDS, maxRequests: batches, firstCase: batchFirst }),
    );
    const batchSeconds = batchResult.elapsedMs / 1000;
    const batchRow: Row = {
      key: 'batch',
      label: '2  batch intake over HTTP',
      rate: batchResult.stored / batchSeconds,
      unit: 'eval/s',
      p50: batchResult.latencyMs.p50,
      p99: batchResult.latencyMs.p99,
      cpu: batchResult.cpu,
      note:
        `${fmt(batchResult.stored)} stored in ${batchResult.requests} requests × ${BATCH_SIZE}, ${Math.min(BATCH_CLIENTS, batches)} clients, ${batchSeconds.toFixed(1)} s, refused ${batchResult.refused}, non-2xx ${batchResult.non2xx}` +
        (batchResult.casesUsed >= batchCases ? ` (used all ${fmt(batchCases)} cases before ${SECONDS} s)` : ''),
      detail: batchResult,
    };
    if (batchResult.sampleErrors.length) console.log(`  batch: sample errors: ${batchResult.sampleErrors.join(' | ')}`);
    console.log(`  batch: ${fmt(batchRow.rate)} eval/s (p50 ${batchResult.latencyMs.p50} ms per request of ${BATCH_SIZE})`);
    if (opened.trace) {
      console.log(`  statements during the batch run:\n${opened.trace.report()}`);
      batchRow.detail = { ...batchResult, statements: opened.trace.summary() };
    }

    await system.close();
    system = null;

    // The stored data: every 201 and every batch-stored item is one row; the ledger verifies.
    const count = await sql<{ n: number }>`select count(*)::int8 as n from evaluation`.execute(database.db);
    const evaluations = Number(count.rows[0]?.n ?? 0);
    t = performance.now();
    const ledger = await verifyLedger(database.db);
    const ledgerSeconds = (performance.now() - t) / 1000;
    const expected = warmup201 + single201 + batchResult.stored;
    const check: Check = {
      evaluations,
      warmup201,
      single201,
      batchStored: batchResult.stored,
      expected,
      countOk: evaluations === expected,
      ledger: { ok: ledger.ok, rows: ledger.rows, chains: ledger.chains.length, seconds: ledgerSeconds },
    };
    if (!ledger.ok) console.log(`  ledger: ${JSON.stringify(ledger.chains.filter((c) => !c.ok))}`);

    // 4 and 5. Raw writes into a bare table.
    const raw = BASELINES ? await measureRaw(opened, seeded, plan.rawRows, plan.rawSingleSeconds) : [];
    rows.push(singleRow, batchRow, ...(bareRow ? [bareRow] : []), ...raw);

    const report: EngineReport = {
      engine,
      server: opened.server,
      startedAt: new Date(Date.now() - (performance.now() - began)).toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', node: process.version, loadAverageBefore, loadAverageAfter: loadavg() },
      settings: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        batchClients: BATCH_CLIENTS,
        batchSize: BATCH_SIZE,
        logLevel: config.logLevel,
        dbPoolSize: config.database.poolSize,
        intakeWriters: config.intake.writers,
        httpWorkers,
        intakeFlushMaxRows: config.intake.flushMaxRows,
        plan,
      },
      rows,
      check,
      targets: engine === 'postgres' && BASELINES ? judge(rows) : null,
      seconds: (performance.now() - began) / 1000,
    };
    return report;
  } finally {
    if (system) await system.close().catch(() => undefined);
    await opened.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Targets and printing

function rateOf(rows: Row[], key: Row['key']): number {
  return rows.find((r) => r.key === key)?.rate ?? 0;
}

function judge(rows: Row[]): Target[] {
  const single = rows.find((r) => r.key === 'single');
  const batchNeed = 0.4 * rateOf(rows, 'rawCopy');
  const singleNeed = Math.min(0.6 * rateOf(rows, 'bare'), rateOf(rows, 'rawSingle'));
  return [
    { name: 'batch intake ≥ 40 % of raw COPY rows/s', row: 'batch', actual: rateOf(rows, 'batch'), threshold: batchNeed, comparison: '>=', pass: rateOf(rows, 'batch') >= batchNeed },
    {
      name: 'single evaluations ≥ min(60 % of bare route req/s, raw single-row INSERT rows/s)',
      row: 'single',
      actual: rateOf(rows, 'single'),
      threshold: singleNeed,
      comparison: '>=',
      pass: rateOf(rows, 'single') >= singleNeed,
    },
    { name: 'single evaluations p99 ≤ 50 ms', actual: single?.p99 ?? Infinity, threshold: 50, comparison: '<=', pass: (single?.p99 ?? Infinity) <= 50 },
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function table(headers: string[], body: string[][], rightAligned: Set<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function printReport(report: EngineReport): void {
  console.log(`\n${report.engine === 'postgres' ? 'PostgreSQL' : 'PGlite'} — ${report.server}`);
  console.log(`${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}, ${report.settings.connections} connections, ≤ ${report.settings.seconds} s per load run; ` +
    `server LOG_LEVEL ${String(report.settings.logLevel)}, DB_POOL_SIZE ${String(report.settings.dbPoolSize)}, INTAKE_WRITERS ${String(report.settings.intakeWriters)}, HTTP_WORKERS ${String(report.settings.httpWorkers ?? 1)}`);
  const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  console.log(`load average before ${la(report.machine.loadAverageBefore)}, after ${la(report.machine.loadAverageAfter)} (other work on this machine skews every row)`);
  const body = report.rows.map((r) => [r.label, fmt(r.rate), r.unit, r.p50 === undefined ? '' : r.p50.toFixed(1), r.p99 === undefined ? '' : r.p99.toFixed(1), r.note]);
  console.log(table(['row', 'rate', 'unit', 'p50 ms', 'p99 ms', 'notes'], body, new Set([1, 3, 4])));
  const withCpu = report.rows.filter((r) => r.cpu);
  if (withCpu.length > 0) {
    const f = (x: number) => x.toFixed(2);
    const perUnit = (cores: number | undefined, rate: number) => (rate > 0 ? ((1000 * (cores ?? 0)) / rate).toFixed(3) : '');
    const cpuBody = withCpu.map((r) => [
      r.label.slice(0, 2).trim(),
      f(r.cpu?.server ?? 0),
      f(r.cpu?.loadGenerator ?? 0),
      f(r.cpu?.postgres ?? 0),
      f(r.cpu?.other ?? 0),
      f(r.cpu?.idle ?? 0),
      perUnit(r.cpu?.server, r.rate),
      report.engine === 'postgres' ? perUnit(r.cpu?.postgres, r.rate) : '',
    ]);
    console.log(`CPU during the HTTP rows, in cores (of ${report.machine.cpus}); "other" is everything else running on the machine; ms = CPU ms per evaluation (row 3: per request):`);
    console.log(table(['row', 'server', 'load generator', 'postgres', 'other', 'idle', 'server ms', 'postgres ms'], cpuBody, new Set([1, 2, 3, 4, 5, 6, 7])));
  }
  const c = report.check;
  console.log(
    `stored data: ${fmt(c.evaluations)} evaluations ${c.countOk ? '=' : '≠'} ${fmt(c.warmup201)} (warm-up 201s) + ${fmt(c.single201)} (201s) + ${fmt(c.batchStored)} (batch stored) = ${fmt(c.expected)} → ${c.countOk ? 'OK' : 'MISMATCH'}; ` +
      `ledger ${c.ledger.ok ? 'verifies' : 'DOES NOT VERIFY'} (${fmt(c.ledger.rows)} rows on ${c.ledger.chains} chains, ${c.ledger.seconds.toFixed(1)} s)`,
  );
}

function printTargets(report: EngineReport, targets: Target[]): void {
  console.log('\nTargets (PostgreSQL)');
  const body = targets.map((t) => [t.name, t.comparison === '>=' ? fmt(t.actual) : t.actual.toFixed(1), t.comparison, t.comparison === '>=' ? fmt(t.threshold) : t.threshold.toFixed(1), t.pass ? 'PASS' : 'FAIL']);
  console.log(table(['target', 'actual', '', 'needed', 'result'], body, new Set([1, 3])));
  // What a rate target asks of the machine: every process of the run shares its cores, so at the
  // needed rate each evaluation may cost at most cores ÷ rate of CPU, all parties together.
  const budgets = targets.flatMap((target) => {
    const row = report.rows.find((r) => r.key === target.row);
    if (!target.row || !row?.cpu || row.rate <= 0) return [];
    const us = (cores: number) => ((cores * 1e6) / row.rate).toFixed(0);
    const { server, postgres, loadGenerator, other } = row.cpu;
    return [[target.row, fmt(target.threshold), ((report.machine.cpus * 1e6) / target.threshold).toFixed(0), us(server + postgres + loadGenerator + other), us(server), us(postgres), us(loadGenerator), us(other)]];
  });
  if (budgets.length === 0) return;
  console.log(`\nCPU per evaluation, µs of one core: what the needed rate leaves on this machine (${report.machine.cpus} cores for all processes), and what this run spent`);
  console.log(table(['row', 'needed rate', 'budget', 'spent', 'server', 'postgres', 'load generator', 'other'], budgets, new Set([1, 2, 3, 4, 5, 6, 7])));
  const ledgerRows = report.rows.find((r) => r.key === 'rawLedgerCopy')?.postgresUsPerRow;
  if (ledgerRows !== undefined) console.log(`the ledger rows alone, by COPY into a table with the ledger's indexes (row 4c): PostgreSQL ${ledgerRows.toFixed(1)} µs per row`);
  const evaluationRows = report.rows.find((r) => r.key === 'rawEvaluationRowsCopy')?.postgresUsPerRow;
  if (evaluationRows !== undefined) {
    console.log(`the rows every evaluation writes (ledger row, idempotency key, stage slot), by COPY (row 4d): PostgreSQL ${evaluationRows.toFixed(1)} µs per evaluation`);
  }
}

async function main(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const reports: EngineReport[] = [];
  const skipped: string[] = [];
  for (const engine of ENGINES) {
    const report = await runEngine(engine);
    if (!report) {
      skipped.push(engine);
      continue;
    }
    reports.push(report);
    const workers = engine === 'postgres' && WORKERS > 1 ? `-${WORKERS}-workers` : '';
    writeFileSync(join(RESULTS_DIR, `intake-${engine}${workers}.json`), `${JSON.stringify(report, null, 2)}\n`);
  }
  console.log('\n================ intake benchmark ================');
  for (const report of reports) printReport(report);
  for (const engine of skipped) console.log(`\n${engine}: skipped (see above)`);
  const pgReport = reports.find((r) => r.engine === 'postgres');
  if (pgReport?.targets) printTargets(pgReport, pgReport.targets);
  else console.log(`\nTargets (PostgreSQL): not judged — ${BASELINES ? 'PostgreSQL was skipped' : 'baselines were skipped (BENCH_BASELINES=0)'}`);
  const failedChecks = reports.filter((r) => !r.check.countOk || !r.check.ledger.ok);
  if (failedChecks.length > 0) process.exitCode = 1;
}

await main();
