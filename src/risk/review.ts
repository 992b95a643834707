// The review rule (pure): what a reviewer's decision does to a held rating. Confirming fraud takes
// two different reviewers; so does undoing a confirmation. Clearing a held rating takes one. A
// reviewer's vote counts only in the round it was cast in (until the rating's standing changes).

export type CaseStatus = 'held' | 'confirmed' | 'cleared';
export type ReviewDecision = 'confirm' | 'clear';

export interface Vote {
  reviewer: string;
  decision: ReviewDecision;
  at: Date;
}

export type ReviewOutcome =
  /** The standing changes: append this evaluation flag. */
  | { kind: 'decided'; status: CaseStatus; flag: 'fraud_confirmed' | 'fraud_cleared' | 'risk_held' }
  /** Recorded; a second reviewer must agree. */
  | { kind: 'awaiting_second'; status: CaseStatus }
  | { kind: 'refused'; code: 'RISK_REVIEW_SAME_REVIEWER' | 'RISK_REVIEW_NO_CHANGE' };

export const REVIEWERS_TO_CONFIRM = 2;

/** `votes`: the votes cast since the standing last changed, oldest first. */
export function decide(status: CaseStatus, votes: readonly Vote[], vote: Vote): ReviewOutcome {
  if ((status === 'confirmed' && vote.decision === 'confirm') || (status === 'cleared' && vote.decision === 'clear')) return { kind: 'refused', code: 'RISK_REVIEW_NO_CHANGE' };
  const agreeing = votes.filter((v) => v.decision === vote.decision);
  if (agreeing.some((v) => v.reviewer === vote.reviewer)) return { kind: 'refused', code: 'RISK_REVIEW_SAME_REVIEWER' };
  const needed = vote.decision === 'confirm' || status === 'confirmed' ? REVIEWERS_TO_CONFIRM : 1;
  if (agreeing.length + 1 < needed) return { kind: 'awaiting_second', status };
  if (vote.decision === 'confirm') return { kind: 'decided', status: 'confirmed', flag: 'fraud_confirmed' };
  return { kind: 'decided', status: 'cleared', flag: 'fraud_cleared' };
}
