// Demo data: a realistic Sichuan province (orgs, service items, hall windows, staff, service cases
// over the last months, and evaluations), deterministic for a seed and an end time.
//
// The catalog and the cases are bulk-inserted in one transaction (one multi-row INSERT per chunk).
// The evaluations go through a real intake writer, so they are checked by the rules, hash-chained
// and counted exactly as in production; the writer's clock is moved forward through the simulated
// months so that each evaluation is received seconds to minutes after it was given. The tickets
// intake opens for the 差评 are then walked through their history by the real ticket commands
// (tickets.ts), and the scheduled jobs due at the end run once.
//
// The demo accounts share one password, DEMO_PASSWORD: for demonstrations only, never production.
import type { Kysely } from 'kysely';
import { createIntegratorApp } from '../auth/integrator-apps.ts';
import { createStaffAccount, type NewStaffAccount } from '../auth/staff-accounts.ts';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import { seedSichuanRegions } from '../catalog/regions.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import type { StaffCaller } from '../http/caller.ts';
import { loadIndicatorCatalogue } from '../evaluations/indicators.ts';
import { beijingDay } from '../clock.ts';
import { addDaysToDay, periodContaining } from '../scoring/periods.ts';
import { rebuildTallies } from '../scoring/rebuild.ts';
import { schemeInForce } from '../scoring/schemes.ts';
import { loadSigner } from '../crypto/signing-key.ts';
import { closableFrom, closePeriod, type SnapshotSigner } from '../scoring/snapshots.ts';
import { skipAssessmentOfLedger } from '../risk/assessor.ts';
import { planCases } from './cases.ts';
import { DEMO_INTEGRATOR_APP_ID, DEMO_PASSWORD } from './constants.ts';
import { planProvince } from './province.ts';
import { seededRandom } from './random.ts';
import { planEvaluations } from './ratings.ts';
import { demoPresent, readSummary, type DemoSummary } from './summary.ts';
import { formatTicketStates, runTicketJobs, walkTickets } from './tickets.ts';
import { DAY } from './time.ts';
import { issueBulletin } from '../bulletins/commands.ts';
import { UNIT_CLASSES } from '../scoring/document.ts';
import { recordDemoInspections } from './inspections.ts';
import { submitEvaluations, writeProvinceAndCases } from './write.ts';

/** Close every whole month from `from` whose closing delay has passed by `now`; the keys closed. */
async function closeEndedMonths(db: Kysely<DB>, signer: SnapshotSigner, from: Date, now: Date): Promise<string[]> {
  const closed: string[] = [];
  for (let period = periodContaining('month', beijingDay(from)); ; period = periodContaining('month', addDaysToDay(period.toDay, 1))) {
    const scheme = await schemeInForce(db, period.fromDay);
    if (closableFrom(period, scheme) > now) return closed;
    if (period.fromDay < beijingDay(from)) continue; // a month the demo only half fills
    await closePeriod(db, signer, period, 'demo', now);
    closed.push(period.key);
  }
}

export { DEMO_INTEGRATOR_APP_ID, DEMO_MARKER_DEPT_CODE, DEMO_PASSWORD, DEMO_SOURCE_APP, DEMO_USERNAMES } from './constants.ts';
export type { CountedTable, DemoAccount, DemoSummary } from './summary.ts';

export interface DemoDeps {
  db: Kysely<DB>;
  config: Config;
  /** The end of the simulated period: cases and evaluations all lie before it. */
  now: Date;
}

export interface DemoOptions {
  /** Same seed, same `now`: same province, cases and ratings. Default 2026. */
  seed?: number;
  /** Months of cases and evaluations ending at `now`. Default 6. */
  months?: number;
  /** Evaluations to store (first ratings, follow-ups and system defaults together). Default 20,000. */
  evaluations?: number;
  /** County-level regions per prefecture to fill. Default 'all' (all 183). */
  countiesPerCity?: number | 'all';
  /** Told what is happening, with the milliseconds since the start (for a CLI's progress line). */
  onProgress?: (step: string, elapsedMs: number) => void;
}

export const DEMO_DEFAULTS = { seed: 2026, months: 6, evaluations: 20_000, countiesPerCity: 'all' } as const;

/** Shares of the evaluations: ~3 % follow-ups, ~2 % system defaults (when enabled); ~85 % of completed stages rated. */
const FOLLOW_UP_SHARE = 0.03;
const SYSTEM_DEFAULT_SHARE = 0.02;
const RATED_SHARE = 0.85;

/**
 * Fill the database with a demo province, unless it already holds demo data (the demo's
 * provincial centre, or any `admin` account, which a real installation has too): then nothing is
 * written and the summary describes what is there (`generated: false`).
 */
export async function generateDemo(deps: DemoDeps, options: DemoOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const { db, config } = deps;
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const months = options.months ?? DEMO_DEFAULTS.months;
  const target = options.evaluations ?? DEMO_DEFAULTS.evaluations;
  const perCity = options.countiesPerCity ?? DEMO_DEFAULTS.countiesPerCity;
  const progress = (step: string) => options.onProgress?.(step, Math.round(performance.now() - started));
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(months) || months < 1 || months > 60) throw new RangeError(`months must be 1 to 60, got ${months}`);
  if (!Number.isInteger(target) || target < 0) throw new RangeError(`evaluations must be a whole number ≥ 0, got ${target}`);
  if (perCity !== 'all' && (!Number.isInteger(perCity) || perCity < 1)) throw new RangeError(`countiesPerCity must be 'all' or ≥ 1, got ${perCity}`);

  if (await demoPresent(db)) return readSummary(deps, { generated: false, seed: null, refused: {}, started });

  await seedSichuanRegions(db);
  const regions = await db.selectFrom('region').select(['code', 'name', 'level', 'parent_code']).where('level', '<=', 3).orderBy('code').execute();
  const catalogue = await loadIndicatorCatalogue(db);

  const random = seededRandom(seed);
  const end = deps.now.getTime();
  const startDate = new Date(end);
  startDate.setUTCMonth(startDate.getUTCMonth() - months);
  const start = startDate.getTime();
  const catalogCreatedAt = start - 30 * DAY;

  // 1. The province: orgs, items, windows, staff.
  const province = planProvince(random, regions, perCity, catalogCreatedAt);

  // 2. Cases, until there are enough completed stages for the ratings asked for.
  const systemDefaults = config.rules.systemDefault.enabled ? Math.round(target * SYSTEM_DEFAULT_SHARE) : 0;
  const followUps = Math.round(target * FOLLOW_UP_SHARE);
  const firsts = Math.max(0, target - systemDefaults - followUps);
  const regionCodes = regions.filter((r) => r.level === 3).map((r) => r.code);
  const cases = planCases(random, province, regionCodes, start, end, { completedStages: Math.ceil(firsts / RATED_SHARE) + systemDefaults });

  // 3. Ratings: which completed stages are rated, how, and when.
  const planned = planEvaluations(random, config, catalogue, cases, end, { firsts, followUps, systemDefaults });
  progress(`planned ${province.orgs.length} orgs, ${cases.length} cases, ${planned.length} evaluations`);

  // The tickets' stories draw on a generator of their own, so that they do not shift the plans above.
  const ticketRandom = seededRandom(random.uint32());

  // 4. The catalog and the cases, in one transaction.
  await writeProvinceAndCases(db, config, province, cases, catalogCreatedAt);
  progress('catalog and cases written');

  // 5. Evaluations through the intake writer, in simulated time.
  const tally = await submitEvaluations(deps, catalogue, planned, start);
  progress(`evaluations submitted: ${tally.stored} stored`);
  // Synthetic ratings drawn from a short list of comments would all read as scripts: the risk engine
  // starts after them (docs/fraud.md); ratings made once the server runs are assessed.
  await skipAssessmentOfLedger(db);

  // 6. The tickets intake opened for the 差评, walked through their history in simulated time.
  const walked = await walkTickets({ db, config, calendar: chinaCalendar(), now: deps.now }, ticketRandom);
  progress(`tickets walked: ${walked.tickets} tickets, ${walked.steps} steps`);

  // 7. Accounts and the integrator app: their presence means the demo is complete (the jobs below
  // are what the server's job runner would otherwise do at its start).
  const chengdu = province.counties.find((c) => c.cityCode === '510100');
  const handlerOrg = chengdu?.hall ?? province.counties[0]?.hall ?? province.orgs[0];
  if (!handlerOrg) throw new Error('the demo has no org');
  const accounts: NewStaffAccount[] = [
    { username: 'admin', password: DEMO_PASSWORD, displayName: '省级管理员（演示）', role: 'province_admin', scopeRegionCode: '510000' },
    { username: 'chengdu', password: DEMO_PASSWORD, displayName: '成都市管理员（演示）', role: 'city_admin', scopeRegionCode: '510100' },
    { username: 'supervisor', password: DEMO_PASSWORD, displayName: '省政府督查室（演示）', role: 'supervisor', scopeRegionCode: '510000' },
    { username: 'handler', password: DEMO_PASSWORD, displayName: `${handlerOrg.name}经办人（演示）`, role: 'org_handler', scopeOrgId: handlerOrg.id },
  ];
  // Password hashing (scrypt) is the slow part: the four run side by side on the thread pool.
  await Promise.all(accounts.map((account) => createStaffAccount(db, account, deps.now)));
  const { secret } = await createIntegratorApp(db, config, { appId: DEMO_INTEGRATOR_APP_ID, name: '成都市政务服务平台（演示）', regionCode: '510100', channelProfile: 'national' }, deps.now);
  progress('accounts created');

  // 8. The scheduled jobs due now, with the accounts there to be notified: each ticket's watch
  // once (current notifications, escalations), and the SMS replies of the history.
  const jobs = await runTicketJobs(deps);
  progress(`scheduled jobs run: ${jobs.done} done, ${jobs.failed} failed, ${jobs.messages} messages (SMS replies) handed to a silent console gateway`);

  // 9. 调查暗访: each county hall visited once a month for three months by the provincial supervisor.
  const supervisorAccount = await db.selectFrom('staff_account').select(['id', 'username']).where('username', '=', 'supervisor').executeTakeFirstOrThrow();
  const supervisor: StaffCaller = { kind: 'staff', accountId: supervisorAccount.id, username: supervisorAccount.username, role: 'supervisor', regionPath: '510000/', orgId: null };
  const inspected = await recordDemoInspections(deps, seededRandom(random.uint32()), province, supervisor);
  progress(`inspections recorded: ${inspected}`);

  // 10. The live score tallies from the ledger (the catalog and cases were written in bulk), and the
  // months whose closing delay has passed closed into signed snapshots, as the scheduler would.
  await rebuildTallies(db);
  const closed = await closeEndedMonths(db, loadSigner(config), startDate, deps.now);
  progress(`score tallies rebuilt; months closed and signed: ${closed.join(', ') || 'none'}`);

  // 11. 通报 for the latest closed month, per class of units (bottom N for K consecutive months).
  const latest = closed.at(-1);
  if (latest && closed.length >= 2) {
    for (const unitClass of UNIT_CLASSES) {
      await issueBulletin({ db, clock: () => deps.now }, supervisor, { periodKind: 'month', periodKey: latest, unitClass });
    }
    progress(`bulletins issued for ${latest}`);
  }

  const summary = await readSummary(deps, { generated: true, seed, refused: tally.refused, started });
  if (summary.credentials.integrator) summary.credentials.integrator.secret = secret;
  progress(`tickets by state: ${formatTicketStates(summary.tickets.byState)}; reply rate ${summary.tickets.replyRate ?? '–'}, overdue ${summary.tickets.overdue}`);
  return summary;
}
