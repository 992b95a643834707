import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { engines, openTestDatabase } from '../../test/engines.ts';
import type { DB } from './schema.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';

const indexes = async (db: Kysely<DB>) => (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'ticket'`.execute(db)).rows.map((r) => r.name);

for (const engine of engines()) {
  describe(`migrations [${engine}]`, () => {
    it('leave a landed migration as it landed: a later one drops the index that the overdue count no longer reads', async () => {
      const database = await openTestDatabase(engine, { empty: true });
      try {
        await migrateTo(database.db, '2026-12-01T00-ticket-evaluation-region');
        expect(await indexes(database.db)).toEqual(expect.arrayContaining(['ticket_unanswered_idx', 'ticket_open_overdue_idx']));
        await migrateToLatest(database.db);
        const after = await indexes(database.db);
        expect(after).toContain('ticket_open_overdue_idx');
        expect(after).not.toContain('ticket_unanswered_idx');
      } finally {
        await database.close();
      }
    });
  });
}
