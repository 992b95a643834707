// What counts as "due soon" on the workbench (pure): a ticket whose next running deadline falls
// within the next two working days of China's official calendar. The ticket desk (issue 15, part
// B) marks such deadlines as a warning by the same measure.
import { addWorkingDaysEstimated, type WorkingDayCalendar } from '../calendar/working-days.ts';

export const DUE_SOON_WORKING_DAYS = 2;

/**
 * The last instant a deadline may fall at to be due soon at `now`: the end (23:59:59.999 Beijing)
 * of the second working day after today. A deadline before `now` is overdue, not due soon.
 */
export function dueSoonUntil(now: Date, calendar: WorkingDayCalendar): Date {
  return addWorkingDaysEstimated(now, DUE_SOON_WORKING_DAYS, calendar).dueAt;
}
