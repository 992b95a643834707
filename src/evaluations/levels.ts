// The five rating levels and which of them are 差评. This module imports nothing, so that the
// browser clients (rating page, kiosk) bundle the very same definition as the server.

/**
 * 差评: the levels that need an indicator, open a rectification ticket and count against 好评率
 * (DESIGN §4: levels 1–2). The one definition: SQL gets it through level-sql.ts, the browser
 * clients by bundling this module, and 好评 is derived as every other level, never restated.
 */
export const BAD_LEVELS: ReadonlySet<number> = new Set([1, 2]);

/** The five levels, 1 非常不满意 … 5 非常满意. */
export const LEVELS: readonly number[] = [1, 2, 3, 4, 5];

/** 好评: a level that is not a 差评 (the national 好评率 counts 基本满意 as good). */
export const isGoodLevel = (level: number): boolean => LEVELS.includes(level) && !BAD_LEVELS.has(level);

/** The 好评 among counts per level (index 0 = level 1, … 4 = level 5). */
export function goodCount(perLevel: readonly number[]): number {
  return perLevel.reduce((sum, n, i) => (isGoodLevel(i + 1) ? sum + n : sum), 0);
}
