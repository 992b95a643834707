// The score choices offered for one checklist item (met, partly, not met) and the running total,
// as the server computes it (points awarded ÷ points possible × 100, two decimals). Pure.
export type Choice = 'full' | 'partly' | 'none';

export const CHOICES: readonly Choice[] = ['full', 'partly', 'none'];

/** Points for a choice: all, half (two decimals, rounded down), none. */
export function pointsFor(choice: Choice, max: number): number {
  if (choice === 'full') return max;
  if (choice === 'partly') return Math.floor((max * 100) / 2) / 100;
  return 0;
}

export function runningScore(items: ReadonlyArray<{ code: string; points: number }>, chosen: Readonly<Record<string, Choice | undefined>>): number {
  const possible = items.reduce((sum, item) => sum + item.points, 0);
  if (possible === 0) return 0;
  const awarded = items.reduce((sum, item) => {
    const choice = chosen[item.code];
    return sum + (choice === undefined ? 0 : pointsFor(choice, item.points));
  }, 0);
  return Math.round((awarded / possible) * 10000) / 100;
}
