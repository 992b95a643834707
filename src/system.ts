// Assembles the running system from a configuration: storage, migrations, seed data, intake
// writer and HTTP app. The CLI, the tests and the benchmarks all start it the same way.
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Transaction } from 'kysely';
import { pino } from 'pino';
import { calendarWatchJob, scheduleCalendarWatch } from './calendar/calendar-watch.ts';
import { liveCalendar } from './calendar/live-calendar.ts';
import { CALENDAR_WATCH, loadCalendar, startCalendarRefresh } from './calendar/notices.ts';
import { missingYears } from './calendar/working-days.ts';
import { seedSichuanRegions } from './catalog/regions.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config/config.ts';
import { openDatabase, type Database } from './db/database.ts';
import type { DB } from './db/schema.ts';
import { migrateToLatest } from './db/migrate.ts';
import { loadIndicatorCatalogue } from './evaluations/indicators.ts';
import { startIntakeWriter, type IntakeWriter } from './evaluations/intake-writer.ts';
import { inviteToRate, RATING_INVITE } from './hotline/invitations.ts';
import { buildApp } from './http/app.ts';
import type { App } from './http/app-type.ts';
import { startJobRunner, type JobRunner } from './jobs/job-runner.ts';
import { pruneJob, PRUNE, schedulePruning } from './jobs/pruning.ts';
import { checkpointJob, LEDGER_CHECKPOINT, scheduleCheckpoints } from './ledger/checkpoints.ts';
import type { JobHandlers } from './jobs/scheduled-jobs.ts';
import { closePeriodJob, PERIOD_CLOSE, scheduleCurrentCloses } from './scoring/closing.ts';
import { startScoreFeed, type ScoreFeed } from './scoring/feed.ts';
import { startRiskAssessor, type RiskAssessor } from './risk/assessor.ts';
import { loadSigner } from './crypto/signing-key.ts';
import { deliverOutbound } from './outbound/deliver.ts';
import { OUTBOUND_DELIVERY } from './outbound/outbound.ts';
import { gatewayFromConfig } from './outbound/gateway.ts';
import { watchTicket } from './tickets/commands.ts';
import { TICKET_WATCH } from './tickets/opening.ts';

export interface System {
  config: Config;
  database: Database;
  clock: Clock;
  log: FastifyBaseLogger;
  intake: IntakeWriter;
  app: App;
  /** What each kind of scheduled job does (tests run them with their own clock). */
  jobHandlers: JobHandlers;
  /** The polling loop over scheduled jobs; null when JOBS_ENABLED is false. */
  jobs: JobRunner | null;
  /** Folds new evaluations into the live score tallies; null when SCORE_FEED_INTERVAL_MS is 0. */
  scoreFeed: ScoreFeed | null;
  /** Assesses new ratings for fraud (docs/fraud.md); ticks only when RISK_ASSESS_INTERVAL_MS > 0, drained by tests. */
  riskAssessor: RiskAssessor;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  /** An already opened database (tests); otherwise opened from the configuration and closed with the system. */
  database?: Database;
  log?: FastifyBaseLogger;
}

export function createLogger(config: Config): FastifyBaseLogger {
  return pino({ level: config.logLevel, base: { service: 'hcp' } });
}

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({ url: config.database.url, pgliteDir: config.database.pgliteDir, poolSize: config.database.poolSize });
}

/** Migrations and the seed every installation needs (Sichuan's administrative divisions). */
export async function prepareDatabase(database: Database): Promise<void> {
  await migrateToLatest(database.db);
  await seedSichuanRegions(database.db);
}

/** What each kind of scheduled job does. */
export function jobHandlersFor(config: Config, log: FastifyBaseLogger): JobHandlers {
  return {
    [TICKET_WATCH]: watchTicket({ config }),
    [OUTBOUND_DELIVERY]: deliverOutbound({ config, gateway: gatewayFromConfig(config.outbound, log) }),
    [RATING_INVITE]: inviteToRate({ config }),
    [PERIOD_CLOSE]: closePeriodJob(() => loadSigner(config)),
    [PRUNE]: pruneJob({ config }),
    [CALENDAR_WATCH]: calendarWatchJob({ config }),
    [LEDGER_CHECKPOINT]: checkpointJob({ config, signer: () => loadSigner(config) }),
  };
}

/** Recurring work that books its own next run, booked at every start in case it is not yet (idempotent). */
export async function bookRecurringJobs(trx: Transaction<DB>, now: Date): Promise<void> {
  await scheduleCurrentCloses(trx, now);
  await schedulePruning(trx, now);
  await scheduleCalendarWatch(trx, now);
  await scheduleCheckpoints(trx, now);
}

export async function startSystem(config: Config, options: StartOptions = {}): Promise<System> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config);
  const database = options.database ?? (await openConfiguredDatabase(config));
  await prepareDatabase(database);
  const catalogue = await loadIndicatorCatalogue(database.db);
  // The shipped years and the notices entered into the database, read again every minute.
  const live = liveCalendar(await loadCalendar(database.db));
  const calendarRefresh = startCalendarRefresh(database.db, live, log);
  const calendar = live.calendar;
  const intake = await startIntakeWriter({ db: database.db, config, clock, calendar, catalogue, owner: `${hostname()}:${process.pid}`, log });
  // Ticket deadlines need next year's holiday schedule by mid-December: say so loudly, early.
  const missing = missingYears(calendar, clock());
  if (missing.length > 0) log.warn({ code: 'CALENDAR_NOT_COVERED', years: missing }, '工作日历缺少年份，请录入国务院节假日安排（npm run cli -- calendar import）/ the working-day calendar lacks these years: enter the holiday notice (docs/calendar.md)');
  const app = await buildApp({ config, database, clock, log, intake, calendar });
  await app.ready();
  const jobHandlers = jobHandlersFor(config, log);
  const scoreFeed = config.scoring.feedIntervalMs > 0 ? startScoreFeed(database.db, config.scoring.feedIntervalMs, log) : null;
  const riskAssessor = startRiskAssessor(database.db, config.risk.assessIntervalMs, log, clock);
  if (config.jobs.enabled) await database.db.transaction().execute((trx) => bookRecurringJobs(trx, clock()));
  const jobs = config.jobs.enabled ? startJobRunner({ db: database.db, clock, handlers: jobHandlers, pollMs: config.jobs.pollMs, log }) : null;
  return {
    config,
    database,
    clock,
    log,
    intake,
    app,
    jobHandlers,
    jobs,
    scoreFeed,
    riskAssessor,
    async close() {
      calendarRefresh.stop();
      await jobs?.stop();
      await scoreFeed?.stop();
      await riskAssessor.stop();
      await app.close();
      await intake.close();
      if (!options.database) await database.close();
    },
  };
}
