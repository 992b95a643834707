// Rankings (pure): by composite score, highest first; equal scores share a rank (1, 2, 2, 4); units
// under the scheme's minimum volume of active evaluations are listed apart, unranked.
import type { UnitFigures } from './figures.ts';

export interface RankingInput {
  unitId: string;
  name: string;
  figures: UnitFigures;
}

export interface RankedUnit extends RankingInput {
  rank: number;
  /** True when another unit has the same score (and so the same rank). */
  tied: boolean;
}

export interface Ranking {
  ranked: RankedUnit[];
  /** Under the minimum volume (or with nothing to score), by name. */
  belowMinimum: RankingInput[];
}

const byName = (a: RankingInput, b: RankingInput) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0);

export function rankUnits(units: readonly RankingInput[], minimumVolume: number): Ranking {
  const eligible = units.filter((u) => u.figures.compositeScore !== null && u.figures.activeEvaluations >= minimumVolume);
  const belowMinimum = units.filter((u) => !eligible.includes(u)).sort(byName);
  const sorted = [...eligible].sort((a, b) => (b.figures.compositeScore as number) - (a.figures.compositeScore as number) || byName(a, b));
  const ranked: RankedUnit[] = [];
  sorted.forEach((u, i) => {
    const previous = ranked[i - 1];
    const sameAsPrevious = previous !== undefined && previous.figures.compositeScore === u.figures.compositeScore;
    ranked.push({ ...u, rank: sameAsPrevious ? previous.rank : i + 1, tied: false });
  });
  for (const r of ranked) r.tied = ranked.some((o) => o !== r && o.rank === r.rank);
  return { ranked, belowMinimum };
}

/** The ranked units in the bottom `n` places (ties at the boundary included). */
export function bottomOf(ranking: Ranking, n: number): RankedUnit[] {
  const count = ranking.ranked.length;
  if (count === 0) return [];
  const boundary = ranking.ranked[Math.max(0, count - n)] as RankedUnit;
  return ranking.ranked.filter((r) => r.rank >= boundary.rank);
}

/** The top `n` (ties at the boundary included). */
export function topOf(ranking: Ranking, n: number): RankedUnit[] {
  return ranking.ranked.filter((r) => r.rank <= n);
}
