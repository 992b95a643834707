// The calendar a running server computes deadlines on, replaced in place when a notice is entered
// (src/calendar/notices.ts refreshes it): everything that was handed `live.calendar` at start —
// the intake writer, the routes — sees the new year without being rebuilt.
import type { WorkingDayCalendar } from './working-days.ts';

export interface LiveCalendar {
  /** Reads through to the current calendar on every access. */
  readonly calendar: WorkingDayCalendar;
  /** Put `next` in place; true when the years covered changed. */
  replace(next: WorkingDayCalendar): boolean;
}

export function liveCalendar(initial: WorkingDayCalendar): LiveCalendar {
  let current = initial;
  // Getters, not a copy: a deadline is computed synchronously, so it never sees two calendars.
  const calendar: WorkingDayCalendar = {
    get firstYear() {
      return current.firstYear;
    },
    get lastYear() {
      return current.lastYear;
    },
    get holidays() {
      return current.holidays;
    },
    get workdays() {
      return current.workdays;
    },
    get schedules() {
      return current.schedules;
    },
  };
  return {
    calendar,
    replace(next) {
      const changed = next.firstYear !== current.firstYear || next.lastYear !== current.lastYear;
      current = next;
      return changed;
    },
  };
}
