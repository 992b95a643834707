// Scoring schemes are versioned data (table scoring_scheme): points per level, the weights of the
// figures (指标权重), of the ticket figures and of inspections, the minimum volume to be ranked, the
// bulletin rule and when a period closes. Checked here, so a bad definition never reaches a score.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Weight = Type.Number({ minimum: 0, maximum: 1 });
const Points = Type.Number({ minimum: 0, maximum: 100 });

export const SchemeDefinition = Type.Object(
  {
    levelPoints: Type.Object({ '1': Points, '2': Points, '3': Points, '4': Points, '5': Points }, { additionalProperties: false }),
    /** Whether system defaults count in the 100-point satisfaction score (never in "active" figures). */
    countDefaultsInSatisfaction: Type.Boolean(),
    /** The evaluation part: weights of its figures, each on a 0–100 scale. */
    metricWeights: Type.Object({ satisfactionScore: Weight, goodRate: Weight, activeGoodRate: Weight, ratedRate: Weight }, { additionalProperties: false }),
    /** The ticket part: weights of 差评回复率, 及时答复率, 回访整改率, 回访整改满意率. */
    ticketWeights: Type.Object({ replyRate: Weight, onTimeRate: Weight, callbackRate: Weight, callbackSatisfactionRate: Weight }, { additionalProperties: false }),
    /** Citizens' evaluations (main) against ticket handling and inspections (supplement). */
    partWeights: Type.Object({ evaluation: Weight, tickets: Weight, inspection: Weight }, { additionalProperties: false }),
    /** Active evaluations a unit needs in a period to be ranked. */
    minimumVolume: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    bulletin: Type.Object({ bottomN: Type.Integer({ minimum: 1, maximum: 100 }), consecutivePeriods: Type.Integer({ minimum: 1, maximum: 24 }) }, { additionalProperties: false }),
    /** Days after a period's last day before it is closed and published. */
    closeAfterDays: Type.Integer({ minimum: 0, maximum: 90 }),
  },
  { additionalProperties: false },
);
export type SchemeDefinition = Static<typeof SchemeDefinition>;

export interface Scheme {
  version: string;
  effectiveFrom: string;
  definition: SchemeDefinition;
}

const sum = (weights: Record<string, number>) => Object.values(weights).reduce((a, b) => a + b, 0);
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** Problems with a definition, in words; empty when it may be used. */
export function schemeProblems(definition: unknown): string[] {
  if (!Value.Check(SchemeDefinition, definition)) {
    return [...Value.Errors(SchemeDefinition, definition)].slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
  }
  const problems: string[] = [];
  for (const name of ['metricWeights', 'ticketWeights', 'partWeights'] as const) {
    if (!near(sum(definition[name]), 1)) problems.push(`${name} must add up to 1`);
  }
  const points = definition.levelPoints;
  if (!(points['1'] <= points['2'] && points['2'] <= points['3'] && points['3'] <= points['4'] && points['4'] <= points['5'])) {
    problems.push('levelPoints must not fall as the level rises');
  }
  return problems;
}
