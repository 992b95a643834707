import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { IntakeWriter } from '../evaluations/intake-writer.ts';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';

/** What the HTTP routes are given. Each route registration takes only the parts it uses. */
export interface AppContext {
  config: Config;
  database: Database;
  clock: Clock;
  log: FastifyBaseLogger;
  intake: IntakeWriter;
  /** China's working-day calendar, for ticket deadlines. */
  calendar: WorkingDayCalendar;
}
