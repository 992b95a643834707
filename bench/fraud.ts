// Fraud benchmark: `npm run bench:fraud`. Replays a generated, labelled mix of honest traffic over
// simulated days and the attacks of issue 13 through the real HTTP paths and prints, per scenario
// and per path: attempted, refused, accepted, held, flagged (reasons below the line), recall or
// false-positive rate, and how far each attack moved its victim's score once held ratings are set
// apart. Targets: recall ≥ 95 % per scenario, false positives ≤ 1 % of honest ratings overall and
// per path, no score moved by more than 1 point.
//
// Knobs: BENCH_DAYS (3), BENCH_HONEST_PER_DAY (1500), BENCH_PER_SCENARIO (40), BENCH_SEED (2026),
// DATABASE_URL (an empty PostgreSQL database to use instead of an in-memory PGlite).
import { runFraudBench } from './fraud/run.ts';
import { pct, table } from './fraud/report.ts';

const env = process.env;
const options = {
  seed: Number(env.BENCH_SEED ?? 2026),
  start: Date.parse('2026-11-16T00:00:00+08:00'),
  days: Number(env.BENCH_DAYS ?? 3),
  honestPerDay: Number(env.BENCH_HONEST_PER_DAY ?? 1500),
  perScenario: Number(env.BENCH_PER_SCENARIO ?? 40),
  ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  log: (line: string) => process.stderr.write(`${line}\n`),
};
const result = await runFraudBench(options);
process.stdout.write(`fraud benchmark: ${options.days} simulated days, ${options.honestPerDay} honest ratings a day, ${options.perScenario} per attack, seed ${options.seed}, ${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, ${result.seconds.toFixed(0)} s\n\n`);
process.stdout.write(`${table('Attacks (recall: refused or held; target ≥ 95 %; score movement target ≤ 1 point)', 'recall', result.scenarios, (r) => (r as (typeof result.scenarios)[number]).movement.toFixed(2), 'score moved')}\n\n`);
process.stdout.write(`${table('Honest ratings by path (false positives: held; target ≤ 1 %)', 'false pos.', result.honest)}\n\n`);
const failing = [
  ...result.scenarios.filter((r) => r.rate < 0.95).map((r) => `${r.name} recall ${pct(r.rate)}`),
  ...result.scenarios.filter((r) => r.movement > 1).map((r) => `${r.name} moved a score by ${r.movement.toFixed(2)}`),
  ...result.honest.filter((r) => r.rate > 0.01).map((r) => `${r.name} false positives ${pct(r.rate)}`),
];
process.stdout.write(failing.length === 0 ? 'all targets met\n' : `targets missed: ${failing.join('; ')}\n`);
