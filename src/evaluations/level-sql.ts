// 差评 and 好评 in SQL, written out from the one definition (BAD_LEVELS in levels.ts) as a literal
// list: queries, prepared statements and their plans are as if the list had been typed in, and no
// query restates which levels are bad.
import { sql, type RawBuilder } from 'kysely';
import { BAD_LEVELS } from './levels.ts';

const LIST = [...BAD_LEVELS]
  .map((level) => {
    if (!Number.isInteger(level)) throw new Error(`BAD_LEVELS holds a non-integer: ${level}`);
    return level;
  })
  .sort((a, b) => a - b)
  .join(', ');

/** `(<column> IN (1, 2))`: the level in `column` (an SQL expression written in code, never input) is a 差评. */
export function badLevelCondition(column: string): string {
  return `(${column} IN (${LIST}))`;
}

/** 好评 = not 差评 (levels are never null: the column is NOT NULL). */
export function goodLevelCondition(column: string): string {
  return `(${column} NOT IN (${LIST}))`;
}

export const badLevelSql = (column: string): RawBuilder<boolean> => sql.raw<boolean>(badLevelCondition(column));
export const goodLevelSql = (column: string): RawBuilder<boolean> => sql.raw<boolean>(goodLevelCondition(column));
