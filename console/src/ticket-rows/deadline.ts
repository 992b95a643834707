// How long a ticket has left, as staff read it: the next deadline from the ticket list
// (`nextDeadline`, counted by the server on the official working-day calendar) put in words.
// Pure, so that the wording is tested without a browser.
import type { components } from '../api/schema';
import { fill } from '../i18n/language';

export type NextDeadline = NonNullable<components['schemas']['TicketListItem']['nextDeadline']>;
export type DeadlineStatus = NextDeadline['status'];

export interface TimeLeftTexts {
  daysLeft: string;
  dueToday: string;
  overdueDays: string;
  overdueHours: string;
}

/** '剩 3 个工作日', '今日到期（剩 5 小时）', '超期 2 个工作日'… in the reader's language. */
export function timeLeft(deadline: Pick<NextDeadline, 'workingDaysLeft' | 'hoursLeft'>, t: TimeLeftTexts): string {
  const { workingDaysLeft: days, hoursLeft: hours } = deadline;
  if (days > 0) return fill(t.daysLeft, { days });
  if (days === 0 && hours >= 0) return fill(t.dueToday, { hours });
  if (days < 0) return fill(t.overdueDays, { days: -days });
  return fill(t.overdueHours, { hours: Math.max(1, -hours) });
}

/** Each status's colour (styles.css, contrast at least 4.5:1); it always has its words too, never colour alone. */
export const STATUS_CLASSES: Record<DeadlineStatus, string> = { normal: 'hcp-status-normal', warning: 'hcp-status-warning', overdue: 'hcp-status-overdue' };
