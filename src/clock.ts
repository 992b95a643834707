// Time is injected everywhere rules depend on it, so deadlines and windows are tested without waiting.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

const BEIJING_OFFSET_MS = 8 * 3600_000;

// Intake names the day of every evaluation (twice) and the score feed again: few distinct days.
const dayNames = new Map<number, string>();

/** The calendar day in Beijing time (UTC+8, no daylight saving), as YYYY-MM-DD. */
export function beijingDay(instant: Date): string {
  const dayNumber = Math.floor((instant.getTime() + BEIJING_OFFSET_MS) / 86_400_000);
  let day = dayNames.get(dayNumber);
  if (day === undefined) {
    day = new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
    if (dayNames.size >= 4096) dayNames.clear();
    dayNames.set(dayNumber, day);
  }
  return day;
}

/** Parse `yyyy-MM-dd HH:mm:ss` (Beijing time, as the national interfaces send it) or ISO 8601. */
export function parseAssessTime(text: string): Date | null {
  const national = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (national) {
    const [, y, mo, d, h, mi, s] = national.map(Number) as [number, number, number, number, number, number, number];
    const utc = Date.UTC(y, mo - 1, d, h, mi, s) - BEIJING_OFFSET_MS;
    const date = new Date(utc);
    // Reject 2026-02-30 and the like, which Date.UTC would roll over.
    return beijingDay(date) === `${national[1]}-${national[2]}-${national[3]}` && h < 24 && mi < 60 && s < 60 ? date : null;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * 86_400_000);
}

/** Beijing time to the minute, as people read it: 2026-11-20 10:00. */
export const beijingMinute = (instant: Date) => new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
