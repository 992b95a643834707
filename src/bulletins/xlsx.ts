// The bulletin as a workbook for the offices that follow it up: 通报对象 (each named unit's figures
// per period), 超期工单, 典型差评 and 整改反馈 (the accountability list as it stands). Pure: the
// document and the responses in, the .xlsx bytes out.
import ExcelJS from 'exceljs';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { type BulletinDocument, RESPONSE_STATE_NAMES } from './document.ts';
import { beijingTime, shortPeriod, ticketStateName } from './format.ts';
import type { ResponseStatus } from './presenter.ts';

export const SHEETS = { named: '通报对象', overdue: '超期工单', comments: '典型差评', responses: '整改反馈' } as const;

type Cell = string | number | null;

interface Column {
  header: string;
  width: number;
  /** Excel number format (rates as percentages). */
  format?: string;
}

function sheet(workbook: ExcelJS.Workbook, name: string, columns: readonly Column[], rows: readonly Cell[][]): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width, ...(c.format ? { style: { numFmt: c.format } } : {}) }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEEEEE' } };
  for (const row of rows) ws.addRow(row);
  return ws;
}

const kindName = (kind: 'region' | 'org') => (kind === 'region' ? '行政区划' : '部门');
const PCT = '0.00%';
const SCORE = '0.00';

/** The workbook; `digest` is the SM3 (hex) of the stored document text, `responses` the list as it stands. */
export async function renderBulletinXlsx(document: BulletinDocument, digest: string, responses: readonly ResponseStatus[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '政务服务“好差评”平台';
  workbook.title = document.title.zh;
  workbook.subject = document.title.en;
  workbook.description = `通报文件 SM3 摘要 / document digest: ${digest}`;
  workbook.created = new Date(document.issuedAt);
  workbook.modified = new Date(document.issuedAt);
  const periodName = (key: string) => shortPeriod(document.period.kind, key);

  sheet(
    workbook,
    SHEETS.named,
    [
      { header: '序号', width: 6 },
      { header: '单位', width: 28 },
      { header: '单位类型', width: 10 },
      { header: '代码', width: 38 },
      { header: '统计周期', width: 12 },
      { header: '综合得分', width: 10, format: SCORE },
      { header: '排名', width: 7 },
      { header: '参与排名单位数', width: 9 },
      { header: '名次并列', width: 8 },
      { header: '评价数', width: 9 },
      { header: '有效评价数', width: 10 },
      { header: '好评率', width: 10, format: PCT },
      { header: '主动评价好评率', width: 10, format: PCT },
      { header: '未评率', width: 10, format: PCT },
      { header: '差评数', width: 8 },
      { header: '差评回复率', width: 10, format: PCT },
      { header: '按时答复率', width: 10, format: PCT },
      { header: '回访整改率', width: 10, format: PCT },
      { header: '回访整改满意率', width: 10, format: PCT },
      { header: '超期数', width: 8 },
      { header: '满意度得分', width: 10, format: SCORE },
      { header: '暗访得分', width: 10, format: SCORE },
    ],
    document.named.flatMap((u, i) =>
      u.periods.map((p): Cell[] => [
        i + 1,
        u.name,
        kindName(u.unitKind),
        u.unitId,
        periodName(p.key),
        p.figures.compositeScore,
        p.rank,
        p.ranked,
        p.tied ? '是' : '否',
        p.figures.evaluations,
        p.figures.activeEvaluations,
        p.figures.goodRate,
        p.figures.activeGoodRate,
        p.figures.unratedRate,
        p.figures.tickets,
        p.figures.replyRate,
        p.figures.onTimeRate,
        p.figures.callbackRate,
        p.figures.callbackSatisfactionRate,
        p.figures.overdue,
        p.figures.satisfactionScore,
        p.figures.inspectionScore,
      ]),
    ),
  );

  const overdueRows: Cell[][] = [];
  for (const u of document.named) {
    for (const t of u.overdue.tickets) overdueRows.push([u.name, t.receiptNo, t.openedDay, beijingTime(t.replyDueAt), t.repliedAt ? beijingTime(t.repliedAt) : '未答复', ticketStateName(t.state)]);
    const unlisted = u.overdue.count - u.overdue.tickets.length;
    if (unlisted > 0) overdueRows.push([u.name, `另有 ${unlisted} 件未列出（共 ${u.overdue.count} 件）`, null, null, null, null]);
  }
  sheet(
    workbook,
    SHEETS.overdue,
    [
      { header: '单位', width: 28 },
      { header: '回执号', width: 18 },
      { header: '受理日期', width: 12 },
      { header: '答复期限', width: 18 },
      { header: '答复时间', width: 18 },
      { header: '状态', width: 14 },
    ],
    overdueRows,
  );

  sheet(
    workbook,
    SHEETS.comments,
    [
      { header: '单位', width: 28 },
      { header: '评价等级', width: 12 },
      { header: '评价日期', width: 12 },
      { header: '评价内容（已去除个人信息）', width: 80 },
    ],
    document.named.flatMap((u) => u.typicalComments.map((c): Cell[] => [u.name, LEVEL_NAMES[c.level]?.zh ?? String(c.level), c.day, c.comment])),
  );

  sheet(
    workbook,
    SHEETS.responses,
    [
      { header: '单位', width: 28 },
      { header: '单位类型', width: 10 },
      { header: '当前状态', width: 14 },
      { header: '最近操作时间', width: 18 },
      { header: '反馈次数', width: 9 },
      { header: '整改情况', width: 60 },
      { header: '佐证材料', width: 30 },
      { header: '审核意见', width: 40 },
    ],
    responses.map((r): Cell[] => [
      r.name,
      kindName(r.unitKind),
      RESPONSE_STATE_NAMES[r.state].zh,
      beijingTime(r.updatedAt),
      r.submissions,
      r.latestSubmission?.text ?? null,
      r.latestSubmission?.attachments.map((a) => a.name).join('；') || null,
      r.review ? `${RESPONSE_STATE_NAMES[r.review.state].zh}${r.review.text ? `：${r.review.text}` : ''}` : null,
    ]),
  );

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
