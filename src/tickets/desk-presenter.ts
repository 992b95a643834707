// How the ticket desk shows a ticket: the Ticket view with the names around it, the comment's
// excerpt, the indicators by name and the next deadline with its urgency. Masked, never unsealed.
import { Type, type Static } from 'typebox';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import type { IndicatorCatalogue } from '../evaluations/indicators.ts';
import { nextDeadline } from './desk-rules.ts';
import type { DeskRow } from './desk-queries.ts';
import { presentTicket, TicketView } from './presenter.ts';
import { ticketFromRow } from './store.ts';

const Name = Type.Object({ zh: Type.String(), en: Type.String() });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const EXCERPT_CHARS = 60;

export const NextDeadlineView = Type.Object(
  {
    name: Type.Union([Type.Literal('verify'), Type.Literal('reply'), Type.Literal('appeal')], { description: 'verify 核实 / reply 答复 / appeal 申诉复核' }),
    dueAt: Type.String({ format: 'date-time' }),
    workingDaysLeft: Type.Integer({ description: '剩余工作日（国务院节假日安排；今日到期为 0，超期为负）/ working days left on the official calendar (0 when due today, negative once passed)' }),
    hoursLeft: Type.Integer({ description: '剩余小时（超期为负）/ hours left (negative once passed)' }),
    status: Type.Union([Type.Literal('normal'), Type.Literal('warning'), Type.Literal('overdue')], { description: 'normal 正常 / warning 临期（剩余不超过2个工作日）/ overdue 超期' }),
  },
  { description: '下一个到期的时限；无进行中的时限时为空 / the running deadline due first; null when none runs' },
);

export const TicketListItem = Type.Object(
  {
    ...TicketView.properties,
    orgName: Type.String(),
    regionName: Type.String(),
    taskCode: Nullable(Type.String({ description: '事项编码（评价窗口或工作人员时为空）/ the item’s taskCode (none when a window or staff member was rated)' })),
    itemName: Nullable(Type.String()),
    windowName: Nullable(Type.String()),
    staffName: Nullable(Type.String()),
    commentExcerpt: Nullable(Type.String({ maxLength: EXCERPT_CHARS, description: '文字评价摘要（最多60字）/ the comment, at most 60 characters' })),
    indicatorNames: Type.Array(Name, { description: '所选测评指标名称 / names of the indicators chosen' }),
    nextDeadline: Nullable(NextDeadlineView),
  },
  { $id: 'TicketListItem', title: 'TicketListItem' },
);

/** At most `max` characters (code points), the last one an ellipsis when cut. */
export function excerpt(text: string | null, max = EXCERPT_CHARS): string | null {
  if (text === null) return null;
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  if (chars.length === 0) return null;
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

export function indicatorNames(catalogue: IndicatorCatalogue, version: string, codes: readonly string[]): Array<{ zh: string; en: string }> {
  const options = catalogue.versions.get(version);
  return codes.map((code) => {
    const option = options?.get(code);
    return option ? { zh: option.nameZh, en: option.nameEn } : { zh: code, en: code };
  });
}

export interface DeskView {
  calendar: WorkingDayCalendar;
  catalogue: IndicatorCatalogue;
}

export function presentListItem(row: DeskRow, now: Date, view: DeskView): Static<typeof TicketListItem> {
  const next = nextDeadline(ticketFromRow(row), now, view.calendar);
  return {
    ...presentTicket(row, now),
    orgName: row.org_name,
    regionName: row.region_name,
    taskCode: row.task_code,
    itemName: row.item_name,
    windowName: row.window_name,
    staffName: row.staff_name,
    commentExcerpt: excerpt(row.comment),
    indicatorNames: indicatorNames(view.catalogue, row.indicator_version, row.indicator_codes),
    nextDeadline: next && { ...next, dueAt: next.dueAt.toISOString() },
  };
}
