// A unit's figures for a period, from its summed counts and the scheme (pure). Rates have four
// decimals, scores two; every figure is computed, none typed in. Null: nothing to compute it from.
// Parts and the composite are built from the exact figures and rounded once, at the end.
import { goodCount } from '../evaluations/levels.ts';
import type { SchemeDefinition } from './scheme.ts';
import type { ChannelCounts, TallyCounts } from './tally.ts';

export interface UnitFigures {
  evaluations: number;
  activeEvaluations: number;
  defaultEvaluations: number;
  /** 非常不满意 … 非常满意, active and default together. */
  levels: [number, number, number, number, number];
  goodRate: number | null;
  activeGoodRate: number | null;
  stagesCompleted: number;
  stagesUnrated: number;
  unratedRate: number | null;
  tickets: number;
  replyRate: number | null;
  onTimeRate: number | null;
  callbackRate: number | null;
  callbackSatisfactionRate: number | null;
  /** Replied late, plus unanswered past the deadline at the time of the figures. */
  overdue: number;
  inspections: number;
  inspectionScore: number | null;
  satisfactionScore: number | null;
  evaluationPart: number | null;
  ticketPart: number | null;
  compositeScore: number | null;
}

export interface ChannelFigures extends ChannelCounts {
  channel: string;
  goodRate: number | null;
  activeGoodRate: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole <= 0 ? null : part / whole);
const rate = (value: number | null): number | null => (value === null ? null : Math.round(value * 10_000) / 10_000);
const score = (value: number): number => Math.round(value * 100) / 100;
const scoreOrNull = (value: number | null): number | null => (value === null ? null : score(value));

/**
 * How the composite is built. `once`: from the exact figures, rounded once at the end (snapshot
 * format 2 on). `legacy`: from figures already rounded to what is shown, as snapshots of format 1
 * were computed (which left some composites 0.01 off); kept so that those still verify.
 */
export type Rounding = 'once' | 'legacy';

/** Weighted mean of the figures that exist, the weights of missing ones shared out among the rest. */
function weighted(parts: ReadonlyArray<readonly [number | null, number]>): number | null {
  const present = parts.filter((p): p is readonly [number, number] => p[0] !== null && p[1] > 0);
  const weight = present.reduce((a, [, w]) => a + w, 0);
  if (weight === 0) return null;
  return present.reduce((a, [value, w]) => a + value * w, 0) / weight;
}

export function unitFigures(c: TallyCounts, openOverdue: number, scheme: SchemeDefinition, rounding: Rounding = 'once'): UnitFigures {
  const active = [c.active_1, c.active_2, c.active_3, c.active_4, c.active_5];
  const defaults = [c.default_1, c.default_2, c.default_3, c.default_4, c.default_5];
  const levels = active.map((n, i) => n + (defaults[i] ?? 0)) as UnitFigures['levels'];
  const activeTotal = active.reduce((a, b) => a + b, 0);
  const defaultTotal = defaults.reduce((a, b) => a + b, 0);
  const total = activeTotal + defaultTotal;
  const good = goodCount(levels);
  const activeGood = goodCount(active);
  const scored = scheme.countDefaultsInSatisfaction ? levels : active;
  const scoredTotal = scored.reduce((a, b) => a + b, 0);
  const points = scheme.levelPoints;
  // The exact figures; what is shown is rounded from these, and so (once) is the composite.
  const exact = {
    satisfaction: scoredTotal === 0 ? null : scored.reduce((a, n, i) => a + n * points[String(i + 1) as keyof typeof points], 0) / scoredTotal,
    goodRate: ratio(good, total),
    activeGoodRate: ratio(activeGood, activeTotal),
    unratedRate: ratio(Math.max(0, c.stages_completed - c.stages_rated), c.stages_completed),
    replyRate: ratio(c.replied, c.tickets),
    onTimeRate: ratio(c.replied_on_time, c.tickets),
    callbackRate: ratio(c.called_back, c.replied),
    callbackSatisfactionRate: ratio(c.callback_satisfied, c.called_back),
    inspectionScore: c.inspections === 0 ? null : c.inspection_points / c.inspections / 100,
  };
  const shown = {
    satisfaction: scoreOrNull(exact.satisfaction),
    goodRate: rate(exact.goodRate),
    activeGoodRate: rate(exact.activeGoodRate),
    unratedRate: rate(exact.unratedRate),
    replyRate: rate(exact.replyRate),
    onTimeRate: rate(exact.onTimeRate),
    callbackRate: rate(exact.callbackRate),
    callbackSatisfactionRate: rate(exact.callbackSatisfactionRate),
    inspectionScore: scoreOrNull(exact.inspectionScore),
  };
  const stagesUnrated = Math.max(0, c.stages_completed - c.stages_rated);
  const use = rounding === 'once' ? exact : shown;
  const pct = (r: number | null) => (r === null ? null : r * 100);
  const m = scheme.metricWeights;
  const evaluationPartExact = activeTotal + defaultTotal === 0 ? null : weighted([
    [use.satisfaction, m.satisfactionScore],
    [pct(use.goodRate), m.goodRate],
    [pct(use.activeGoodRate), m.activeGoodRate],
    [use.unratedRate === null ? null : 100 - use.unratedRate * 100, m.ratedRate],
  ]);
  const t = scheme.ticketWeights;
  // A unit without a 差评 has nothing to answer for: its ticket part is full marks.
  const ticketPartExact = c.tickets === 0 ? (evaluationPartExact === null ? null : 100) : weighted([
    [pct(use.replyRate) ?? 0, t.replyRate],
    [pct(use.onTimeRate) ?? 0, t.onTimeRate],
    [pct(use.callbackRate) ?? 0, t.callbackRate],
    [pct(use.callbackSatisfactionRate) ?? 0, t.callbackSatisfactionRate],
  ]);
  const p = scheme.partWeights;
  const composite = weighted([
    [evaluationPartExact, p.evaluation],
    [ticketPartExact, p.tickets],
    [use.inspectionScore, p.inspection],
  ]);
  return {
    evaluations: total,
    activeEvaluations: activeTotal,
    defaultEvaluations: defaultTotal,
    levels,
    goodRate: shown.goodRate,
    activeGoodRate: shown.activeGoodRate,
    stagesCompleted: c.stages_completed,
    stagesUnrated,
    unratedRate: shown.unratedRate,
    tickets: c.tickets,
    replyRate: shown.replyRate,
    onTimeRate: shown.onTimeRate,
    callbackRate: shown.callbackRate,
    callbackSatisfactionRate: shown.callbackSatisfactionRate,
    overdue: c.replied_late + openOverdue,
    inspections: c.inspections,
    inspectionScore: shown.inspectionScore,
    satisfactionScore: shown.satisfaction,
    evaluationPart: scoreOrNull(evaluationPartExact),
    ticketPart: scoreOrNull(ticketPartExact),
    compositeScore: scoreOrNull(composite),
  };
}

export function channelFigures(channel: string, c: ChannelCounts): ChannelFigures {
  return { channel, ...c, goodRate: rate(ratio(c.good, c.evaluations)), activeGoodRate: rate(ratio(c.active_good, c.active)) };
}
