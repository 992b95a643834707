import { describe, expect, it } from 'vitest';
import { decide, type Vote } from './review.ts';

const at = new Date('2026-12-07T03:00:00Z');
const vote = (reviewer: string, decision: Vote['decision']): Vote => ({ reviewer, decision, at });

describe('the review rule (pure)', () => {
  it('confirming fraud takes two different reviewers', () => {
    expect(decide('held', [], vote('a', 'confirm'))).toEqual({ kind: 'awaiting_second', status: 'held' });
    expect(decide('held', [vote('a', 'confirm')], vote('a', 'confirm'))).toEqual({ kind: 'refused', code: 'RISK_REVIEW_SAME_REVIEWER' });
    expect(decide('held', [vote('a', 'confirm')], vote('b', 'confirm'))).toEqual({ kind: 'decided', status: 'confirmed', flag: 'fraud_confirmed' });
  });
  it('clearing a held rating takes one reviewer, even after a first confirmation', () => {
    expect(decide('held', [], vote('a', 'clear'))).toEqual({ kind: 'decided', status: 'cleared', flag: 'fraud_cleared' });
    expect(decide('held', [vote('a', 'confirm')], vote('b', 'clear'))).toEqual({ kind: 'decided', status: 'cleared', flag: 'fraud_cleared' });
  });
  it('undoing a confirmation takes two reviewers; a decision already standing is refused', () => {
    expect(decide('confirmed', [], vote('a', 'clear'))).toEqual({ kind: 'awaiting_second', status: 'confirmed' });
    expect(decide('confirmed', [vote('a', 'clear')], vote('b', 'clear'))).toEqual({ kind: 'decided', status: 'cleared', flag: 'fraud_cleared' });
    expect(decide('confirmed', [], vote('a', 'confirm'))).toEqual({ kind: 'refused', code: 'RISK_REVIEW_NO_CHANGE' });
    expect(decide('cleared', [], vote('a', 'clear'))).toEqual({ kind: 'refused', code: 'RISK_REVIEW_NO_CHANGE' });
  });
});
