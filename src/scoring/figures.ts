// A unit's figures for a period, from its summed counts and the scheme (pure). Rates have four
// decimals, scores two; every figure is computed, none typed in. Null: nothing to compute it from.
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

const rate = (part: number, whole: number): number | null => (whole <= 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const score = (value: number): number => Math.round(value * 100) / 100;

/** Weighted mean of the figures that exist, the weights of missing ones shared out among the rest. */
function weighted(parts: ReadonlyArray<readonly [number | null, number]>): number | null {
  const present = parts.filter((p): p is readonly [number, number] => p[0] !== null && p[1] > 0);
  const weight = present.reduce((a, [, w]) => a + w, 0);
  if (weight === 0) return null;
  return present.reduce((a, [value, w]) => a + value * w, 0) / weight;
}

export function unitFigures(c: TallyCounts, openOverdue: number, scheme: SchemeDefinition): UnitFigures {
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
  const satisfaction =
    scoredTotal === 0 ? null : score(scored.reduce((a, n, i) => a + n * points[String(i + 1) as keyof typeof points], 0) / scoredTotal);
  const goodRate = rate(good, total);
  const activeGoodRate = rate(activeGood, activeTotal);
  const stagesUnrated = Math.max(0, c.stages_completed - c.stages_rated);
  const unratedRate = rate(stagesUnrated, c.stages_completed);
  const replyRate = rate(c.replied, c.tickets);
  const onTimeRate = rate(c.replied_on_time, c.tickets);
  const callbackRate = rate(c.called_back, c.replied);
  const callbackSatisfactionRate = rate(c.callback_satisfied, c.called_back);
  const inspectionScore = c.inspections === 0 ? null : score(c.inspection_points / c.inspections / 100);
  const pct = (r: number | null) => (r === null ? null : r * 100);
  const m = scheme.metricWeights;
  const evaluationPart = activeTotal + defaultTotal === 0 ? null : weighted([
    [satisfaction, m.satisfactionScore],
    [pct(goodRate), m.goodRate],
    [pct(activeGoodRate), m.activeGoodRate],
    [unratedRate === null ? null : 100 - unratedRate * 100, m.ratedRate],
  ]);
  const t = scheme.ticketWeights;
  // A unit without a 差评 has nothing to answer for: its ticket part is full marks.
  const ticketPart = c.tickets === 0 ? (evaluationPart === null ? null : 100) : weighted([
    [pct(replyRate) ?? 0, t.replyRate],
    [pct(onTimeRate) ?? 0, t.onTimeRate],
    [pct(callbackRate) ?? 0, t.callbackRate],
    [pct(callbackSatisfactionRate) ?? 0, t.callbackSatisfactionRate],
  ]);
  const p = scheme.partWeights;
  const composite = weighted([
    [evaluationPart, p.evaluation],
    [ticketPart, p.tickets],
    [inspectionScore, p.inspection],
  ]);
  return {
    evaluations: total,
    activeEvaluations: activeTotal,
    defaultEvaluations: defaultTotal,
    levels,
    goodRate,
    activeGoodRate,
    stagesCompleted: c.stages_completed,
    stagesUnrated,
    unratedRate,
    tickets: c.tickets,
    replyRate,
    onTimeRate,
    callbackRate,
    callbackSatisfactionRate,
    overdue: c.replied_late + openOverdue,
    inspections: c.inspections,
    inspectionScore,
    satisfactionScore: satisfaction,
    evaluationPart: evaluationPart === null ? null : score(evaluationPart),
    ticketPart: ticketPart === null ? null : score(ticketPart),
    compositeScore: composite === null ? null : score(composite),
  };
}

export function channelFigures(channel: string, c: ChannelCounts): ChannelFigures {
  return { channel, ...c, goodRate: rate(c.good, c.evaluations), activeGoodRate: rate(c.active_good, c.active) };
}
