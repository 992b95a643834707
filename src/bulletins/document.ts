// The bulletin document (通报): what is stored as exact JSON text with its SM3 digest, what the API
// returns and what the PDF and the workbook are drawn from. TypeBox schemas double as the types.
import { Type, type Static, type TSchema } from 'typebox';
import type { BulletinResponseState, PeriodKind } from '../db/schema.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { UNIT_CLASS_NAMES, type StoredSnapshot, type UnitClass } from '../scoring/document.ts';
import type { UnitFigures } from '../scoring/figures.ts';
import type { Period } from '../scoring/periods.ts';

export const BULLETIN_FORMAT = 'hcp-bulletin/1';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-MM-dd（北京时间）' });
const Instant = Type.String({ format: 'date-time' });
const Rate = Nullable(Type.Number({ description: '0–1，四位小数 / 0–1, four decimals' }));
const Score = Nullable(Type.Number({ description: '百分制，两位小数 / out of 100, two decimals' }));
const Count = Type.Integer({ minimum: 0 });

export const PeriodKindSchema = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')], {
  description: 'day 日 / week 周 / month 月 / quarter 季 / year 年',
});
export const UnitClassSchema = Type.Union([Type.Literal('prefecture'), Type.Literal('county'), Type.Literal('provincial_department')], {
  description: 'prefecture 市（州）/ county 县（市、区）/ provincial_department 省直部门',
});
// Both unions list every value of their type (a new period kind or class fails the type check here).
export type _PeriodKindsListed = Assert<Same<Static<typeof PeriodKindSchema>, PeriodKind>>;
export type _UnitClassesListed = Assert<Same<Static<typeof UnitClassSchema>, UnitClass>>;
export const UnitKindSchema = Type.Union([Type.Literal('region'), Type.Literal('org')]);

/** A unit's figures as the snapshot signed them (src/scoring/figures.ts). */
export const Figures = Type.Object({
  evaluations: Count,
  activeEvaluations: Count,
  defaultEvaluations: Count,
  levels: Type.Tuple([Count, Count, Count, Count, Count], { description: '非常不满意 … 非常满意 / level 1 … 5' }),
  goodRate: Rate,
  activeGoodRate: Rate,
  stagesCompleted: Count,
  stagesUnrated: Count,
  unratedRate: Rate,
  tickets: Count,
  replyRate: Rate,
  onTimeRate: Rate,
  callbackRate: Rate,
  callbackSatisfactionRate: Rate,
  overdue: Count,
  inspections: Count,
  inspectionScore: Score,
  satisfactionScore: Score,
  evaluationPart: Score,
  ticketPart: Score,
  compositeScore: Score,
});

// The schema above must describe UnitFigures exactly: a change in src/scoring fails the type check here.
export type _FiguresMatchUnitFigures = Assert<Same<Static<typeof Figures>, UnitFigures>>;

export const BulletinPeriod = Type.Object({
  kind: PeriodKindSchema,
  key: Type.String(),
  fromDay: Day,
  toDay: Day,
  snapshotId: Type.String({ format: 'uuid' }),
  snapshotDigest: Type.String({ description: '统计快照的 SM3 摘要（十六进制）/ SM3 of the snapshot, hex' }),
  schemeVersion: Type.String(),
  ranked: Count,
  belowMinimum: Count,
});

export const UnitPeriod = Type.Object({
  key: Type.String({ description: '周期 / period key' }),
  rank: Type.Integer({ minimum: 1 }),
  ranked: Type.Integer({ minimum: 1, description: '参与排名的单位数 / units ranked' }),
  tied: Type.Boolean(),
  figures: Figures,
});

export const OverdueTicket = Type.Object({
  receiptNo: Type.String(),
  openedDay: Day,
  replyDueAt: Instant,
  repliedAt: Nullable(Instant),
  state: Type.String(),
});

export const TypicalComment = Type.Object({
  level: Type.Integer({ minimum: Math.min(...BAD_LEVELS), maximum: Math.max(...BAD_LEVELS) }),
  day: Day,
  comment: Type.String({ description: '已去除电话、证件号、邮箱、姓名 / personal data removed' }),
});

export const NamedUnit = Type.Object({
  unitKind: UnitKindSchema,
  unitId: Type.String(),
  name: Type.String(),
  regionCode: Type.String(),
  periods: Type.Array(UnitPeriod, { description: '由近及远 / newest first' }),
  overdue: Type.Object({
    count: Count,
    tickets: Type.Array(OverdueTicket, { description: '按受理日期，最多 100 件 / by opening day, at most 100' }),
  }),
  typicalComments: Type.Array(TypicalComment, { maxItems: 5 }),
});

export const BulletinDocument = Type.Object(
  {
    format: Type.Literal(BULLETIN_FORMAT),
    id: Type.String({ format: 'uuid' }),
    title: Type.Object({ zh: Type.String(), en: Type.String() }),
    province: Type.Object({ code: Type.String(), name: Type.String() }),
    period: Type.Object({ kind: PeriodKindSchema, key: Type.String(), fromDay: Day, toDay: Day }),
    unitClass: UnitClassSchema,
    rule: Type.Object({
      bottomN: Type.Integer({ minimum: 1 }),
      consecutivePeriods: Type.Integer({ minimum: 1 }),
      schemeVersion: Type.String({ description: '最近一期所用计分方案 / the scheme of the newest period' }),
      fromScheme: Type.Boolean({ description: 'N 与 K 是否取自计分方案（否则为签发时指定）/ whether N and K are the scheme’s' }),
    }),
    periods: Type.Array(BulletinPeriod, { description: '由近及远 / newest first' }),
    named: Type.Array(NamedUnit, { description: '由差到好 / worst first' }),
    issuedAt: Instant,
    issuedBy: Type.String(),
  },
  { $id: 'BulletinDocument', title: 'BulletinDocument' },
);
export type BulletinDocument = Static<typeof BulletinDocument>;
export type NamedUnit = Static<typeof NamedUnit>;
export type UnitPeriod = Static<typeof UnitPeriod>;
export type OverdueTicket = Static<typeof OverdueTicket>;
export type TypicalComment = Static<typeof TypicalComment>;
export type BulletinPeriod = Static<typeof BulletinPeriod>;

/** Overdue tickets listed per unit in the document (the count is always complete). */
export const OVERDUE_LISTED = 100;

export const RESPONSE_STATE_NAMES: Record<BulletinResponseState, { zh: string; en: string }> = {
  pending: { zh: '待反馈', en: 'Awaiting response' },
  submitted: { zh: '已反馈待审核', en: 'Submitted, awaiting review' },
  returned: { zh: '已退回', en: 'Returned' },
  accepted: { zh: '已通过', en: 'Accepted' },
};

const CN_QUARTERS = ['一', '二', '三', '四'];

/** A period as the title says it: 2026年10月, 2026年第四季度, 2026年第48周, 2026年度, 2026年10月5日. */
export function periodLabel(period: Pick<Period, 'kind' | 'key'>): { zh: string; en: string } {
  const year = period.key.slice(0, 4);
  switch (period.kind) {
    case 'month':
      return { zh: `${year}年${Number(period.key.slice(5, 7))}月`, en: period.key };
    case 'quarter':
      return { zh: `${year}年第${CN_QUARTERS[Number(period.key.slice(6)) - 1] ?? ''}季度`, en: period.key };
    case 'week':
      return { zh: `${year}年第${Number(period.key.slice(6))}周`, en: period.key };
    case 'year':
      return { zh: `${year}年度`, en: period.key };
    case 'day':
      return { zh: `${year}年${Number(period.key.slice(5, 7))}月${Number(period.key.slice(8, 10))}日`, en: period.key };
    default:
      return { zh: period.key, en: period.key };
  }
}

export function bulletinTitle(provinceName: string, period: Pick<Period, 'kind' | 'key'>): { zh: string; en: string } {
  const label = periodLabel(period);
  return {
    zh: `${provinceName}政务服务“好差评”情况通报（${label.zh}）`,
    en: `Bulletin on government service ratings, ${label.en}`,
  };
}

export function unitClassName(unitClass: UnitClass): { zh: string; en: string } {
  return UNIT_CLASS_NAMES[unitClass];
}

export interface DocumentInput {
  id: string;
  province: { code: string; name: string };
  period: { kind: PeriodKind; key: string; fromDay: string; toDay: string };
  unitClass: UnitClass;
  rule: { bottomN: number; consecutivePeriods: number; fromScheme: boolean };
  /** The K periods' snapshots, newest first. */
  snapshots: ReadonlyArray<Pick<StoredSnapshot, 'id' | 'periodKind' | 'digest' | 'document'>>;
  named: NamedUnit[];
  issuedAt: Date;
  issuedBy: string;
}

/** The bulletin document, in a fixed key order (its JSON text is what the digest covers). */
export function bulletinDocument(input: DocumentInput): BulletinDocument {
  const newest = input.snapshots[0];
  return {
    format: BULLETIN_FORMAT,
    id: input.id,
    title: bulletinTitle(input.province.name, input.period),
    province: input.province,
    period: { kind: input.period.kind, key: input.period.key, fromDay: input.period.fromDay, toDay: input.period.toDay },
    unitClass: input.unitClass,
    rule: {
      bottomN: input.rule.bottomN,
      consecutivePeriods: input.rule.consecutivePeriods,
      schemeVersion: newest?.document.scheme.version ?? '',
      fromScheme: input.rule.fromScheme,
    },
    periods: input.snapshots.map((s) => {
      const ranking = s.document.rankings.find((r) => r.unitClass === input.unitClass);
      return {
        kind: s.periodKind,
        key: s.document.period.key,
        fromDay: s.document.period.fromDay,
        toDay: s.document.period.toDay,
        snapshotId: s.id,
        snapshotDigest: s.digest,
        schemeVersion: s.document.scheme.version,
        ranked: ranking?.ranked.length ?? 0,
        belowMinimum: ranking?.belowMinimum.length ?? 0,
      };
    }),
    named: input.named,
    issuedAt: input.issuedAt.toISOString(),
    issuedBy: input.issuedBy,
  };
}
