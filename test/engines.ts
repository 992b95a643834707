// Storage tests run on every engine: PGlite always, PostgreSQL when DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, type Database, type Engine } from '../src/db/database.ts';
import { dropDatabase, withDatabase } from './server-database.ts';

export function engines(): Engine[] {
  return inject('postgresUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, migrated database for one test file on one engine; `empty`: not migrated (tests of migrations). */
export async function openTestDatabase(engine: Engine, { empty = false }: { empty?: boolean } = {}): Promise<Database> {
  if (engine === 'pglite') {
    if (empty) return openDatabase({ pgliteDir: 'memory://' });
    const dump = readFileSync(inject('pgliteTemplateFile'));
    return openDatabase({ pgliteLoad: new Blob([dump]) });
  }
  const url = inject('postgresUrl');
  const template = inject('postgresTemplate');
  if (!url || !template) throw new Error('PostgreSQL is not configured for this run');
  const name = `hcp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${empty ? '' : ` TEMPLATE ${template}`}`);
  await admin.end();
  const database = await openDatabase({ url: withDatabase(url, name), poolSize: 8 });
  return {
    ...database,
    async close() {
      await database.close();
      await dropDatabase(url, name);
    },
  };
}

/** describe() once per engine, with a database opened before and closed after. */
export function describeOnEngines(title: string, body: (database: () => Database, engine: Engine) => void): void {
  for (const engine of engines()) {
    describe(`${title} [${engine}]`, () => {
      let database: Database | undefined;
      beforeAll(async () => {
        database = await openTestDatabase(engine);
      });
      afterAll(async () => {
        await database?.close();
      });
      body(() => {
        if (!database) throw new Error('database not open yet');
        return database;
      }, engine);
    });
  }
}
