// The risk policy: every threshold of the engine as versioned data. An assessment records the
// version it was made under, so a later change of thresholds never rewrites what was decided.

export interface RiskPolicy {
  version: string;
  /** Combined score at or above which a rating is held for review (待核查). */
  holdAt: number;
  /** How far back the engine looks for the company a rating keeps (hours). */
  lookbackHours: number;
  text: {
    /** SimHash bits two comments may differ by and still be one text. */
    maxDistance: number;
    /** Near-copies of one distinctive comment, on one target or from one source, that make a cluster. */
    clusterSize: number;
    windowHours: number;
    weight: number;
  };
  speed: {
    /** Faster than this from the stage's completion to the rating, no person read the screen. */
    minHumanSeconds: number;
    /** Machine-speed ratings from one source within the window that make a cluster. */
    clusterSize: number;
    windowMinutes: number;
    weight: number;
    /** One such rating alone: shown to reviewers, never enough to hold. */
    singleWeight: number;
  };
  timing: {
    /** Ratings of one target from one source within the window, at the same level, with delays this uniform. */
    clusterSize: number;
    windowMinutes: number;
    maxDelaySpreadSeconds: number;
    weight: number;
  };
  phone: {
    windowHours: number;
    /** 差评 by one phone on distinct cases within the window. */
    badCases: number;
    /** Ratings by one phone on distinct cases within the window, whatever the level. */
    anyCases: number;
    weight: number;
  };
  install: {
    windowMinutes: number;
    /** Distinct stages or places rated from one browser install within the window. */
    subjects: number;
    weight: number;
  };
  network: {
    windowMinutes: number;
    /** Ratings of one target from one /24 or /64 within the window. */
    perTarget: number;
    weight: number;
  };
  surge: {
    windowMinutes: number;
    /** Ratings of one window or staff member within the window, all at one extreme level. */
    perTarget: number;
    /** …and this many times what the target got per window over the look-back before (a change point). */
    baselineFactor: number;
    /** For ratings given without proof of a right to rate (a poster's own rating). */
    weight: number;
    /** For ratings with a proof (a signed link, a code, a device push, a phone, an app vouching). */
    provenWeight: number;
  };
  abuse: { weight: number };
}

export const INITIAL_RISK_POLICY: RiskPolicy = {
  version: '2026.1',
  holdAt: 0.7,
  lookbackHours: 24,
  text: { maxDistance: 6, clusterSize: 3, windowHours: 24, weight: 0.8 },
  speed: { minHumanSeconds: 5, clusterSize: 4, windowMinutes: 60, weight: 0.8, singleWeight: 0.2 },
  timing: { clusterSize: 6, windowMinutes: 60, maxDelaySpreadSeconds: 30, weight: 0.5 },
  phone: { windowHours: 24, badCases: 4, anyCases: 10, weight: 0.8 },
  install: { windowMinutes: 60, subjects: 4, weight: 0.8 },
  network: { windowMinutes: 60, perTarget: 8, weight: 0.6 },
  surge: { windowMinutes: 60, perTarget: 10, baselineFactor: 3, weight: 0.7, provenWeight: 0.4 },
  abuse: { weight: 0.75 },
};

/** Independent signals combine as chances do: 1 − Π(1 − w). */
export function combinedScore(weights: readonly number[]): number {
  return 1 - weights.reduce((rest, w) => rest * (1 - w), 1);
}
