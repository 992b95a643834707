// Which evaluation flags take a rating out of the figures: the one definition, as data. Every figure
// (score tallies and snapshots, the score ledger, ticket figures, counts per level, bulletins) uses
// it: in TypeScript through `exclusionOf`, in SQL through exclusion-sql.ts, which writes the same
// rules out. A new kind of exclusion is one more line in EXCLUSION_RULES (and the flag kind in the
// evaluation_event table's CHECK, by a migration).
import type { EvaluationEventTable } from '../db/schema.ts';

export type FlagKind = EvaluationEventTable['kind'];

/**
 * What a rating is while a rule holds: `excluded` leaves every figure; `held` (held for review,
 * 待核查) leaves them too but is counted apart, so that it can be shown as waiting.
 */
export type ExclusionStatus = 'excluded' | 'held';

export interface ExclusionRule {
  status: ExclusionStatus;
  /** Flags that put the rule in force. */
  sets: readonly FlagKind[];
  /** Flags that lift it again. Of the flags in `sets` and `lifts`, the latest decides; none: for good. */
  lifts: readonly FlagKind[];
}

export const EXCLUSION_RULES: readonly ExclusionRule[] = [
  // An appeal upheld by a supervisor (mistaken or malicious), or a first rating nobody proved to be
  // the applicant's, replaced by the applicant's own (src/ratings/supersession.ts): out for good.
  { status: 'excluded', sets: ['appeal_upheld', 'superseded'], lifts: [] },
  // Fraud confirmed by two reviewers, until cleared or held for review again (src/risk/).
  { status: 'excluded', sets: ['fraud_confirmed'], lifts: ['fraud_cleared', 'risk_held'] },
  // Held by the risk engine or on a supervisor's report, pending review (待核查), until decided.
  // Suspected alone changes nothing.
  { status: 'held', sets: ['risk_held'], lifts: ['fraud_cleared', 'fraud_confirmed'] },
];

/** The order of the statuses when several rules hold: the first wins. */
export const EXCLUSION_STATUSES: readonly ExclusionStatus[] = ['excluded', 'held'];

export interface EvaluationFlag {
  id: string;
  kind: FlagKind;
  at: Date;
}

const byTime = (a: EvaluationFlag, b: EvaluationFlag) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Whether one rule holds over an evaluation's flags. */
export function ruleHolds(rule: ExclusionRule, flags: readonly EvaluationFlag[]): boolean {
  const latest = flags.filter((f) => rule.sets.includes(f.kind) || rule.lifts.includes(f.kind)).sort(byTime).at(-1);
  return latest !== undefined && rule.sets.includes(latest.kind);
}

/** The status of an evaluation given its flags: null while it counts in the figures. */
export function exclusionOf(flags: readonly EvaluationFlag[], rules: readonly ExclusionRule[] = EXCLUSION_RULES): ExclusionStatus | null {
  const holding = new Set(rules.filter((rule) => ruleHolds(rule, flags)).map((rule) => rule.status));
  return EXCLUSION_STATUSES.find((status) => holding.has(status)) ?? null;
}

/** Whether an evaluation is out of every figure (excluded, or held for review). */
export function isExcluded(flags: readonly EvaluationFlag[], rules: readonly ExclusionRule[] = EXCLUSION_RULES): boolean {
  return exclusionOf(flags, rules) !== null;
}
