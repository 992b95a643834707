import { describe, expect, it } from 'vitest';
import { pointsFor, runningScore } from './scoring';

describe('inspection score choices', () => {
  it('gives all, half (two decimals, rounded down) or none of an item’s points', () => {
    expect(pointsFor('full', 10)).toBe(10);
    expect(pointsFor('partly', 10)).toBe(5);
    expect(pointsFor('partly', 2.25)).toBe(1.12);
    expect(pointsFor('none', 10)).toBe(0);
  });

  it('totals out of 100 as the server does, unscored items counting nothing yet', () => {
    const items = [
      { code: 'a', points: 10 },
      { code: 'b', points: 20 },
      { code: 'c', points: 30 },
    ];
    expect(runningScore(items, {})).toBe(0);
    expect(runningScore(items, { a: 'full', b: 'full', c: 'full' })).toBe(100);
    expect(runningScore(items, { a: 'full', b: 'partly', c: 'none' })).toBe(33.33);
    expect(runningScore([], {})).toBe(0);
  });
});
