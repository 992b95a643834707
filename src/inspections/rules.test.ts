import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StaffCaller } from '../http/caller.ts';
import { mayReadInspectionAt, mayRecordInspectionAt } from './access.ts';
import { checkFindings, checkInspectedAt, checkTemplate, itemResultsOf, scorePointsOf, scoreResults, templateItemsOf, toCents, type TemplateItem } from './rules.ts';

const items: TemplateItem[] = [
  { code: 'A1', title: '窗口人员着装规范、佩戴工牌', points: 10 },
  { code: 'A2', title: '一次性告知办事所需材料', points: 30, description: '未一次性告知的不得分' },
  { code: 'B1', title: '办事指南与实际要求一致', points: 60 },
];

const refusalOf = (result: { ok: boolean; refusal?: unknown }) => (result.ok ? null : result.refusal);

describe('checklist templates', () => {
  it('accepts a checklist, trimming texts and dropping blank descriptions', () => {
    const result = checkTemplate({ code: ' hall-2026 ', name: ' 政务大厅暗访检查表 ', items: [{ code: 'A1', title: ' 着装规范 ', points: 12.5, description: '  ' }] });
    expect(result).toEqual({ ok: true, value: { code: 'hall-2026', name: '政务大厅暗访检查表', items: [{ code: 'A1', title: '着装规范', points: 12.5 }] } });
  });

  it.each([
    ['no items', { items: [] }, 'items'],
    ['101 items', { items: Array.from({ length: 101 }, (_, i) => ({ code: `I${i}`, title: '检查项', points: 1 })) }, 'items'],
    ['a duplicate item code', { items: [items[0], { ...items[1], code: 'A1' }] }, 'items[1].code'],
    ['zero points', { items: [{ code: 'A1', title: '检查项', points: 0 }] }, 'items[0].points'],
    ['negative points', { items: [{ code: 'A1', title: '检查项', points: -5 }] }, 'items[0].points'],
    ['three decimals', { items: [{ code: 'A1', title: '检查项', points: 1.005 }] }, 'items[0].points'],
    ['points above 1000', { items: [{ code: 'A1', title: '检查项', points: 1000.01 }] }, 'items[0].points'],
    ['an empty title', { items: [{ code: 'A1', title: '  ', points: 1 }] }, 'items[0].title'],
    ['a title with a line break', { items: [{ code: 'A1', title: '检查\n项', points: 1 }] }, 'items[0].title'],
    ['an item code with a space', { items: [{ code: 'A 1', title: '检查项', points: 1 }] }, 'items[0].code'],
    ['a bad template code', { code: '暗访表' }, 'code'],
    ['an empty name', { name: '' }, 'name'],
  ])('refuses %s', (_what, change, field) => {
    const refusal = refusalOf(checkTemplate({ code: 'hall', name: '暗访检查表', items, ...change } as Parameters<typeof checkTemplate>[0]));
    expect(refusal).toMatchObject({ code: 'INSPECTION_TEMPLATE_INVALID', details: { field } });
  });
});

describe('scoring an inspection', () => {
  it('scores the share of points awarded out of 100, keeping results in the template’s order with their maximum', () => {
    const result = scoreResults(items, [
      { code: 'B1', points: 45.5, finding: ' 材料清单与实际不符 ' },
      { code: 'A1', points: 10 },
      { code: 'A2', points: 0, finding: null },
    ]);
    expect(result).toEqual({
      ok: true,
      value: {
        scorePoints: 5550,
        results: [
          { code: 'A1', points: 10, max: 10 },
          { code: 'A2', points: 0, max: 30 },
          { code: 'B1', points: 45.5, max: 60, finding: '材料清单与实际不符' },
        ],
      },
    });
  });

  it('rounds half up to two decimals, exactly', () => {
    // 2/3 = 66.666…% → 66.67; 1/8 = 12.5% exactly; 1/16 = 6.25%; 1/200000 of a point rounds to 0.00 or 0.01.
    expect(scorePointsOf(200, 300)).toBe(6667);
    expect(scorePointsOf(100, 300)).toBe(3333);
    expect(scorePointsOf(1, 8)).toBe(1250);
    expect(scorePointsOf(1, 16)).toBe(625);
    expect(scorePointsOf(1, 20_000)).toBe(1); // 0.005 → 0.01 (half up)
    expect(scorePointsOf(1, 20_001)).toBe(0);
    expect(scorePointsOf(0, 1)).toBe(0);
    expect(scorePointsOf(7, 7)).toBe(10_000);
  });

  it.each([
    ['an unknown item', [{ code: 'Z9', points: 1 }], 'results[0].code'],
    ['an item twice', [{ code: 'A1', points: 1 }, { code: 'A1', points: 2 }], 'results[1].code'],
    ['a missing item', [{ code: 'A1', points: 1 }, { code: 'A2', points: 1 }], 'results'],
    ['points above the item’s', [{ code: 'A1', points: 10.01 }, { code: 'A2', points: 1 }, { code: 'B1', points: 1 }], 'results[0].points'],
    ['negative points', [{ code: 'A1', points: -1 }, { code: 'A2', points: 1 }, { code: 'B1', points: 1 }], 'results[0].points'],
    ['three decimals', [{ code: 'A1', points: 1 }, { code: 'A2', points: 1.001 }, { code: 'B1', points: 1 }], 'results[1].points'],
    ['a finding over 1000 characters', [{ code: 'A1', points: 1, finding: '差'.repeat(1001) }, { code: 'A2', points: 1 }, { code: 'B1', points: 1 }], 'results[0].finding'],
    ['a finding with a NUL', [{ code: 'A1', points: 1, finding: 'a\u0000b' }, { code: 'A2', points: 1 }, { code: 'B1', points: 1 }], 'results[0].finding'],
  ])('refuses %s', (_what, results, field) => {
    expect(refusalOf(scoreResults(items, results))).toMatchObject({ code: 'INSPECTION_INVALID', details: { field } });
  });

  it('takes a 1000-character finding with line breaks, counting a rare CJK character once', () => {
    const finding = `${'𠀀'.repeat(998)}\n好`;
    const result = scoreResults(items, [{ code: 'A1', points: 1, finding }, { code: 'A2', points: 1 }, { code: 'B1', points: 1 }]);
    expect(result.ok).toBe(true);
  });

  const template = fc
    .uniqueArray(fc.record({ code: fc.stringMatching(/^[A-Z][0-9]{1,3}$/), cents: fc.integer({ min: 1, max: 100_000 }) }), { minLength: 1, maxLength: 100, selector: (i) => i.code })
    .map((list) => list.map((i) => ({ code: i.code, title: '检查项', points: i.cents / 100 })));
  const inspection = template.chain((tpl) =>
    fc.tuple(
      fc.constant(tpl),
      fc.tuple(...tpl.map((item) => fc.integer({ min: 0, max: Math.round(item.points * 100) }))).map((cents) => cents.map((c) => c / 100)),
    ),
  );

  it('property: the score is within half a hundredth of the exact share, 100 for full marks, 0 for none, and never falls when an item gains', () => {
    fc.assert(
      fc.property(inspection, fc.nat(), ([tpl, awarded], pick) => {
        expect(checkTemplate({ code: 'p', name: '表', items: tpl }).ok).toBe(true);
        const result = scoreResults(tpl, tpl.map((item, i) => ({ code: item.code, points: awarded[i] ?? 0 })));
        if (!result.ok) throw new Error(JSON.stringify(result.refusal));
        const sumAwarded = awarded.reduce((a, b) => a + Math.round(b * 100), 0);
        const sumMax = tpl.reduce((a, b) => a + Math.round(b.points * 100), 0);
        const { scorePoints } = result.value;
        expect(Number.isInteger(scorePoints)).toBe(true);
        expect(scorePoints).toBeGreaterThanOrEqual(0);
        expect(scorePoints).toBeLessThanOrEqual(10_000);
        expect(Math.abs(scorePoints - (sumAwarded / sumMax) * 10_000)).toBeLessThanOrEqual(0.5 + 1e-9);
        if (sumAwarded === sumMax) expect(scorePoints).toBe(10_000);
        if (sumAwarded === 0) expect(scorePoints).toBe(0);
        // Raising one item to full marks never lowers the score.
        const i = pick % tpl.length;
        const raised = scoreResults(tpl, tpl.map((item, j) => ({ code: item.code, points: j === i ? item.points : (awarded[j] ?? 0) })));
        if (!raised.ok) throw new Error(JSON.stringify(raised.refusal));
        expect(raised.value.scorePoints).toBeGreaterThanOrEqual(scorePoints);
        // What is stored reads back the same.
        expect(itemResultsOf(JSON.parse(JSON.stringify(result.value.results)))).toEqual(result.value.results);
      }),
    );
  });

  it('property: points with two decimals survive toCents exactly, three decimals do not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), (n) => {
        expect(toCents(n / 100)).toBe(n);
        if (n % 10 !== 0) expect(toCents(n / 1000)).toBeNull();
      }),
    );
  });
});

describe('when and what else', () => {
  const now = new Date('2026-11-20T02:00:00Z');

  it('takes ISO 8601 and Beijing time, within the clock skew, and refuses the future and nonsense', () => {
    expect(checkInspectedAt('2026-11-19 15:30:00', now, 300)).toEqual({ ok: true, value: new Date('2026-11-19T07:30:00Z') });
    expect(checkInspectedAt('2026-11-20T02:04:59Z', now, 300).ok).toBe(true);
    expect(refusalOf(checkInspectedAt('2026-11-20T02:05:01Z', now, 300))).toMatchObject({ code: 'INSPECTION_INVALID', details: { field: 'inspectedAt', reason: 'in the future' } });
    expect(refusalOf(checkInspectedAt('2026-02-30 10:00:00', now, 300))).toMatchObject({ code: 'INSPECTION_INVALID', details: { field: 'inspectedAt' } });
    expect(refusalOf(checkInspectedAt('yesterday', now, 300))).toMatchObject({ code: 'INSPECTION_INVALID' });
  });

  it('keeps overall findings as trimmed text or null', () => {
    expect(checkFindings('  ')).toEqual({ ok: true, value: null });
    expect(checkFindings(' 总体较好\n个别窗口无人 ')).toEqual({ ok: true, value: '总体较好\n个别窗口无人' });
    expect(refusalOf(checkFindings('x'.repeat(5001)))).toMatchObject({ code: 'INSPECTION_INVALID', details: { field: 'findings' } });
  });

  it('reads stored items back and refuses corruption loudly', () => {
    expect(templateItemsOf(JSON.parse(JSON.stringify(items)))).toEqual(items);
    expect(() => templateItemsOf([{ code: 'A1', title: '检查项' }])).toThrow(TypeError);
    expect(() => itemResultsOf([null])).toThrow(TypeError);
  });
});

describe('who may record and read', () => {
  const place = { regionPath: '510000/510100/510104/', orgId: 'org-1' };
  const staff = (role: StaffCaller['role'], scope: { regionPath?: string; orgId?: string }): StaffCaller => ({
    kind: 'staff',
    accountId: 'a',
    username: 'u',
    role,
    regionPath: scope.regionPath ?? null,
    orgId: scope.orgId ?? null,
  });

  it('lets supervisors and province admins record within their region only', () => {
    expect(mayRecordInspectionAt(staff('supervisor', { regionPath: '510000/510100/' }), place)).toBe(true);
    expect(mayRecordInspectionAt(staff('province_admin', { regionPath: '510000/' }), place)).toBe(true);
    expect(mayRecordInspectionAt(staff('supervisor', { regionPath: '510000/510700/' }), place)).toBe(false);
    expect(mayRecordInspectionAt(staff('city_admin', { regionPath: '510000/510100/' }), place)).toBe(false);
    expect(mayRecordInspectionAt(staff('org_handler', { orgId: 'org-1' }), place)).toBe(false);
  });

  it('lets an org’s handlers read their own org’s inspections, nobody else’s', () => {
    expect(mayReadInspectionAt(staff('org_handler', { orgId: 'org-1' }), place)).toBe(true);
    expect(mayReadInspectionAt(staff('org_handler', { orgId: 'org-2' }), place)).toBe(false);
    expect(mayReadInspectionAt(staff('supervisor', { regionPath: '510000/510100/510104/' }), place)).toBe(true);
    expect(mayReadInspectionAt(staff('city_admin', { regionPath: '510000/' }), place)).toBe(false);
  });
});
