// The scoring scheme the pure tests compute by hand: the same numbers as the initial scheme
// the migration seeds (version 2026.1), written out here so that tests do not read the database.
import type { SchemeDefinition } from '../src/scoring/scheme.ts';

export const TEST_SCHEME: SchemeDefinition = {
  levelPoints: { '1': 0, '2': 40, '3': 60, '4': 80, '5': 100 },
  countDefaultsInSatisfaction: false,
  metricWeights: { satisfactionScore: 0.6, goodRate: 0.2, activeGoodRate: 0.1, ratedRate: 0.1 },
  ticketWeights: { replyRate: 0.3, onTimeRate: 0.3, callbackRate: 0.2, callbackSatisfactionRate: 0.2 },
  partWeights: { evaluation: 0.7, tickets: 0.2, inspection: 0.1 },
  minimumVolume: 30,
  bulletin: { bottomN: 3, consecutivePeriods: 2 },
  closeAfterDays: 20,
};
