import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { dropDatabase, withDatabase } from '../../test/server-database.ts';
import { openDatabase, type Database } from './database.ts';
import type { DB } from './schema.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';

const postgresUrl = inject('postgresUrl');

/** An empty database on each engine (the test template is migrated already). */
async function emptyDatabase(engine: 'pglite' | 'postgres'): Promise<Database> {
  if (engine === 'pglite') return openDatabase({ pgliteDir: 'memory://' });
  const name = `hcp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl ?? '' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const database = await openDatabase({ url: withDatabase(postgresUrl ?? '', name), poolSize: 2 });
  return {
    ...database,
    async close() {
      await database.close();
      await dropDatabase(postgresUrl ?? '', name);
    },
  };
}

const indexes = async (db: Kysely<DB>) => (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'ticket'`.execute(db)).rows.map((r) => r.name);

for (const engine of postgresUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const)) {
  describe(`migrations [${engine}]`, () => {
    it('leave a landed migration as it landed: a later one drops the index that the overdue count no longer reads', async () => {
      const database = await emptyDatabase(engine);
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
