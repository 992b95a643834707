// The database agrees with the one definition of 差评: the generated conditions, and the check on
// the ticket table (a frozen migration's copy, which must admit exactly the bad levels).
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { badLevelSql, goodLevelSql } from './level-sql.ts';
import { BAD_LEVELS, isGoodLevel, LEVELS } from './levels.ts';

describeOnEngines('差评 in SQL', (database) => {
  it('classifies every level as the TypeScript definition does', async () => {
    const { rows } = await sql<{ level: number; bad: boolean; good: boolean }>`
      SELECT l.level, ${badLevelSql('l.level')} AS bad, ${goodLevelSql('l.level')} AS good
      FROM (SELECT generate_series(0, 6)::int2 AS level) AS l ORDER BY l.level`.execute(database().db);
    expect(rows).toEqual([0, ...LEVELS, 6].map((level) => ({ level, bad: BAD_LEVELS.has(level), good: !BAD_LEVELS.has(level) })));
    // Outside the five levels the SQL says "not bad" but the column never holds one (CHECK 1–5).
    expect(rows.filter((r) => LEVELS.includes(r.level)).every((r) => r.good === isGoodLevel(r.level))).toBe(true);
  });

  it('admits tickets of exactly the 差评 levels (the ticket table’s own check)', async () => {
    const { db } = database();
    const check = await sql<{ expression: string }>`
      SELECT pg_get_expr(c.conbin, c.conrelid) AS expression FROM pg_constraint c
      WHERE c.conrelid = 'ticket'::regclass AND c.contype = 'c' AND pg_get_expr(c.conbin, c.conrelid) LIKE '%level%'`.execute(db);
    expect(check.rows).toHaveLength(1);
    const expression = check.rows[0]?.expression ?? '';
    // The stored expression itself, evaluated for each level.
    const { rows } = await sql<{ level: number; admitted: boolean }>`
      SELECT level, (${sql.raw(expression)}) AS admitted FROM (SELECT generate_series(1, 5)::int2 AS level) AS l ORDER BY level`.execute(db);
    expect(rows).toEqual(LEVELS.map((level) => ({ level, admitted: BAD_LEVELS.has(level) })));
  });
});
