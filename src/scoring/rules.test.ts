import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleFigures } from './assemble.ts';
import { unitFigures, type UnitFigures } from './figures.ts';
import { parsePeriod, periodContaining, periodsEndingWith, previousPeriod, splitByMonths } from './periods.ts';
import { bottomOf, rankUnits, topOf } from './ranking.ts';
import { schemeProblems } from './scheme.ts';
import { isExcluded } from './exclusion.ts';
import { addCounts, emptyTally } from './tally.ts';
import { TEST_SCHEME } from '../../test/scheme.ts';

const SCHEME = TEST_SCHEME;

const figures = (compositeScore: number | null, activeEvaluations = 100) => ({ compositeScore, activeEvaluations }) as UnitFigures;

describe('periods', () => {
  it('parses every kind and refuses nonsense', () => {
    expect(parsePeriod('2026-11')).toEqual({ kind: 'month', key: '2026-11', fromDay: '2026-11-01', toDay: '2026-11-30' });
    expect(parsePeriod('2024-02')?.toDay).toBe('2024-02-29');
    expect(parsePeriod('2026-Q4')).toMatchObject({ fromDay: '2026-10-01', toDay: '2026-12-31' });
    expect(parsePeriod('2026-W01')).toMatchObject({ fromDay: '2025-12-29', toDay: '2026-01-04' });
    expect(parsePeriod('2026-W53')).toMatchObject({ fromDay: '2026-12-28', toDay: '2027-01-03' }); // 2026 begins on a Thursday
    expect(parsePeriod('2025-W53')).toBeNull();
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', fromDay: '2026-01-01', toDay: '2026-12-31' });
    expect(parsePeriod('2026-11-01..2026-11-15')).toMatchObject({ kind: 'range', fromDay: '2026-11-01', toDay: '2026-11-15' });
    for (const bad of ['2026-13', '2026-02-30', '2026-Q5', '2026-11-15..2026-11-01', 'x', '2026-11-01..2031-01-01', "2026'; DROP"]) expect(parsePeriod(bad)).toBeNull();
  });

  it('finds the period of a day and the ones before it', () => {
    expect(periodContaining('week', '2026-11-29').key).toBe('2026-W48');
    expect(periodContaining('week', '2027-01-01').key).toBe('2026-W53');
    expect(previousPeriod(parsePeriod('2026-01') as never).key).toBe('2025-12');
    expect(previousPeriod(parsePeriod('2026-Q1') as never).key).toBe('2025-Q4');
    expect(periodsEndingWith(parsePeriod('2026-03') as never, 3).map((p) => p.key)).toEqual(['2026-03', '2026-02', '2026-01']);
    expect(previousPeriod(parsePeriod('2026-11-11..2026-11-20') as never).key).toBe('2026-11-01..2026-11-10');
  });

  it('splits a range into whole months and loose days', () => {
    expect(splitByMonths('2026-06-01', '2026-06-30')).toEqual({ months: ['2026-06-01', '2026-06-01'], days: [] });
    expect(splitByMonths('2026-06-15', '2026-08-10')).toEqual({ months: ['2026-07-01', '2026-07-01'], days: [['2026-06-15', '2026-06-30'], ['2026-08-01', '2026-08-10']] });
    expect(splitByMonths('2026-06-15', '2026-06-20')).toEqual({ months: null, days: [['2026-06-15', '2026-06-20']] });
    expect(splitByMonths('2025-12-29', '2027-01-03')).toEqual({ months: ['2026-01-01', '2026-12-01'], days: [['2025-12-29', '2025-12-31'], ['2027-01-01', '2027-01-03']] });
    expect(splitByMonths('2026-06-02', '2026-07-30')).toEqual({ months: null, days: [['2026-06-02', '2026-07-30']] });
  });

  it('every day lies in the week, month, quarter and year that contain it', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (date) => {
        const day = date.toISOString().slice(0, 10);
        for (const kind of ['day', 'week', 'month', 'quarter', 'year'] as const) {
          const p = periodContaining(kind, day);
          expect(p.fromDay <= day && day <= p.toDay).toBe(true);
          expect(parsePeriod(p.key)).toEqual(p);
        }
      }),
    );
  });
});

describe('figures by hand', () => {
  it('computes the rates, the 100-point score and the composite', () => {
    const c = addCounts(emptyTally(), { active_5: 6, active_4: 2, active_3: 1, active_1: 1, default_3: 2, stages_completed: 12, stages_rated: 10, tickets: 1, replied: 1, replied_on_time: 1, called_back: 1, callback_satisfied: 1, inspections: 2, inspection_points: 17_000 });
    const f = unitFigures(c, 0, SCHEME);
    expect(f.evaluations).toBe(12);
    expect(f.goodRate).toBe(0.9167); // 11 / 12
    expect(f.activeGoodRate).toBe(0.9); // 9 / 10
    expect(f.unratedRate).toBe(0.1667); // 2 / 12
    expect(f.satisfactionScore).toBe(82); // (600 + 160 + 60 + 0) / 10
    expect(f.inspectionScore).toBe(85);
    expect(f.ticketPart).toBe(100);
    // 0.6×82 + 0.2×91.667 + 0.1×90 + 0.1×83.333 = 84.867; composite 0.7×84.867 + 0.2×100 + 0.1×85 = 87.907
    expect(f.evaluationPart).toBe(84.87);
    expect(f.compositeScore).toBe(87.91);
  });

  it('a unit without evaluations has no score; one without 差评 gets full ticket marks', () => {
    expect(unitFigures(emptyTally(), 0, SCHEME).compositeScore).toBeNull();
    expect(unitFigures(addCounts(emptyTally(), { active_5: 1 }), 0, SCHEME).ticketPart).toBe(100);
  });

  it('builds the composite from the exact figures and rounds once, at the end (snapshots of format 1 rounded first)', () => {
    // 1 × 满意, 5 × 非常满意, every stage rated, no 差评, no inspection.
    const c = { ...emptyTally(), active_4: 1, active_5: 5, stages_completed: 6, stages_rated: 6 };
    // Satisfaction (80 + 5 × 100) / 6 = 96.666…, shown 96.67; evaluation part 0.6 × 96.666… + 0.2 × 100
    // + 0.1 × 100 + 0.1 × 100 = 98 exactly; composite (0.7 × 98 + 0.2 × 100) / 0.9 = 98.444… → 98.44.
    const once = unitFigures(c, 0, SCHEME);
    expect(once).toMatchObject({ satisfactionScore: 96.67, evaluationPart: 98, ticketPart: 100, compositeScore: 98.44 });
    // Built from the shown 96.67: part 98.002, composite 98.4460 → 98.45, 0.01 off.
    expect(unitFigures(c, 0, SCHEME, 'legacy')).toMatchObject({ satisfactionScore: 96.67, evaluationPart: 98, compositeScore: 98.45 });
  });

  it('an evaluation is out after an upheld appeal, or while fraud stands confirmed', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, s));
    expect(isExcluded([])).toBe(false);
    expect(isExcluded([{ id: '1', kind: 'fraud_suspected', at: at(1) }])).toBe(false);
    expect(isExcluded([{ id: '1', kind: 'fraud_confirmed', at: at(1) }])).toBe(true);
    expect(isExcluded([{ id: '1', kind: 'fraud_confirmed', at: at(1) }, { id: '2', kind: 'fraud_cleared', at: at(2) }])).toBe(false);
    expect(isExcluded([{ id: '2', kind: 'fraud_cleared', at: at(1) }, { id: '1', kind: 'fraud_confirmed', at: at(2) }])).toBe(true);
    expect(isExcluded([{ id: '1', kind: 'appeal_upheld', at: at(1) }, { id: '2', kind: 'fraud_cleared', at: at(2) }])).toBe(true);
    // Held for review (待核查): out until a reviewer clears it; a confirmation keeps it out.
    expect(isExcluded([{ id: '1', kind: 'risk_held', at: at(1) }])).toBe(true);
    expect(isExcluded([{ id: '1', kind: 'risk_held', at: at(1) }, { id: '2', kind: 'fraud_cleared', at: at(2) }])).toBe(false);
    expect(isExcluded([{ id: '1', kind: 'risk_held', at: at(1) }, { id: '2', kind: 'fraud_confirmed', at: at(2) }])).toBe(true);
    expect(isExcluded([{ id: '1', kind: 'fraud_cleared', at: at(1) }, { id: '2', kind: 'risk_held', at: at(2) }])).toBe(true);
  });
});

describe('rankings', () => {
  it('shares ranks on ties, skips after them, and lists units under the minimum volume apart', () => {
    const ranking = rankUnits(
      [
        { unitId: 'a', name: '甲', figures: figures(90) },
        { unitId: 'b', name: '乙', figures: figures(95) },
        { unitId: 'c', name: '丙', figures: figures(90) },
        { unitId: 'd', name: '丁', figures: figures(80) },
        { unitId: 'e', name: '戊', figures: figures(99, 29) },
        { unitId: 'f', name: '己', figures: figures(null, 0) },
      ],
      30,
    );
    // Equal scores: same rank, listed by name (丙 U+4E19 before 甲 U+7532).
    expect(ranking.ranked.map((r) => [r.unitId, r.rank, r.tied])).toEqual([['b', 1, false], ['c', 2, true], ['a', 2, true], ['d', 4, false]]);
    expect(ranking.belowMinimum.map((r) => r.unitId).sort()).toEqual(['e', 'f']);
    expect(topOf(ranking, 2).map((r) => r.unitId).sort()).toEqual(['a', 'b', 'c']);
    expect(bottomOf(ranking, 1).map((r) => r.unitId)).toEqual(['d']);
    expect(bottomOf(ranking, 2).map((r) => r.unitId).sort()).toEqual(['a', 'c', 'd']);
  });

  it('ranks are non-decreasing, shared exactly by equal scores, and every eligible unit is ranked', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ score: fc.integer({ min: 0, max: 20 }), volume: fc.integer({ min: 0, max: 60 }) }), { maxLength: 30 }), (units) => {
        const ranking = rankUnits(units.map((u, i) => ({ unitId: `u${i}`, name: `单位${i}`, figures: figures(u.score, u.volume) })), 30);
        expect(ranking.ranked.length + ranking.belowMinimum.length).toBe(units.length);
        ranking.ranked.forEach((r, i) => {
          const higher = ranking.ranked.filter((o) => (o.figures.compositeScore as number) > (r.figures.compositeScore as number)).length;
          expect(r.rank).toBe(higher + 1);
          if (i > 0) expect(r.rank).toBeGreaterThanOrEqual((ranking.ranked[i - 1] as { rank: number }).rank);
        });
      }),
    );
  });

  it('ranks prefectures, counties and provincial departments separately, rolling counties up into their prefecture', () => {
    const period = parsePeriod('2026-11') as NonNullable<ReturnType<typeof parsePeriod>>;
    const regions = [
      { code: '510000', name: '四川省', level: 1, parent_code: null },
      { code: '510100', name: '成都市', level: 2, parent_code: '510000' },
      { code: '510104', name: '锦江区', level: 3, parent_code: '510100' },
      { code: '510105', name: '青羊区', level: 3, parent_code: '510100' },
      { code: '510300', name: '自贡市', level: 2, parent_code: '510000' },
    ];
    const orgs = [{ id: 'o1', name: '省公安厅', kind: 'department', region_code: '510000' }];
    const good = addCounts(emptyTally(), { active_5: 40 });
    const mixed = addCounts(emptyTally(), { active_5: 20, active_1: 20, tickets: 20 });
    const result = assembleFigures(period, { version: 't', effectiveFrom: '2000-01-01', definition: SCHEME }, { regions, orgs }, {
      regions: new Map([['510104', good], ['510105', mixed], ['510000', good]]),
      orgs: new Map([['o1', good]]),
      openOverdueByRegion: new Map([['510105', 3]]),
      openOverdueByOrg: new Map(),
    });
    const unit = (id: string) => result.units.find((u) => u.unitId === id)?.figures;
    expect(unit('510100')?.evaluations).toBe(80);
    expect(unit('510100')?.overdue).toBe(3);
    expect(unit('510000')?.evaluations).toBe(120);
    const byClass = Object.fromEntries(result.rankings.map((r) => [r.unitClass, r]));
    expect(byClass.prefecture?.ranked.map((r) => r.unitId)).toEqual(['510100']);
    expect(byClass.prefecture?.belowMinimum.map((r) => r.unitId)).toEqual(['510300']);
    expect(byClass.county?.ranked.map((r) => r.unitId)).toEqual(['510104', '510105']);
    expect(byClass.provincial_department?.ranked.map((r) => r.unitId)).toEqual(['o1']);
  });
});

describe('schemes', () => {
  it('accepts the initial scheme and refuses weights that do not add up or falling points', () => {
    expect(schemeProblems(SCHEME)).toEqual([]);
    expect(schemeProblems({ ...SCHEME, partWeights: { evaluation: 0.7, tickets: 0.2, inspection: 0.2 } })).toEqual(['partWeights must add up to 1']);
    expect(schemeProblems({ ...SCHEME, levelPoints: { ...SCHEME.levelPoints, '5': 10 } })).toEqual(['levelPoints must not fall as the level rises']);
    expect(schemeProblems({ ...SCHEME, extra: 1 }).length).toBeGreaterThan(0);
    expect(schemeProblems('x').length).toBeGreaterThan(0);
  });
});
