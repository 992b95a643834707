// Loads China's official working-day calendar: the years in china-holidays.json (copied from the
// State Council notices; they take precedence) merged with the chinese-days package's data.
// How to add a year: see the doc comment at the top of working-days.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  buildCalendar,
  mergeSchedules,
  parseScheduleFile,
  schedulesFromChineseDays,
  type WorkingDayCalendar,
  type YearSchedule,
} from './working-days.ts';

const require = createRequire(import.meta.url);

function readJson(file: string | URL): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Years from src/calendar/china-holidays.json (the official notices). */
export function loadNoticeSchedules(): YearSchedule[] {
  return parseScheduleFile(readJson(new URL('./china-holidays.json', import.meta.url)));
}

/** Years from the installed chinese-days package. */
export function loadPackageSchedules(): YearSchedule[] {
  const manifest = readJson(require.resolve('chinese-days/package.json'));
  const version =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string'
      ? manifest.version
      : 'unknown';
  return schedulesFromChineseDays(readJson(require.resolve('chinese-days/dist/chinese-days.json')), version);
}

let builtIn: YearSchedule[] | undefined;

/** The years the code ships with: china-holidays.json first, then the package (read once per process). */
export function builtInSchedules(): YearSchedule[] {
  builtIn ??= mergeSchedules(loadNoticeSchedules(), loadPackageSchedules());
  return builtIn;
}

let cached: WorkingDayCalendar | undefined;

/**
 * The calendar the code ships with (loaded once per process). A running server also holds the
 * notices entered into the database: src/calendar/notices.ts loadCalendar.
 */
export function chinaCalendar(): WorkingDayCalendar {
  cached ??= buildCalendar(builtInSchedules());
  return cached;
}
