// The 好评榜 (pure): from a period's figures, the top 10 of each class of units (市（州）, 县（市、区）,
// 省直部门, ranked separately, ties at the boundary included), how many were not ranked, and a
// plain note on how the score is computed, written from the scheme definition the figures used.
import type { PeriodKind } from '../db/schema.ts';
import { isGoodLevel, LEVELS } from '../evaluations/levels.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { UNIT_CLASSES, UNIT_CLASS_NAMES, type ClassRanking, type FiguredUnit, type PeriodFigures, type UnitClass } from '../scoring/document.ts';
import { topOf, type RankedUnit } from '../scoring/ranking.ts';
import type { SchemeDefinition } from '../scoring/scheme.ts';

/** Places on the honor roll of each class (more when units tie at the last place). */
export const HONOR_ROLL_SIZE = 10;

export interface PeriodRef {
  kind: PeriodKind;
  key: string;
  fromDay: string;
  toDay: string;
}

export interface HonorEntry {
  rank: number;
  /** Another unit has the same score and so the same rank (并列). */
  tied: boolean;
  unitId: string;
  name: string;
  /** The name shown to the public: a county with its 市（州） (成都市锦江区); otherwise the name. */
  displayName: string;
  compositeScore: number;
  /** 好评率 (基本满意 and above, of every evaluation), 0–1 with four decimals. */
  goodRate: number | null;
  evaluations: number;
  activeEvaluations: number;
}

export interface HonorClass {
  unitClass: UnitClass;
  name: { zh: string; en: string };
  entries: HonorEntry[];
  /** Units of the class that were ranked at all. */
  rankedCount: number;
  /** Units of the class with figures in the period but under the minimum volume (or nothing to score). */
  belowMinimumCount: number;
}

export interface ScoringNote {
  zh: string[];
  en: string[];
}

export interface HonorRoll {
  schemeVersion: string;
  minimumVolume: number;
  classes: HonorClass[];
  note: ScoringNote;
}

const unitKindOf = (unitClass: UnitClass): FiguredUnit['unitKind'] => (unitClass === 'provincial_department' ? 'org' : 'region');

function classRoll(unitClass: UnitClass, ranking: ClassRanking | undefined, units: ReadonlyMap<string, FiguredUnit>, size: number): HonorClass {
  const ranked = (ranking?.ranked ?? []).map((entry): RankedUnit => {
    const unit = units.get(`${unitKindOf(unitClass)}:${entry.unitId}`);
    // A signed document that ranks a unit it has no figures for is broken; say so rather than guess.
    if (!unit) throw new Error(`the figures rank ${unitClass} ${entry.unitId} but hold no figures for it`);
    return { unitId: entry.unitId, name: entry.name, figures: unit.figures, rank: entry.rank, tied: entry.tied };
  });
  const top = topOf({ ranked, belowMinimum: [] }, size);
  return {
    unitClass,
    name: UNIT_CLASS_NAMES[unitClass],
    entries: top.map((r) => ({
      rank: r.rank,
      tied: r.tied,
      unitId: r.unitId,
      name: r.name,
      displayName: r.name,
      compositeScore: r.figures.compositeScore ?? 0,
      goodRate: r.figures.goodRate,
      evaluations: r.figures.evaluations,
      activeEvaluations: r.figures.activeEvaluations,
    })),
    rankedCount: ranked.length,
    belowMinimumCount: ranking?.belowMinimum.length ?? 0,
  };
}

/** The honor roll of a period's figures: each class in the fixed order 市（州）, 县（市、区）, 省直部门. */
export function honorRollOf(figures: PeriodFigures, size = HONOR_ROLL_SIZE): HonorRoll {
  const units = new Map(figures.units.map((u) => [`${u.unitKind}:${u.unitId}`, u]));
  const definition = figures.scheme.definition;
  return {
    schemeVersion: figures.scheme.version,
    minimumVolume: definition.minimumVolume,
    classes: UNIT_CLASSES.map((c) =>
      classRoll(
        c,
        figures.rankings.find((r) => r.unitClass === c),
        units,
        size,
      ),
    ),
    note: scoringNote(definition, figures.scheme.version, size),
  };
}

/** A weight as a percentage: 0.6 → "60%", 1/3 → "33.3%". */
export const percentOf = (weight: number) => `${Math.round(weight * 1000) / 10}%`;

/** "a × 60% + b × 20%", leaving out terms of weight 0. */
function formula(terms: ReadonlyArray<readonly [string, number]>): string {
  return terms
    .filter(([, w]) => w > 0)
    .map(([name, w]) => `${name} × ${percentOf(w)}`)
    .join(' + ');
}

// 好评 is every level that is not a 差评 (evaluations/levels.ts), named in the note as they are in the figures.
const GOOD_NAMES = LEVELS.filter(isGoodLevel).map((level) => LEVEL_NAMES[level] ?? { zh: String(level), en: String(level) });

/**
 * How the score is computed, in Chinese and in English, from the scheme definition the figures
 * were computed with (src/scoring/figures.ts unitFigures and src/scoring/ranking.ts rankUnits).
 */
export function scoringNote(d: SchemeDefinition, version: string, size = HONOR_ROLL_SIZE): ScoringNote {
  const p = d.levelPoints;
  const m = d.metricWeights;
  const t = d.ticketWeights;
  const w = d.partWeights;
  const zh = [
    `每条评价按等级计分：非常满意 ${p['5']} 分，满意 ${p['4']} 分，基本满意 ${p['3']} 分，不满意 ${p['2']} 分，非常不满意 ${p['1']} 分。满意度得分是${
      d.countDefaultsInSatisfaction ? '全部评价（含系统默认评价）' : '评价人主动作出的评价（不含系统默认评价）'
    }的平均分（百分制）。`,
    `评价得分 = ${formula([
      ['满意度得分', m.satisfactionScore],
      ['好评率', m.goodRate],
      ['主动评价好评率', m.activeGoodRate],
      ['已评率', m.ratedRate],
    ])}。好评指${GOOD_NAMES.map((n) => n.zh).join('、').replace(/、([^、]*)$/, '和$1')}；好评率按全部评价计，主动评价好评率不含系统默认评价；已评率是本期办结的办件环节中得到评价的比例（1 − 未评率）。`,
    `差评整改得分 = ${formula([
      ['差评回复率', t.replyRate],
      ['按时答复率', t.onTimeRate],
      ['回访整改率', t.callbackRate],
      ['回访整改满意率', t.callbackSatisfactionRate],
    ])}；本期没有差评的单位此项为 100 分，有差评时无从计算的比率按 0 计。`,
    `综合得分 = ${formula([
      ['评价得分', w.evaluation],
      ['差评整改得分', w.tickets],
      ['调查暗访得分', w.inspection],
    ])}。评价得分或综合得分中某项本期没有数据（例如没有暗访）时，其权重按比例分给其余各项。`,
    `本期主动评价不足 ${d.minimumVolume} 条的单位不参加排名。市（州）、县（市、区）和省直部门分别排名（市（州）的数字包括所辖县（市、区）的评价），按综合得分（保留两位小数，各比率计至万分之一）从高到低，各列前 ${size} 名；得分相同的名次相同，标“并列”，并列在第 ${size} 名的都列入。`,
    '申诉复核成立的差评和经认定的刷评不计入。所有数字由系统根据评价台账自动生成，不能人工修改。',
    `计分方案版本：${version}。`,
  ];
  const en = [
    `Each evaluation scores by its level: very satisfied ${p['5']}, satisfied ${p['4']}, basically satisfied ${p['3']}, unsatisfied ${p['2']}, very unsatisfied ${p['1']} points. The satisfaction score is the mean over ${
      d.countDefaultsInSatisfaction ? 'all evaluations (system defaults included)' : 'the evaluations raters actually gave (system defaults left out)'
    }, out of 100.`,
    `Evaluation part = ${formula([
      ['satisfaction score', m.satisfactionScore],
      ['good rate', m.goodRate],
      ['active good rate', m.activeGoodRate],
      ['rated rate', m.ratedRate],
    ])}. Good means ${GOOD_NAMES.map((n) => n.en.toLowerCase()).join(', ').replace(/, ([^,]*)$/, ' or $1')}; the good rate counts every evaluation, the active good rate leaves system defaults out; the rated rate is the share of case stages completed in the period that were rated (1 − unrated rate).`,
    `Ticket part = ${formula([
      ['reply rate', t.replyRate],
      ['on-time reply rate', t.onTimeRate],
      ['callback rate', t.callbackRate],
      ['callback satisfaction rate', t.callbackSatisfactionRate],
    ])}; a unit without any bad rating in the period gets 100; with bad ratings, a rate that cannot be computed counts as 0.`,
    `Composite score = ${formula([
      ['evaluation part', w.evaluation],
      ['ticket part', w.tickets],
      ['inspection score', w.inspection],
    ])}. When a term of the evaluation part or of the composite score has no data in the period (no inspections, say), its weight is shared out among the others in proportion.`,
    `Units with fewer than ${d.minimumVolume} active evaluations in the period are not ranked. Prefecture-level regions (whose figures include their counties), county-level regions and provincial departments are ranked separately by composite score (two decimals; rates are kept to four), highest first, top ${size} of each; equal scores share a rank, marked “tied”, and every unit tied at place ${size} is listed.`,
    'Bad ratings whose appeal was upheld and ratings confirmed as fraud are left out. Every figure is generated from the evaluation ledger by the system and cannot be edited by hand.',
    `Scoring scheme version: ${version}.`,
  ];
  return { zh, en };
}

export type HonorRollStatus = 'published' | 'live' | 'not_published';

/** What signs a published period: the snapshot's SM3 digest, SM2 key id and closing time. */
export interface Seal {
  digest: string;
  keyId: string;
  closedAt: Date;
}

/** Everything the page and the JSON show for one period. */
export interface HonorRollView {
  period: PeriodRef;
  status: HonorRollStatus;
  /** The published roll, or the live one of the current month; null when nothing can be shown. */
  roll: HonorRoll | null;
  seal: Seal | null;
  /** For live figures: the instant they were read. */
  asOf: Date | null;
  /** Why nothing is published (status not 'published'): the period has not ended, or it awaits closing. */
  pending: 'not_ended' | 'awaiting_close' | null;
  /** Published periods offered by the period picker, newest first. */
  published: PeriodRef[];
  /** The current month, offered as live figures. */
  currentMonth: PeriodRef;
}
