// The PDF and the workbook of a bulletin, from a hand-built document: read back as a reader and a
// spreadsheet would (pdftotext, exceljs).
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { sm3 } from '../crypto/sm.ts';
import { pageSizes, renderPdf } from '../posters/testing.ts';
import { missingTool } from '../../test/tools.ts';
import type { UnitFigures } from '../scoring/figures.ts';
import { BULLETIN_FORMAT, bulletinTitle, type BulletinDocument, type NamedUnit } from './document.ts';
import { PDF_TICKETS_LISTED, renderBulletinPdf } from './pdf.ts';
import type { ResponseStatus } from './presenter.ts';
import { renderBulletinXlsx, SHEETS } from './xlsx.ts';

const figures = (compositeScore: number, overdue: number): UnitFigures => ({
  evaluations: 120,
  activeEvaluations: 118,
  defaultEvaluations: 2,
  levels: [10, 8, 20, 40, 42],
  goodRate: 0.85,
  activeGoodRate: 0.8475,
  stagesCompleted: 150,
  stagesUnrated: 30,
  unratedRate: 0.2,
  tickets: 18,
  replyRate: 0.6667,
  onTimeRate: 0.5,
  callbackRate: 0.4167,
  callbackSatisfactionRate: 0.8,
  overdue,
  inspections: 1,
  inspectionScore: 72.5,
  satisfactionScore: 71.36,
  evaluationPart: 74.12,
  ticketPart: 55.3,
  compositeScore,
});

function unit(i: number, tickets: number): NamedUnit {
  return {
    unitKind: 'region',
    unitId: String(510100 + i),
    name: `测试县${i}`,
    regionCode: String(510100 + i),
    periods: [
      { key: '2026-10', rank: 20 - i, ranked: 20, tied: i === 1, figures: figures(60 + i / 10, tickets) },
      { key: '2026-09', rank: 19 - i, ranked: 20, tied: false, figures: figures(61 + i / 10, 1) },
    ],
    overdue: {
      count: tickets,
      tickets: Array.from({ length: Math.min(tickets, 100) }, (_, t) => ({
        receiptNo: `K7Q${i}-9XMD-${String(t).padStart(4, '0')}`,
        openedDay: '2026-10-03',
        replyDueAt: '2026-10-18T15:59:59.999Z',
        repliedAt: t % 2 === 0 ? null : '2026-10-20T02:00:00.000Z',
        state: t % 2 === 0 ? 'rectifying' : 'replied',
      })),
    },
    typicalComments: [
      { level: 1, day: '2026-10-05', comment: `测试县${i}窗口人员态度恶劣，电话【电话已隐去】` },
      { level: 2, day: '2026-10-06', comment: '材料要求反复变化，跑了三次' },
    ],
  };
}

function document(named: NamedUnit[]): BulletinDocument {
  const period = { kind: 'month' as const, key: '2026-10', fromDay: '2026-10-01', toDay: '2026-10-31' };
  return {
    format: BULLETIN_FORMAT,
    id: '0190f5a0-0000-7000-8000-000000000001',
    title: bulletinTitle('四川省', period),
    province: { code: '510000', name: '四川省' },
    period,
    unitClass: 'county',
    rule: { bottomN: 3, consecutivePeriods: 2, schemeVersion: '2026.1', fromScheme: true },
    periods: [
      { ...period, snapshotId: '0190f5a0-0000-7000-8000-000000000002', snapshotDigest: 'ab'.repeat(32), schemeVersion: '2026.1', ranked: 20, belowMinimum: 3 },
      { kind: 'month', key: '2026-09', fromDay: '2026-09-01', toDay: '2026-09-30', snapshotId: '0190f5a0-0000-7000-8000-000000000003', snapshotDigest: 'cd'.repeat(32), schemeVersion: '2026.1', ranked: 20, belowMinimum: 2 },
    ],
    named,
    issuedAt: '2026-11-25T02:00:00.000Z',
    issuedBy: 'account-1',
  };
}

describe('the bulletin PDF', () => {
  it.skipIf(missingTool('poppler'))('sets the title, rule, every unit with its figures, overdue tickets and comments, and the digest on every page', async () => {
    const named = Array.from({ length: 8 }, (_, i) => unit(i + 1, i === 0 ? PDF_TICKETS_LISTED + 7 : 3));
    const doc = document(named);
    const digest = sm3(JSON.stringify(doc)).toString('hex');
    const pdf = await renderBulletinPdf(doc, digest);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const sizes = pageSizes(pdf);
    expect(sizes.length).toBeGreaterThan(2);
    for (const size of sizes) expect(size).toEqual({ width: 595.28, height: 841.89 });
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Bold/);

    const pages = await renderPdf(pdf, 20);
    const text = pages.map((p) => p.text).join('\n');
    expect(text).toContain('四川省政务服务“好差评”情况通报（2026年10月）');
    expect(text).toContain('连续 2 个统计周期综合得分排名均处于同类单位后 3 名');
    expect(text).toContain('计分方案 2026.1');
    expect(text).toContain('县（市、区）');
    for (const u of named) {
      expect(text).toContain(u.name);
      expect(text).toContain((u.periods[0]?.figures.compositeScore ?? 0).toFixed(2));
    }
    expect(text).toContain('66.67%');
    expect(text).toContain(`超期工单 ${PDF_TICKETS_LISTED + 7} 件`);
    expect(text).toContain('另有 7 件');
    expect(text).toContain('K7Q1-9XMD-0000');
    expect(text).not.toContain(`K7Q1-9XMD-00${PDF_TICKETS_LISTED}`);
    expect(text).toContain('材料要求反复变化，跑了三次');
    expect(text).toContain('【非常不满意】');
    // Every page carries the digest and its number.
    for (const [i, page] of pages.entries()) {
      expect(page.text.replace(/\s+/g, '')).toContain(digest);
      expect(page.text.replace(/\s+/g, '')).toContain(`第${i + 1}页/共${pages.length}页`);
    }
  });

  it.skipIf(missingTool('poppler'))('says so when nobody is named', async () => {
    const pdf = await renderBulletinPdf(document([]), '00'.repeat(32));
    const [page] = await renderPdf(pdf, 20);
    expect(page?.text).toContain('本期没有连续 2 个周期均排名后 3 名的单位');
  });
});

describe('the bulletin workbook', () => {
  it('has the four sheets with a row per unit and period, per overdue ticket, per comment and per response', async () => {
    const named = [unit(1, 102), unit(2, 2)];
    const responses: ResponseStatus[] = [
      {
        unitKind: 'region',
        unitId: '510101',
        name: '测试县1',
        state: 'submitted',
        stateName: { zh: '已反馈待审核', en: '' },
        updatedAt: '2026-11-26T02:00:00.000Z',
        submissions: 1,
        events: [],
        latestSubmission: { text: '已约谈窗口负责人并完成整改', attachments: [{ name: '整改报告.pdf', uri: 'oss://x/1.pdf' }], at: '2026-11-26T02:00:00.000Z' },
        review: null,
      },
    ];
    const xlsx = await renderBulletinXlsx(document(named), 'ef'.repeat(32), responses);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([SHEETS.named, SHEETS.overdue, SHEETS.comments, SHEETS.responses]);
    expect(workbook.title).toBe('四川省政务服务“好差评”情况通报（2026年10月）');
    const rows = (name: string) => {
      const sheet = workbook.getWorksheet(name);
      const out: unknown[][] = [];
      sheet?.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const unitsSheet = rows(SHEETS.named);
    expect(unitsSheet[0]?.slice(0, 7)).toEqual(['序号', '单位', '单位类型', '代码', '统计周期', '综合得分', '排名']);
    expect(unitsSheet).toHaveLength(1 + 4);
    expect(unitsSheet[1]?.slice(0, 9)).toEqual([1, '测试县1', '行政区划', '510101', '2026年10月', 60.1, 19, 20, '是']);
    expect(unitsSheet[1]?.[11]).toBe(0.85);
    // 100 listed tickets, a note for the 2 not listed, then the second unit's 2.
    const overdue = rows(SHEETS.overdue);
    expect(overdue).toHaveLength(1 + 100 + 1 + 2);
    expect(overdue[1]).toEqual(['测试县1', 'K7Q1-9XMD-0000', '2026-10-03', '2026-10-18 23:59', '未答复', '整改中']);
    expect(overdue[101]?.[1]).toBe('另有 2 件未列出（共 102 件）');
    expect(rows(SHEETS.comments)).toHaveLength(1 + 4);
    expect(rows(SHEETS.comments)[1]).toEqual(['测试县1', '非常不满意', '2026-10-05', '测试县1窗口人员态度恶劣，电话【电话已隐去】']);
    expect(rows(SHEETS.responses)[1]).toEqual(['测试县1', '行政区划', '已反馈待审核', '2026-11-26 10:00', 1, '已约谈窗口负责人并完成整改', '整改报告.pdf']);
  });
});
