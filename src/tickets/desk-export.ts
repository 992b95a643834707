// The ticket desk's list as a workbook: Chinese headers, Beijing times, the rater masked and the
// comment scrubbed of personal data (bulletins' scrubber). Pure: the rows in, the .xlsx bytes out.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { scrubComment } from '../bulletins/rules.ts';
import { ticketStateName } from '../bulletins/format.ts';
import { beijingMinute } from '../clock.ts';
import { CHANNEL_NAMES } from '../evaluations/channels.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import type { DeskRow } from './desk-queries.ts';
import { indicatorNames, type DeskView } from './desk-presenter.ts';
import { nextDeadline, type Urgency } from './desk-rules.ts';
import { presentTicket } from './presenter.ts';
import { ticketFromRow } from './store.ts';

/** The most rows one export holds. */
export const EXPORT_MAX_ROWS = 50_000;
export const EXPORT_SHEET = '差评工单';

const DEADLINE_NAMES = { verify: '核实', reply: '答复', appeal: '申诉复核' } as const;
const CHANNELS_ZH: ReadonlyMap<string, string> = new Map(Object.entries(CHANNEL_NAMES).map(([code, name]) => [code, name.zh]));
const URGENCY_NAMES: Record<Urgency, string> = { normal: '正常', warning: '临期', overdue: '超期' };

const COLUMNS: ReadonlyArray<{ header: string; width: number }> = [
  { header: '回执号', width: 16 },
  { header: '评价时间（北京时间）', width: 18 },
  { header: '行政区划', width: 14 },
  { header: '责任单位', width: 26 },
  { header: '事项编码', width: 22 },
  { header: '事项名称', width: 26 },
  { header: '窗口', width: 14 },
  { header: '工作人员', width: 10 },
  { header: '评价等级', width: 10 },
  { header: '评价渠道', width: 10 },
  { header: '测评指标', width: 24 },
  { header: '文字评价（已脱敏）', width: 40 },
  { header: '评价人（已脱敏）', width: 18 },
  { header: '工单状态', width: 14 },
  { header: '下一时限', width: 10 },
  { header: '到期时间（北京时间）', width: 18 },
  { header: '剩余工作日', width: 10 },
  { header: '时限状态', width: 8 },
  { header: '答复期限（北京时间）', width: 18 },
  { header: '答复超期', width: 8 },
  { header: '已升级', width: 8 },
];

function raterText(row: DeskRow): string {
  if (row.is_anonymous || row.rater_masked === null) return '匿名';
  return [row.rater_masked.name, row.rater_masked.phone].filter((v) => v !== undefined && v !== '').join(' ');
}

/** The workbook, written row by row (ExcelJS's streaming writer: no in-memory model of 50,000 rows). */
export async function renderTicketsXlsx(rows: readonly DeskRow[], now: Date, view: DeskView): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = '政务服务“好差评”平台';
  workbook.created = now;
  workbook.modified = now;
  const sheet = workbook.addWorksheet(EXPORT_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEEEEE' } };
  header.commit();
  for (const row of rows) {
    const next = nextDeadline(ticketFromRow(row), now, view.calendar);
    const ticket = presentTicket(row, now);
    sheet
      .addRow([
        row.receipt_no,
        beijingMinute(row.evaluated_at),
        row.region_name,
        row.org_name,
        row.task_code ?? '',
        row.item_name ?? '',
        row.window_name ?? '',
        row.staff_name ?? '',
        LEVEL_NAMES[row.level]?.zh ?? String(row.level),
        CHANNELS_ZH.get(row.channel) ?? row.channel,
        indicatorNames(view.catalogue, row.indicator_version, row.indicator_codes).map((n) => n.zh).join('、'),
        row.comment === null ? '' : scrubComment(row.comment),
        raterText(row),
        ticketStateName(row.state),
        next ? DEADLINE_NAMES[next.name] : '',
        next ? beijingMinute(next.dueAt) : '',
        next ? next.workingDaysLeft : '',
        next ? URGENCY_NAMES[next.status] : '',
        beijingMinute(row.reply_due_at),
        ticket.overdue ? '是' : '否',
        row.escalated.length > 0 ? '是' : '否',
      ])
      .commit();
  }
  sheet.commit();
  await workbook.commit();
  await finished;
  return Buffer.concat(chunks);
}

/** Content-Disposition of the export: an ASCII fallback and the Chinese name as RFC 5987 filename*. */
export function exportDisposition(now: Date): string {
  const stamp = beijingMinute(now).replace(/[-: ]/g, '');
  return `attachment; filename="tickets-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`差评工单-${stamp}.xlsx`)}`;
}
