// One run of the fraud benchmark: a fresh system on an empty database, the planned traffic
// replayed through HTTP, the outcome measured.
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startSystem } from '../../src/system.ts';
import { testClock } from '../../test/clock.ts';
import { HOTLINE_APP_ID, replay, scoreMovement } from './replay.ts';
import { honestRows, scenarioRows, type Row } from './report.ts';
import { makeWorld, planTraffic, SCENARIOS, type TrafficOptions } from './traffic.ts';

export interface FraudBenchResult {
  scenarios: Array<Row & { movement: number }>;
  honest: Row[];
  seconds: number;
}

export async function runFraudBench(options: TrafficOptions & { databaseUrl?: string; log?: (line: string) => void }): Promise<FraudBenchResult> {
  const started = Date.now();
  const clock = testClock(new Date(options.start));
  const config = loadConfig({
    HCP_ENV: 'test',
    LOG_LEVEL: 'silent',
    PGLITE_DIR: 'memory://',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    HTTP_PORT: '0',
    JOBS_ENABLED: 'false',
    SCORE_FEED_INTERVAL_MS: '0',
    RISK_ASSESS_INTERVAL_MS: '0',
    // Every simulated client comes through the load generator on this machine: believe its X-Forwarded-For.
    TRUSTED_PROXIES: '127.0.0.1,::1',
    // The benchmark measures the risk engine, not the per-minute rate limits (simulated days pass in minutes).
    RATE_LIMIT_PUBLIC_PER_IP: '100000',
    RATE_LIMIT_SUBMIT_PER_IP: '10000',
    RATE_LIMIT_SUBMIT_PER_LINK: '1000',
    HOTLINE_APP_IDS: HOTLINE_APP_ID,
    SMS_INVITE_AFTER_DAYS: '1',
    RATING_WINDOW_DAYS: '30',
    SNAPSHOT_SIGNING_KEY_FILE: `/tmp/hcp-bench-fraud-key-${process.pid}.pem`,
  });
  const database = await openDatabase({ url: config.database.url, pgliteDir: config.database.pgliteDir, poolSize: 4 });
  const system = await startSystem(config, { database, clock });
  try {
    const world = makeWorld(6, 4, 2);
    const planned = planTraffic(world, options);
    const outcomes = await replay(system, clock, world, planned, { assessEvery: 150, ...(options.log ? { log: options.log } : {}) });
    const ids = outcomes.map((o) => o.evaluationId).filter((id): id is string => id !== null);
    const flagged = new Set(
      ids.length === 0
        ? []
        : (await sql<{ evaluation_id: string }>`SELECT DISTINCT evaluation_id FROM risk_assessment WHERE score > 0 AND evaluation_id = ANY(${ids}::uuid[])`.execute(system.database.db)).rows.map((r) => r.evaluation_id),
    );
    if (options.log) {
      const honestHeld = outcomes.filter((o) => o.planned.label === 'honest' && o.held).map((o) => o.evaluationId as string);
      if (honestHeld.length > 0) {
        const reasons = await sql<{ evaluation_id: string; reasons: unknown }>`SELECT DISTINCT ON (evaluation_id) evaluation_id, reasons FROM risk_assessment WHERE evaluation_id = ANY(${honestHeld}::uuid[]) ORDER BY evaluation_id, assessed_at DESC`.execute(system.database.db);
        for (const r of reasons.rows) options.log(`honest held: ${JSON.stringify(outcomes.find((o) => o.evaluationId === r.evaluation_id)?.planned)} ${JSON.stringify(r.reasons)}`);
      }
    }
    const attackDay = new Date(options.start + Math.floor(options.days / 2) * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const scenarios = [];
    for (const r of scenarioRows(outcomes, flagged)) scenarios.push({ ...r, movement: await scoreMovement(system, outcomes, r.name, attackDay) });
    return { scenarios, honest: honestRows(outcomes, flagged), seconds: (Date.now() - started) / 1000 };
  } finally {
    await system.close();
    await database.close();
  }
}

export { SCENARIOS };
