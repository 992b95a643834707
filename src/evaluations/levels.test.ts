import { describe, expect, it } from 'vitest';
import { badLevelCondition, goodLevelCondition } from './level-sql.ts';
import { BAD_LEVELS, goodCount, isGoodLevel, LEVELS } from './levels.ts';

describe('差评 and 好评', () => {
  it('are levels 1–2 and 3–5 (DESIGN §4: the national 好评率 counts 基本满意 as good)', () => {
    expect([...BAD_LEVELS].sort()).toEqual([1, 2]);
    expect(LEVELS.filter(isGoodLevel)).toEqual([3, 4, 5]);
    // Every level is exactly one of the two; nothing outside the five is either.
    for (const level of LEVELS) expect(BAD_LEVELS.has(level)).toBe(!isGoodLevel(level));
    for (const level of [0, 6, 2.5, Number.NaN]) expect(isGoodLevel(level)).toBe(false);
  });

  it('counts the 好评 among counts per level', () => {
    expect(goodCount([1, 10, 100, 1000, 10000])).toBe(11100);
    expect(goodCount([7, 7, 0, 0, 0])).toBe(0);
    expect(goodCount([])).toBe(0);
  });

  it('is written into SQL from the same definition', () => {
    expect(badLevelCondition('e.level')).toBe('(e.level IN (1, 2))');
    expect(goodLevelCondition('f.level')).toBe('(f.level NOT IN (1, 2))');
  });
});
