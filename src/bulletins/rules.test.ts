import { describe, expect, it } from 'vitest';
import type { BulletinResponseState } from '../db/schema.ts';
import { SNAPSHOT_FORMAT, type FiguredUnit, type SnapshotDocument, type UnitClass } from '../scoring/document.ts';
import type { UnitFigures } from '../scoring/figures.ts';
import { parsePeriod, periodsEndingWith } from '../scoring/periods.ts';
import { rankUnits } from '../scoring/ranking.ts';
import { bulletinTitle, periodLabel } from './document.ts';
import {
  issueRefusal,
  MASKS,
  namedUnits,
  nextResponseState,
  pickTypicalComments,
  QUOTE_MAX_CHARS,
  responseSide,
  responseStepRefusal,
  ruleOf,
  scrubComment,
  type ResponseStep,
  type ResponseUnit,
} from './rules.ts';
import { TEST_SCHEME } from '../../test/scheme.ts';

const SCHEME = TEST_SCHEME;

function figures(compositeScore: number | null, activeEvaluations: number): UnitFigures {
  return {
    evaluations: activeEvaluations,
    activeEvaluations,
    defaultEvaluations: 0,
    levels: [0, 0, 0, 0, activeEvaluations],
    goodRate: 1,
    activeGoodRate: 1,
    stagesCompleted: activeEvaluations,
    stagesUnrated: 0,
    unratedRate: 0,
    tickets: 0,
    replyRate: null,
    onTimeRate: null,
    callbackRate: null,
    callbackSatisfactionRate: null,
    overdue: 0,
    inspections: 0,
    inspectionScore: null,
    satisfactionScore: compositeScore,
    evaluationPart: compositeScore,
    ticketPart: 100,
    compositeScore,
  };
}

type Score = [id: string, score: number | null, active?: number];

/** A snapshot document of a month, counties (and provincial departments) with the given scores, ranked as closePeriod ranks them. */
function snapshot(key: string, counties: Score[], departments: Score[] = []): SnapshotDocument {
  const period = parsePeriod(key);
  if (!period) throw new Error(key);
  const units: FiguredUnit[] = [
    { unitKind: 'region', unitId: '510000', name: '四川省', regionCode: '510000', regionLevel: 1, figures: figures(90, 1000) },
    ...counties.map(([id, score, active]): FiguredUnit => ({ unitKind: 'region', unitId: id, name: `县${id}`, regionCode: id, regionLevel: 3, figures: figures(score, active ?? 100) })),
    ...departments.map(([id, score, active]): FiguredUnit => ({ unitKind: 'org', unitId: id, name: `厅${id}`, regionCode: '510000', regionLevel: null, figures: figures(score, active ?? 100) })),
  ];
  const rank = (unitClass: UnitClass, members: FiguredUnit[]) => {
    const ranking = rankUnits(members, SCHEME.minimumVolume);
    return {
      unitClass,
      ranked: ranking.ranked.map((r) => ({ unitId: r.unitId, name: r.name, rank: r.rank, tied: r.tied, compositeScore: r.figures.compositeScore ?? 0 })),
      belowMinimum: ranking.belowMinimum.map((r) => ({ unitId: r.unitId, name: r.name, activeEvaluations: r.figures.activeEvaluations })),
    };
  };
  return {
    format: SNAPSHOT_FORMAT,
    period,
    scheme: { version: '2026.1', definition: SCHEME },
    units,
    rankings: [
      rank('prefecture', []),
      rank('county', units.filter((u) => u.regionLevel === 3)),
      rank('provincial_department', units.filter((u) => u.unitKind === 'org')),
    ],
    checkpoint: { cutAt: `${period.toDay}T16:00:00.000Z`, chains: [], facts: { evaluationEvents: { count: 0, digest: '' }, ticketEvents: { count: 0, digest: '' }, inspections: { count: 0, digest: '' }, stageCompletions: { count: 0, digest: '' } } },
    closedAt: `${period.toDay}T16:00:00.000Z`,
    closedBy: 'test',
  };
}

const ids = (units: ReturnType<typeof namedUnits>) => units.map((u) => u.unitId);

describe('who a bulletin names', () => {
  const october = snapshot('2026-10', [['510101', 95], ['510102', 90], ['510103', 80], ['510104', 70], ['510105', 60], ['510106', 50]]);
  const september = snapshot('2026-09', [['510101', 95], ['510102', 60], ['510103', 80], ['510104', 50], ['510105', 70], ['510106', 90]]);

  it('names the units in the bottom N of every one of the K periods, worst first, with each period’s rank and figures', () => {
    // Bottom 3 of October: 510104, 510105, 510106; of September: 510102, 510104, 510105.
    const named = namedUnits([october, september], 'county', 3);
    expect(ids(named)).toEqual(['510105', '510104']);
    expect(named[0]).toMatchObject({
      unitKind: 'region',
      name: '县510105',
      regionCode: '510105',
      periods: [
        { key: '2026-10', rank: 5, ranked: 6, tied: false, figures: { compositeScore: 60 } },
        { key: '2026-09', rank: 4, ranked: 6, tied: false, figures: { compositeScore: 70 } },
      ],
    });
    // One period: the bottom three of it. Three periods: only what the third agrees with.
    expect(ids(namedUnits([october], 'county', 3))).toEqual(['510106', '510105', '510104']);
    const august = snapshot('2026-08', [['510101', 10], ['510102', 90], ['510103', 80], ['510104', 50], ['510105', 95], ['510106', 90]]);
    expect(ids(namedUnits([october, september, august], 'county', 3))).toEqual(['510104']);
    expect(namedUnits([], 'county', 3)).toEqual([]);
  });

  it('counts ties at the boundary: every unit sharing the Nth-from-last rank is in the bottom N', () => {
    const tiedOctober = snapshot('2026-10', [['510101', 95], ['510102', 90], ['510103', 70], ['510104', 70], ['510105', 60], ['510106', 50]]);
    const tiedSeptember = snapshot('2026-09', [['510101', 95], ['510102', 90], ['510103', 60], ['510104', 60], ['510105', 60], ['510106', 50]]);
    const named = namedUnits([tiedOctober, tiedSeptember], 'county', 3);
    expect(ids(named)).toEqual(['510106', '510105', '510103', '510104']);
    expect(named.find((u) => u.unitId === '510103')?.periods.map((p) => [p.rank, p.tied])).toEqual([
      [3, true],
      [3, true],
    ]);
  });

  it('never names a unit under the minimum volume: it was not ranked in that period', () => {
    // 510106 has the lowest score both months, but too few active evaluations in September.
    const thinSeptember = snapshot('2026-09', [['510101', 95], ['510102', 60], ['510103', 80], ['510104', 50], ['510105', 70], ['510106', 10, 29]]);
    const named = namedUnits([october, thinSeptember], 'county', 3);
    expect(ids(named)).not.toContain('510106');
    expect(ids(named)).toEqual(['510105', '510104']);
    // With nothing to score (no composite), a unit is not ranked either.
    const unscored = snapshot('2026-09', [['510101', 95], ['510102', 60], ['510103', 80], ['510104', 50], ['510105', 70], ['510106', null, 0]]);
    expect(ids(namedUnits([october, unscored], 'county', 3))).not.toContain('510106');
  });

  it('ranks classes apart: provincial departments are orgs and never mix with regions', () => {
    const a = snapshot('2026-10', [['510101', 10]], [['d1', 90], ['d2', 20], ['d3', 80]]);
    const b = snapshot('2026-09', [['510101', 10]], [['d1', 30], ['d2', 20], ['d3', 80]]);
    const named = namedUnits([a, b], 'provincial_department', 1);
    expect(named.map((u) => [u.unitKind, u.unitId, u.regionCode])).toEqual([['org', 'd2', '510000']]);
    // A class without a ranking in a snapshot names nobody.
    expect(namedUnits([a, b], 'prefecture', 3)).toEqual([]);
  });

  it('takes N and K from the newest period’s scheme unless the request sets them', () => {
    expect(ruleOf(october, {})).toEqual({ bottomN: 3, consecutivePeriods: 2, fromScheme: true });
    expect(ruleOf(october, { bottomN: 5 })).toEqual({ bottomN: 5, consecutivePeriods: 2, fromScheme: false });
    expect(ruleOf(october, { bottomN: 3, consecutivePeriods: 2 })).toEqual({ bottomN: 3, consecutivePeriods: 2, fromScheme: true });
    const period = parsePeriod('2026-01');
    if (!period) throw new Error('period');
    expect(periodsEndingWith(period, 3).map((p) => p.key)).toEqual(['2026-01', '2025-12', '2025-11']);
  });

  it('titles the bulletin in Chinese by its period', () => {
    expect(bulletinTitle('四川省', { kind: 'month', key: '2026-10' }).zh).toBe('四川省政务服务“好差评”情况通报（2026年10月）');
    expect(periodLabel({ kind: 'quarter', key: '2026-Q4' }).zh).toBe('2026年第四季度');
    expect(periodLabel({ kind: 'week', key: '2026-W08' }).zh).toBe('2026年第8周');
    expect(periodLabel({ kind: 'year', key: '2026' }).zh).toBe('2026年度');
    expect(periodLabel({ kind: 'day', key: '2026-10-05' }).zh).toBe('2026年10月5日');
  });
});

describe('the accountability list', () => {
  const county: ResponseUnit = { kind: 'region', id: '510104', regionPath: '510000/510100/510104/' };
  const dept: ResponseUnit = { kind: 'org', id: 'org-1', regionPath: '510000/' };
  const countyOrg: ResponseUnit = { kind: 'org', id: 'org-2', regionPath: '510000/510100/510104/' };
  const staff = (role: 'province_admin' | 'city_admin' | 'supervisor' | 'org_handler', scope: string) =>
    role === 'org_handler' ? { role, regionPath: null, orgId: scope } : { role, regionPath: scope, orgId: null };

  it('moves pending → submitted → accepted, or → returned → submitted again; nothing else', () => {
    const walk = (steps: ResponseStep[]) => {
      let state: BulletinResponseState = 'pending';
      for (const step of steps) {
        const next = nextResponseState(state, step);
        if (typeof next !== 'string') return next.code;
        state = next;
      }
      return state;
    };
    expect(walk(['submit'])).toBe('submitted');
    expect(walk(['submit', 'accept'])).toBe('accepted');
    expect(walk(['submit', 'return'])).toBe('returned');
    expect(walk(['submit', 'return', 'submit', 'accept'])).toBe('accepted');
    for (const wrong of [['accept'], ['return'], ['submit', 'submit'], ['submit', 'accept', 'return'], ['submit', 'accept', 'submit'], ['submit', 'return', 'accept']] as ResponseStep[][]) {
      expect(walk(wrong), wrong.join(' → ')).toBe('BULLETIN_RESPONSE_INVALID');
    }
    expect(nextResponseState('accepted', 'submit')).toEqual({ code: 'BULLETIN_RESPONSE_INVALID', details: { state: 'accepted', step: 'submit', allowed: [] } });
  });

  it('lets the unit answer for itself and the level above judge', () => {
    // A region: its own city admin or supervisor answers; supervisors and province admins strictly above judge.
    expect(responseSide(staff('city_admin', county.regionPath), county)).toBe('unit');
    expect(responseSide(staff('supervisor', county.regionPath), county)).toBe('unit');
    expect(responseSide(staff('supervisor', '510000/510100/'), county)).toBe('supervisor');
    expect(responseSide(staff('province_admin', '510000/'), county)).toBe('supervisor');
    expect(responseSide(staff('city_admin', '510000/510100/'), county)).toBeNull();
    expect(responseSide(staff('supervisor', '510000/510700/'), county)).toBeNull();
    expect(responseSide(staff('org_handler', 'org-2'), county)).toBeNull();
    // An org: its handlers answer; supervisors of its region or above judge.
    expect(responseSide(staff('org_handler', 'org-1'), dept)).toBe('unit');
    expect(responseSide(staff('org_handler', 'org-2'), dept)).toBeNull();
    expect(responseSide(staff('province_admin', '510000/'), dept)).toBe('supervisor');
    expect(responseSide(staff('supervisor', '510000/510100/510104/'), countyOrg)).toBe('supervisor');
    expect(responseSide(staff('supervisor', '510000/510100/'), dept)).toBeNull();
  });

  it('refuses a step by the wrong side as AUTH_FORBIDDEN, by someone unrelated as AUTH_OUT_OF_SCOPE', () => {
    expect(responseStepRefusal(staff('org_handler', 'org-1'), dept, 'submit')).toBeNull();
    expect(responseStepRefusal(staff('org_handler', 'org-1'), dept, 'accept')?.code).toBe('AUTH_FORBIDDEN');
    expect(responseStepRefusal(staff('province_admin', '510000/'), dept, 'submit')?.code).toBe('AUTH_FORBIDDEN');
    expect(responseStepRefusal(staff('province_admin', '510000/'), dept, 'return')).toBeNull();
    // A county's own supervisor cannot accept the county's own answer.
    expect(responseStepRefusal(staff('supervisor', county.regionPath), county, 'accept')?.code).toBe('AUTH_FORBIDDEN');
    expect(responseStepRefusal(staff('org_handler', 'org-2'), dept, 'submit')?.code).toBe('AUTH_OUT_OF_SCOPE');
    expect(responseStepRefusal(staff('supervisor', '510000/510700/'), county, 'accept')?.code).toBe('AUTH_OUT_OF_SCOPE');
  });

  it('lets only province-level supervisors and admins issue', () => {
    expect(issueRefusal(staff('supervisor', '510000/'))).toBeNull();
    expect(issueRefusal(staff('province_admin', '510000/'))).toBeNull();
    expect(issueRefusal(staff('supervisor', '510000/510100/'))?.code).toBe('AUTH_OUT_OF_SCOPE');
    expect(issueRefusal(staff('city_admin', '510000/'))?.code).toBe('AUTH_FORBIDDEN');
    expect(issueRefusal(staff('org_handler', 'org-1'))?.code).toBe('AUTH_FORBIDDEN');
  });
});

describe('quoting a 差评 without the person', () => {
  const cases: Array<[string, string]> = [
    ['电话13812345678，态度差', `电话${MASKS.phone}，态度差`],
    ['手机：138 1234 5678', `手机：${MASKS.phone}`],
    ['+86-138-1234-5678 请回电', `${MASKS.phone} 请回电`],
    ['联系我 0086 13812345678', `联系我 ${MASKS.phone}`],
    ['座机(028)8555-1234', `座机(${MASKS.phone}`],
    ['全角号码１３８１２３４５６７８！', `全角号码${MASKS.phone}！`],
    ['零宽138\u200b1234\u200d5678隔开', `零宽${MASKS.phone}隔开`],
    ['反向\u202e8765432183 1\u202c号码', `反向${MASKS.number}号码`],
    ['幺三八一二三四五六七八是我的号', `${MASKS.phone}是我的号`],
    ['身份证510104199001011234办不了', `身份证${MASKS.idNumber}办不了`],
    ['证件号 51010419900101123X。', `证件号 ${MASKS.idNumber}。`],
    ['5101 0419 9001 0112 3x 这个号', `${MASKS.idNumber} 这个号`],
    ['旧证510104900101123', `旧证${MASKS.idNumber}`],
    ['QQ 12345678 加我', `QQ ${MASKS.number} 加我`],
    ['办件号510104-20261101-000001一直没办', `办件号${MASKS.number}一直没办`],
    ['邮箱zhang.san@example.com.cn谢谢', `邮箱${MASKS.email}谢谢`],
    ['ｚｈａｎｇ＠ｑｑ．ｃｏｍ', MASKS.email],
    ['请发 li_si @ 163 . com', `请发 ${MASKS.email}`],
    ['我是张三，来办社保', `我是${MASKS.name}，来办社保`],
    ['我是王先生的家属', `我是${MASKS.name}的家属`],
    ['姓名：李四 电话：13900001111', `姓名：${MASKS.name} 电话：${MASKS.phone}`],
    ['姓名:Zhang San，投诉', `姓名:${MASKS.name}，投诉`],
    ['我叫赵六六，等了三小时', `我叫${MASKS.name}，等了三小时`],
    ['本人刘某某于11月3日办理', `本人${MASKS.name}于11月3日办理`],
    ['我是 欧阳娜，窗口不理人', `我是 ${MASKS.name}，窗口不理人`],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(scrubComment(input)).toBe(expected);
  });

  it('leaves ordinary complaints, dates, times, short numbers and amounts as written', () => {
    for (const text of [
      '窗口人员态度很差，来回跑了3次',
      '2026-11-20 10:30去办理，等到12点还没叫号',
      '11月20日上午，排队两个小时',
      '收费200元不合理，办事指南与实际不符',
      '我是来办社保的，系统老是出错',
      '我是个体户，跑了五趟',
      '热线12345打不通',
    ]) {
      expect(scrubComment(text)).toBe(text);
    }
  });

  it('drops control characters, collapses whitespace and cuts long comments', () => {
    expect(scrubComment('  态度\r\n\t很差\u0000，\u00ad没人管  ')).toBe('态度 很差 ，没人管');
    const long = '办'.repeat(500);
    const cut = scrubComment(long);
    expect([...cut]).toHaveLength(QUOTE_MAX_CHARS);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never lets a digit run of seven or more through, whatever is mixed in', () => {
    const hostile = [
      '1\u200b3\u200b8\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8',
      '1 3 8 1 2 3 4 5 6 7 8',
      '138—1234—5678',
      '138．1234．5678',
      '１３８　１２３４　５６７８',
      '2026-11-20 13812345678',
      '1991.1.23 456789',
      '叁捌壹贰叁肆伍陆柒捌',
    ];
    for (const text of hostile) {
      const scrubbed = scrubComment(text);
      const digits = (scrubbed.normalize('NFKC').match(/[0-9]/g) ?? []).length;
      expect(digits, `${text} → ${scrubbed}`).toBeLessThan(7);
    }
  });

  it('picks up to five typical comments: scrubbed, readable, each once', () => {
    const picked = pickTypicalComments([
      { level: 1, day: '2026-10-03', comment: '我是张三 13812345678' },
      { level: 1, day: '2026-10-04', comment: '窗口人员态度恶劣，电话13812345678' },
      { level: 1, day: '2026-10-05', comment: '窗口人员态度恶劣，电话13900001111' },
      { level: 3, day: '2026-10-05', comment: '基本满意，但是等了很久' },
      { level: 2, day: '2026-10-06', comment: '差' },
      { level: 2, day: '2026-10-07', comment: '材料要求反复变化，跑了三次' },
      { level: 2, day: '2026-10-08', comment: '系统经常崩溃' },
      { level: 2, day: '2026-10-09', comment: '叫号系统混乱' },
      { level: 2, day: '2026-10-10', comment: '大厅没有座位' },
      { level: 2, day: '2026-10-11', comment: '第六条不会出现' },
    ]);
    expect(picked).toEqual([
      { level: 1, day: '2026-10-04', comment: `窗口人员态度恶劣，电话${MASKS.phone}` },
      { level: 2, day: '2026-10-07', comment: '材料要求反复变化，跑了三次' },
      { level: 2, day: '2026-10-08', comment: '系统经常崩溃' },
      { level: 2, day: '2026-10-09', comment: '叫号系统混乱' },
      { level: 2, day: '2026-10-10', comment: '大厅没有座位' },
    ]);
  });
});
