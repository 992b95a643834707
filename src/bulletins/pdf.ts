// The bulletin as a print-ready A4 PDF, Chinese first: title, the rule it applied, the named units
// with their figures per period, their overdue tickets and typical 差评, and on every page the SM3
// digest of the stored document. A pure function of the document (and the embedded Noto Sans SC
// subset of src/posters/fonts.ts): no I/O.
import PDFDocument from 'pdfkit';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { posterFont } from '../posters/fonts.ts';
import { type BulletinDocument, type NamedUnit, periodLabel, unitClassName } from './document.ts';
import { beijingTime, percent, points, shortPeriod, ticketStateName } from './format.ts';

const A4 = { width: 595.28, height: 841.89 };
const MM = 72 / 25.4;
const MARGIN = 18 * MM;
const WIDTH = A4.width - 2 * MARGIN;
const FOOTER_TOP = A4.height - 12 * MM;
const BOTTOM = FOOTER_TOP - 4 * MM;
const INK = '#1a1a1a';
const GREY = '#5c5c5c';
const ACCENT = '#b3261e';
const RULE = '#9e9e9e';
const HEADER_FILL = '#eeeeee';

/** Overdue tickets printed per unit (the workbook has them all). */
export const PDF_TICKETS_LISTED = 20;

type Font = 'regular' | 'bold';

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'center' | 'right';
}

/** A cursor down the pages: every drawing call first makes sure its height fits. */
class Writer {
  y = MARGIN;
  constructor(readonly doc: PDFKit.PDFDocument) {}

  newPage(): void {
    this.doc.addPage({ size: [A4.width, A4.height], margin: 0 });
    this.y = MARGIN;
  }

  ensure(height: number): void {
    if (this.y + height > BOTTOM) this.newPage();
  }

  text(value: string, options: { font?: Font; size?: number; color?: string; align?: 'left' | 'center'; after?: number; indent?: number } = {}): void {
    const { font = 'regular', size = 10.5, color = INK, align = 'left', after = 4, indent = 0 } = options;
    const width = WIDTH - indent;
    this.doc.font(font).fontSize(size);
    const height = this.doc.heightOfString(value, { width, lineGap: 2 });
    this.ensure(height);
    this.doc.fillColor(color).text(value, MARGIN + indent, this.y, { width, align, lineGap: 2 });
    this.y += height + after;
  }

  heading(value: string): void {
    this.ensure(40);
    this.y += 6;
    this.text(value, { font: 'bold', size: 13, after: 6 });
  }

  table(columns: readonly Column[], rows: readonly string[][], size = 8.5): void {
    const pad = 3;
    const doc = this.doc;
    const heightOf = (cells: readonly string[], font: Font) => {
      doc.font(font).fontSize(size);
      return Math.max(...cells.map((cell, i) => doc.heightOfString(cell, { width: (columns[i]?.width ?? 0) - 2 * pad }))) + 2 * pad;
    };
    const drawRow = (cells: readonly string[], font: Font, height: number, fill: string | null) => {
      let x = MARGIN;
      for (const [i, column] of columns.entries()) {
        if (fill) doc.rect(x, this.y, column.width, height).fillColor(fill).fill();
        doc.rect(x, this.y, column.width, height).lineWidth(0.5).strokeColor(RULE).stroke();
        doc.font(font).fontSize(size).fillColor(INK).text(cells[i] ?? '', x + pad, this.y + pad, { width: column.width - 2 * pad, align: column.align ?? 'left' });
        x += column.width;
      }
      this.y += height;
    };
    const header = columns.map((c) => c.header);
    const headerHeight = heightOf(header, 'bold');
    this.ensure(headerHeight + heightOf(rows[0] ?? header, 'regular'));
    drawRow(header, 'bold', headerHeight, HEADER_FILL);
    for (const row of rows) {
      const height = heightOf(row, 'regular');
      if (this.y + height > BOTTOM) {
        // A table going on to the next page repeats its header.
        this.newPage();
        drawRow(header, 'bold', headerHeight, HEADER_FILL);
      }
      drawRow(row, 'regular', height, null);
    }
    this.y += 6;
  }
}

/** Column widths in proportion, filling the text width. */
function columns(spec: ReadonlyArray<[header: string, weight: number, align?: Column['align']]>): Column[] {
  const total = spec.reduce((sum, [, weight]) => sum + weight, 0);
  return spec.map(([header, weight, align]) => ({ header, width: (WIDTH * weight) / total, ...(align ? { align } : {}) }));
}

function ruleText(document: BulletinDocument): { zh: string; en: string } {
  const { bottomN, consecutivePeriods, schemeVersion, fromScheme } = document.rule;
  const source = fromScheme ? `计分方案 ${schemeVersion} 规定` : `签发时指定（计分方案 ${schemeVersion}）`;
  return {
    zh: `通报规则：连续 ${consecutivePeriods} 个统计周期综合得分排名均处于同类单位后 ${bottomN} 名（名次并列的一并计入；有效评价数未达最低要求的单位不参与排名）。规则依据：${source}。`,
    en: `Rule: units ranked in the bottom ${bottomN} of their class by composite score in each of ${consecutivePeriods} consecutive periods (ties included; units below the minimum volume are not ranked). Scheme ${schemeVersion}${fromScheme ? '' : ', N and K set at issue'}.`,
  };
}

const rankText = (p: NamedUnit['periods'][number]) => `${p.rank}/${p.ranked}${p.tied ? '（并列）' : ''}`;

function drawUnit(w: Writer, document: BulletinDocument, unit: NamedUnit, index: number): void {
  w.heading(`${index + 1}. ${unit.name}`);
  const figureColumns = columns([
    ['统计周期', 1.3],
    ['综合得分', 1, 'right'],
    ['排名', 1, 'center'],
    ['有效评价', 1, 'right'],
    ['好评率', 1.1, 'right'],
    ['差评数', 0.9, 'right'],
    ['差评回复率', 1.1, 'right'],
    ['按时答复率', 1.1, 'right'],
    ['回访满意率', 1.1, 'right'],
    ['超期', 0.8, 'right'],
  ]);
  const kind = document.period.kind;
  w.table(
    figureColumns,
    unit.periods.map((p) => [
      shortPeriod(kind, p.key),
      points(p.figures.compositeScore),
      rankText(p),
      String(p.figures.activeEvaluations),
      percent(p.figures.goodRate),
      String(p.figures.tickets),
      percent(p.figures.replyRate),
      percent(p.figures.onTimeRate),
      percent(p.figures.callbackSatisfactionRate),
      String(p.figures.overdue),
    ]),
  );

  w.text(`超期工单 ${unit.overdue.count} 件 / Overdue tickets: ${unit.overdue.count}`, { font: 'bold', size: 10.5 });
  if (unit.overdue.count > 0) {
    const listed = unit.overdue.tickets.slice(0, PDF_TICKETS_LISTED);
    w.table(
      columns([
        ['回执号', 1.4],
        ['受理日期', 1],
        ['答复期限', 1.3],
        ['答复时间', 1.3],
        ['状态', 1.2],
      ]),
      listed.map((t) => [t.receiptNo, t.openedDay, beijingTime(t.replyDueAt), t.repliedAt ? beijingTime(t.repliedAt) : '未答复', ticketStateName(t.state)]),
    );
    if (unit.overdue.count > listed.length) w.text(`另有 ${unit.overdue.count - listed.length} 件，详见电子表格“超期工单”。/ ${unit.overdue.count - listed.length} more in the workbook.`, { size: 9, color: GREY });
  }

  w.text('典型差评 / Typical bad ratings', { font: 'bold', size: 10.5 });
  if (unit.typicalComments.length === 0) w.text('本期无可引用的文字差评。/ No quotable comment this period.', { size: 9.5, color: GREY });
  for (const c of unit.typicalComments) {
    w.text(`· 【${LEVEL_NAMES[c.level]?.zh ?? c.level}】${c.day}：${c.comment}`, { size: 9.5, indent: 6, after: 3 });
  }
}

/** The bulletin as an A4 PDF; `digest` is the SM3 (hex) of the stored document text. */
export async function renderBulletinPdf(document: BulletinDocument, digest: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: [A4.width, A4.height],
    margin: 0,
    bufferPages: true,
    compress: true,
    lang: 'zh-CN',
    info: { Title: document.title.zh, Author: '政务服务“好差评”平台', Subject: document.title.en, Keywords: `SM3:${digest}`, CreationDate: new Date(document.issuedAt), ModDate: new Date(document.issuedAt) },
  });
  doc.registerFont('regular', posterFont('regular'));
  doc.registerFont('bold', posterFont('bold'));
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const w = new Writer(doc);
  w.text(document.title.zh, { font: 'bold', size: 18, align: 'center', after: 2 });
  w.text(document.title.en, { size: 10, color: GREY, align: 'center', after: 8 });
  doc.moveTo(MARGIN + WIDTH * 0.2, w.y).lineTo(MARGIN + WIDTH * 0.8, w.y).lineWidth(1.2).strokeColor(ACCENT).stroke();
  w.y += 10;

  const className = unitClassName(document.unitClass);
  const periods = [...document.periods].reverse().map((p) => periodLabel(p).zh).join('、');
  const rule = ruleText(document);
  w.text(`通报对象：${className.zh} / ${className.en}`);
  w.text(`统计周期：${periods}`);
  w.text(rule.zh);
  w.text(rule.en, { size: 9, color: GREY });
  w.text(`签发时间：${beijingTime(document.issuedAt)}（北京时间）`, { after: 8 });

  w.heading('一、通报对象 / Units named');
  if (document.named.length === 0) {
    w.text(`本期没有连续 ${document.rule.consecutivePeriods} 个周期均排名后 ${document.rule.bottomN} 名的单位。/ No unit ranked in the bottom ${document.rule.bottomN} in all ${document.rule.consecutivePeriods} periods.`);
  } else {
    w.table(
      columns([
        ['序号', 0.6, 'center'],
        ['单位', 2.6],
        ['综合得分', 1, 'right'],
        ['排名', 1, 'center'],
        ['超期工单', 0.9, 'right'],
        ['各期排名', 2.4],
      ]),
      document.named.map((u, i) => {
        const newest = u.periods[0];
        return [
          String(i + 1),
          u.name,
          points(newest?.figures.compositeScore ?? null),
          newest ? rankText(newest) : '',
          String(u.overdue.count),
          u.periods.map((p) => `${shortPeriod(document.period.kind, p.key)} ${p.rank}/${p.ranked}`).join('；'),
        ];
      }),
    );
    w.heading('二、各单位情况 / Each unit');
    document.named.forEach((unit, i) => drawUnit(w, document, unit, i));
    w.heading('三、整改要求 / What is required');
    w.text('被通报单位应对照通报问题逐项整改，并在平台“整改反馈”中提交整改情况及佐证材料，由上级督查部门审核。/ Each unit named reports its rectification with evidence in the accountability list; the supervising level reviews it.');
  }

  // The footer of every page: the digest of the stored document, and the page number.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.font('regular').fontSize(7).fillColor(GREY);
    doc.text(`通报文件 SM3 摘要 / digest: ${digest}`, MARGIN, FOOTER_TOP, { width: WIDTH * 0.82, lineBreak: false });
    doc.text(`第 ${i + 1} 页 / 共 ${range.count} 页`, MARGIN + WIDTH * 0.82, FOOTER_TOP, { width: WIDTH * 0.18, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;
}
