// The honor roll as a pure function of a period's figures: top 10 per class with ties, hostile
// names escaped, the units left unranked counted, and a scoring note that says what the code does.
import { describe, expect, it } from 'vitest';
import { UNIT_CLASSES, type FiguredUnit, type PeriodFigures, type UnitClass } from '../scoring/document.ts';
import { unitFigures, type UnitFigures } from '../scoring/figures.ts';
import { rankUnits } from '../scoring/ranking.ts';
import type { SchemeDefinition } from '../scoring/scheme.ts';
import { emptyTally } from '../scoring/tally.ts';
import { honorRollOf, scoringNote, type HonorRollView, type PeriodRef } from './honor-roll.ts';
import { periodName, renderHonorRoll, renderProblem, renderVerifyPage } from './render.ts';
import { TEST_SCHEME } from '../../test/scheme.ts';

const SCHEME = TEST_SCHEME;

const OCTOBER: PeriodRef = { kind: 'month', key: '2026-10', fromDay: '2026-10-01', toDay: '2026-10-31' };

const figures = (compositeScore: number | null, activeEvaluations: number, goodRate = 0.95): UnitFigures => ({
  ...unitFigures(emptyTally(), 0, SCHEME),
  evaluations: activeEvaluations + 2,
  activeEvaluations,
  goodRate,
  compositeScore,
});

interface UnitSpec {
  unitClass: UnitClass;
  id: string;
  name: string;
  score: number | null;
  active?: number;
  goodRate?: number;
}

/** A period's figures as src/scoring/assemble.ts builds them: every class ranked by rankUnits. */
function periodFigures(specs: UnitSpec[], scheme = SCHEME): PeriodFigures {
  const units: FiguredUnit[] = specs.map((s) => ({
    unitKind: s.unitClass === 'provincial_department' ? 'org' : 'region',
    unitId: s.id,
    name: s.name,
    regionCode: s.unitClass === 'provincial_department' ? '510000' : s.id,
    regionLevel: s.unitClass === 'prefecture' ? 2 : s.unitClass === 'county' ? 3 : null,
    figures: figures(s.score, s.active ?? 100, s.goodRate),
  }));
  return {
    period: OCTOBER,
    scheme: { version: '2026.1', definition: scheme },
    units,
    rankings: UNIT_CLASSES.map((unitClass) => {
      const members = specs.filter((s) => s.unitClass === unitClass).map((s) => units.find((u) => u.unitId === s.id) as FiguredUnit);
      const ranking = rankUnits(members, scheme.minimumVolume);
      return {
        unitClass,
        ranked: ranking.ranked.map((r) => ({ unitId: r.unitId, name: r.name, rank: r.rank, tied: r.tied, compositeScore: r.figures.compositeScore ?? 0 })),
        belowMinimum: ranking.belowMinimum.map((r) => ({ unitId: r.unitId, name: r.name, activeEvaluations: r.figures.activeEvaluations })),
      };
    }),
  };
}

function view(f: PeriodFigures, overrides: Partial<HonorRollView> = {}): HonorRollView {
  return {
    period: OCTOBER,
    status: 'published',
    roll: honorRollOf(f),
    seal: { digest: 'ab'.repeat(32), keyId: 'sm2-2026', closedAt: new Date('2026-11-20T02:00:00Z') },
    asOf: null,
    pending: null,
    published: [OCTOBER],
    currentMonth: { kind: 'month', key: '2026-11', fromDay: '2026-11-01', toDay: '2026-11-30' },
    ...overrides,
  };
}

// Twelve counties: 9 distinct scores, then three tied at 10th place, then one more.
const COUNTIES: UnitSpec[] = [
  ...Array.from({ length: 9 }, (_, i) => ({ unitClass: 'county' as const, id: `5101${String(i + 10)}`, name: `县${i + 1}`, score: 99 - i })),
  { unitClass: 'county', id: '510120', name: '并列甲县', score: 80 },
  { unitClass: 'county', id: '510121', name: '并列乙县', score: 80 },
  { unitClass: 'county', id: '510122', name: '并列丙县', score: 80 },
  { unitClass: 'county', id: '510123', name: '第十三县', score: 70 },
];

describe('honorRollOf', () => {
  it('ranks each class apart and keeps every unit tied at 10th place', () => {
    const roll = honorRollOf(
      periodFigures([
        ...COUNTIES,
        { unitClass: 'prefecture', id: '510100', name: '成都市', score: 90 },
        { unitClass: 'prefecture', id: '510300', name: '自贡市', score: 95 },
        { unitClass: 'provincial_department', id: 'org-1', name: '省公安厅', score: 88 },
      ]),
    );
    expect(roll.classes.map((c) => c.unitClass)).toEqual(['prefecture', 'county', 'provincial_department']);
    const [prefectures, counties, departments] = roll.classes;
    expect(prefectures?.entries.map((e) => [e.rank, e.name])).toEqual([
      [1, '自贡市'],
      [2, '成都市'],
    ]);
    expect(departments?.entries.map((e) => e.name)).toEqual(['省公安厅']);
    expect(counties?.entries).toHaveLength(12);
    expect(counties?.entries.slice(9).map((e) => [e.rank, e.tied, e.name])).toEqual([
      [10, true, '并列丙县'],
      [10, true, '并列乙县'],
      [10, true, '并列甲县'],
    ]);
    expect(counties?.entries.slice(0, 9).every((e) => !e.tied)).toBe(true);
    expect(counties?.rankedCount).toBe(13);
  });

  it('counts the units under the minimum volume and leaves them off', () => {
    const roll = honorRollOf(
      periodFigures([
        { unitClass: 'prefecture', id: '510100', name: '成都市', score: 90 },
        { unitClass: 'prefecture', id: '510300', name: '自贡市', score: 99, active: 29 },
        { unitClass: 'prefecture', id: '510400', name: '攀枝花市', score: null, active: 0 },
      ]),
    );
    const prefectures = roll.classes[0];
    expect(prefectures?.entries.map((e) => e.name)).toEqual(['成都市']);
    expect(prefectures?.belowMinimumCount).toBe(2);
  });
});

/** What a reader sees of some HTML: the text without tags or entities. */
const textOf = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ');

describe('renderHonorRoll', () => {
  const zh = (v: HonorRollView) => renderHonorRoll(v, 'zh').body;

  it('marks ties 并列, and only ties', () => {
    const html = zh(view(periodFigures(COUNTIES)));
    const items = html.match(/<li><p class="rank">.*?<\/li>/g) ?? [];
    expect(items).toHaveLength(12);
    const tiedNames = items.filter((li) => li.includes('<small>并列</small>')).map((li) => /class="name">([^<]*)</.exec(li)?.[1]);
    expect(tiedNames).toEqual(['并列丙县', '并列乙县', '并列甲县']);
    expect(html).toContain('<span class="sr">第</span>10<span class="sr">名</span><small>并列');
    expect(html).not.toContain('第十三县');
  });

  it('shows score, 好评率 and evaluations of each entry', () => {
    const html = zh(view(periodFigures([{ unitClass: 'prefecture', id: '510100', name: '成都市', score: 93.5, active: 12345, goodRate: 0.9876 }])));
    expect(html).toContain('<dd>93.50</dd>');
    expect(html).toContain('<dd>98.76%</dd>');
    expect(html).toContain('<dd>12,347</dd>');
  });

  it('shows each entry by its public name (a county with its 市（州）)', () => {
    const v = view(periodFigures([{ unitClass: 'county', id: '510104', name: '锦江区', score: 90 }]));
    const roll = v.roll;
    if (!roll) throw new Error('no roll');
    const named = { ...roll, classes: roll.classes.map((c) => ({ ...c, entries: c.entries.map((entry) => ({ ...entry, displayName: '成都市锦江区' })) })) };
    expect(zh({ ...v, roll: named })).toContain('<p class="name">成都市锦江区</p>');
  });

  it('escapes hostile unit names and never lets markup through', () => {
    const hostile = `<img src=x onerror="alert(1)">&'</li><script>x</script>`;
    const html = zh(view(periodFigures([{ unitClass: 'provincial_department', id: 'org-x', name: hostile, score: 90 }])));
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&lt;/li&gt;&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script/i);
    const problem = renderProblem('zh', { zh: '统计周期格式错误', en: 'Malformed period' }, { published: [], currentMonth: OCTOBER }, `"><script>alert(1)</script>`).body;
    expect(problem).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(problem).not.toMatch(/<script/i);
  });

  it('speaks one language at a time: Chinese, or English by the switch', () => {
    const v = view(
      periodFigures([
        { unitClass: 'county', id: '510104', name: '锦江区', score: 90 },
        { unitClass: 'county', id: '510105', name: '青羊区', score: 91, active: 3 },
        { unitClass: 'county', id: '510106', name: '金牛区', score: 92, active: 29 },
      ]),
    );
    const chinese = renderHonorRoll(v, 'zh');
    expect(chinese.body).toContain('另有 2 个单位本期主动评价不足 30 条，未参加排名。');
    expect(chinese.body).toContain('本期没有单位达到参加排名的评价量');
    // No English word among the Chinese (and the other way round, but for the units' own names).
    expect(textOf(chinese.body)).not.toMatch(/[A-Za-z]{3,}/);
    expect(chinese.body).not.toContain('lang="en"');
    expect(chinese.title).toBe('2026年10月好评榜');
    const english = renderHonorRoll(v, 'en');
    expect(english.body).toContain('2 more units had fewer than 30 ratings given by people and were not ranked.');
    expect(textOf(english.body).replace(/锦江区/g, '')).not.toMatch(/[\u4e00-\u9fff]/);
    expect(english.title).toBe('Honor roll, October 2026');
    expect(english.body).not.toContain('青羊区');
  });

  it('leaves the checking jargon to the page on how to verify, and links to it', () => {
    const roll = zh(view(periodFigures(COUNTIES)));
    for (const jargon of ['ab'.repeat(32), 'sm2-2026', 'SM3', 'npm run cli', '关账时间']) expect(roll).not.toContain(jargon);
    expect(roll).toContain('已发布');
    expect(roll).toContain('2026-10-01 至 2026-10-31');
    expect(roll).toContain('<a href="/honor-roll/verify?period=2026-10">如何核验</a>');
    const verify = renderVerifyPage(view(periodFigures(COUNTIES)), 'zh').body;
    expect(verify).toContain('ab'.repeat(32));
    expect(verify).toContain('sm2-2026');
    expect(verify).toContain('SM2');
    expect(verify).toContain('npm run cli -- verify-snapshot 2026-10');
    expect(verify).toContain('2026.1');
    expect(verify).toContain('2026-11-20 10:00（北京时间）');
    expect(verify).toContain('href="/api/v1/public/honor-roll?period=2026-10"');
    expect(verify).toContain('签名就像公章');
    // An unpublished period has nothing to check, and says so.
    const live = renderVerifyPage(view(periodFigures(COUNTIES), { status: 'live', seal: null }), 'zh').body;
    expect(live).not.toContain('npm run cli');
    expect(live).toContain('尚未发布');
  });

  it('labels live figures 实时（未发布） and says when a period is not published', () => {
    const f = periodFigures(COUNTIES);
    const november: PeriodRef = { kind: 'month', key: '2026-11', fromDay: '2026-11-01', toDay: '2026-11-30' };
    const liveView = view(f, { period: november, status: 'live', seal: null, asOf: new Date('2026-11-15T04:00:00Z'), pending: 'not_ended' });
    const live = zh(liveView);
    expect(live).toContain('实时（未发布）');
    expect(renderHonorRoll(liveView, 'en').body).toContain('Live, not yet published');
    expect(live).toContain('截至 2026-11-15 12:00');
    expect(live).not.toContain('如何核验</a>');
    const noneView = view(f, { period: { kind: 'quarter', key: '2026-Q3', fromDay: '2026-07-01', toDay: '2026-09-30' }, status: 'not_published', roll: null, seal: null, pending: 'awaiting_close' });
    expect(zh(noneView)).toContain('2026年第3季度的结果尚未发布');
    expect(renderHonorRoll(noneView, 'en').body).toContain('The figures for Q3 2026 are not published yet.');
    expect(zh(noneView)).not.toContain('<ol');
  });

  it('offers the periods as plain links and a GET form, with no script', () => {
    const html = zh(view(periodFigures(COUNTIES)));
    expect(html).toContain('<a href="/honor-roll?period=2026-10" aria-current="page">2026年10月</a>');
    expect(html).toContain('<a href="/honor-roll?period=2026-11">本月（实时）');
    expect(html).toContain('<form class="period-form" method="get" action="/honor-roll">');
    expect(html).not.toMatch(/<script/i);
  });

  it('names periods in both languages', () => {
    expect(periodName({ kind: 'year', key: '2026', fromDay: '2026-01-01' })).toEqual({ zh: '2026年度', en: '2026' });
    expect(periodName({ kind: 'week', key: '2026-W48', fromDay: '2026-11-23' })).toEqual({ zh: '2026年第48周', en: 'Week 48 of 2026' });
    expect(periodName({ kind: 'day', key: '2026-11-28', fromDay: '2026-11-28' })).toEqual({ zh: '2026年11月28日', en: '28 November 2026' });
  });
});

describe('scoringNote', () => {
  it('names the points, weights and minimum volume of the scheme actually used', () => {
    const scheme: SchemeDefinition = {
      ...SCHEME,
      levelPoints: { '1': 0, '2': 30, '3': 65, '4': 85, '5': 100 },
      metricWeights: { satisfactionScore: 0.5, goodRate: 0.3, activeGoodRate: 0.2, ratedRate: 0 },
      partWeights: { evaluation: 0.55, tickets: 0.25, inspection: 0.2 },
      minimumVolume: 25,
      countDefaultsInSatisfaction: true,
    };
    const note = scoringNote(scheme, '2027.2');
    const zh = note.zh.join('\n');
    const en = note.en.join('\n');
    expect(zh).toContain('非常满意 100 分，满意 85 分，基本满意 65 分，不满意 30 分，非常不满意 0 分');
    expect(zh).toContain('全部评价（含系统默认评价）');
    // 好评 = not 差评: 基本满意 counts as good.
    expect(zh).toContain('好评指基本满意、满意和非常满意；');
    expect(en).toContain('Good means basically satisfied, satisfied or very satisfied;');
    expect(zh).toContain('评价得分 = 满意度得分 × 50% + 好评率 × 30% + 主动评价好评率 × 20%。');
    expect(zh).toContain('综合得分 = 评价得分 × 55% + 差评整改得分 × 25% + 调查暗访得分 × 20%');
    expect(zh).toContain('差评回复率 × 30% + 按时答复率 × 30% + 回访整改率 × 20% + 回访整改满意率 × 20%');
    expect(zh).toContain('不足 25 条');
    expect(zh).toContain('2027.2');
    expect(en).toContain('Composite score = evaluation part × 55% + ticket part × 25% + inspection score × 20%');
    expect(en).toContain('fewer than 25 active evaluations');
    // A weight of 0 is left out rather than shown as "× 0%".
    expect(zh).not.toContain('已评率 ×');
    // The note in the page comes from the figures' own scheme.
    const html = renderHonorRoll(view(periodFigures(COUNTIES, scheme)), 'zh').body;
    expect(html).toContain('评价得分 × 55%');
  });

  it('states a formula that reproduces the computed figures', () => {
    // A unit with every part present (rates are kept to four decimals, hence one decimal of tolerance): evaluations of each level, stages, tickets and an inspection.
    const counts = {
      ...emptyTally(),
      active_1: 1, active_2: 2, active_3: 3, active_4: 10, active_5: 34, default_4: 5,
      stages_completed: 60, stages_rated: 48,
      tickets: 3, replied: 3, replied_on_time: 2, replied_late: 1, called_back: 2, callback_satisfied: 1,
      inspections: 2, inspection_points: 2 * 9000,
    };
    const f = unitFigures(counts, 0, SCHEME);
    const p = SCHEME.levelPoints;
    const satisfaction = (1 * p['1'] + 2 * p['2'] + 3 * p['3'] + 10 * p['4'] + 34 * p['5']) / 50;
    expect(f.satisfactionScore).toBeCloseTo(satisfaction, 1);
    const m = SCHEME.metricWeights;
    const evaluation = satisfaction * m.satisfactionScore + (52 / 55) * 100 * m.goodRate + (47 / 50) * 100 * m.activeGoodRate + (48 / 60) * 100 * m.ratedRate;
    expect(f.evaluationPart).toBeCloseTo(evaluation, 1);
    const t = SCHEME.ticketWeights;
    const tickets = 100 * t.replyRate + (2 / 3) * 100 * t.onTimeRate + (2 / 3) * 100 * t.callbackRate + (1 / 2) * 100 * t.callbackSatisfactionRate;
    expect(f.ticketPart).toBeCloseTo(tickets, 1);
    const w = SCHEME.partWeights;
    expect(f.compositeScore).toBeCloseTo(evaluation * w.evaluation + tickets * w.tickets + 90 * w.inspection, 1);
    // And a unit without inspections shares the inspection weight out, as the note says.
    const noInspection = unitFigures({ ...counts, inspections: 0, inspection_points: 0 }, 0, SCHEME);
    expect(noInspection.compositeScore).toBeCloseTo((evaluation * w.evaluation + tickets * w.tickets) / (w.evaluation + w.tickets), 1);
    const note = scoringNote(SCHEME, '2026.1').zh.join('\n');
    expect(note).toContain('综合得分 = 评价得分 × 70% + 差评整改得分 × 20% + 调查暗访得分 × 10%');
    expect(note).toContain('评价得分 = 满意度得分 × 60% + 好评率 × 20% + 主动评价好评率 × 10% + 已评率 × 10%');
    expect(note).toContain('其权重按比例分给其余各项');
  });
});
