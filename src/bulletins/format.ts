// How the bulletin's figures are written in its PDF and workbook: rates as percentages, scores with
// two decimals, instants in Beijing time, names of ticket states and periods in Chinese.
import type { TicketState } from '../tickets/state-machine.ts';

export const NONE = '—';

export const percent = (rate: number | null): string => (rate === null ? NONE : `${(rate * 100).toFixed(2)}%`);
export const points = (score: number | null): string => (score === null ? NONE : score.toFixed(2));

/** An ISO instant as Beijing wall-clock time, 'yyyy-MM-dd HH:mm'. */
export function beijingTime(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export const TICKET_STATE_NAMES: Record<TicketState, string> = {
  open: '待签收',
  verifying: '核实中',
  rectifying: '整改中',
  appealing: '申诉中',
  cannot_fix_requested: '申请无法整改',
  cannot_fix_approved: '无法整改已批准待答复',
  replied: '已答复待回访',
  cannot_fix_replied: '无法整改已答复待回访',
  closed: '已办结',
  closed_invalid: '申诉成立',
  closed_cannot_fix: '无法整改已批准',
  voided: '已作废（评价经核查不计）',
};

export function ticketStateName(state: string): string {
  return (TICKET_STATE_NAMES as Record<string, string>)[state] ?? state;
}

/** A period within a bulletin, short: 10月, 第四季度, 第48周, 2026年, 10月5日. */
export function shortPeriod(kind: string, key: string): string {
  switch (kind) {
    case 'month':
      return `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`;
    case 'quarter':
      return `${key.slice(0, 4)}年Q${key.slice(6)}`;
    case 'week':
      return `${key.slice(0, 4)}年第${Number(key.slice(6))}周`;
    case 'day':
      return `${Number(key.slice(5, 7))}月${Number(key.slice(8, 10))}日`;
    default:
      return `${key}年`;
  }
}
