import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { prepared } from './database.ts';

describeOnEngines('prepared statements', (database, engine) => {
  it('runs a statement named by its leading comment; on PostgreSQL each variant is prepared once per connection', async () => {
    await database().db.connection().execute(async (connection) => {
      for (const n of [1, 2, 3]) {
        const { rows } = await sql<{ doubled: number }>`${sql.raw(prepared('test_double'))} SELECT ${n}::int * 2 AS doubled`.execute(connection);
        expect(rows).toEqual([{ doubled: n * 2 }]);
      }
      // Another text under the same name is another statement, not an error.
      const { rows } = await sql<{ tripled: number }>`${sql.raw(prepared('test_double'))} SELECT ${4}::int * 3 AS tripled`.execute(connection);
      expect(rows).toEqual([{ tripled: 12 }]);
      if (engine === 'postgres') {
        const names = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE name LIKE 'test_double_%'`.execute(connection);
        expect(names.rows).toHaveLength(2);
      }
    });
  });
});
