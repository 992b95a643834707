// Migrate once per test run: a PGlite data folder dumped to a file, and (when DATABASE_URL is
// set) a template database on the server. Each test file starts from a copy of these.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ensureConsoleBuilt } from './console-build.ts';
import { dropDatabase, withDatabase } from './server-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateFile: string;
    postgresTemplate: string | null;
    postgresUrl: string | null;
  }
}

export default async function setup(project: TestProject) {
  await ensureConsoleBuilt();
  const folder = mkdtempSync(join(tmpdir(), 'hcp-test-'));
  const template = await openDatabase({ pgliteDir: 'memory://' });
  await migrateToLatest(template.db);
  if (template.raw.engine !== 'pglite') throw new Error('expected PGlite');
  const dump = await template.raw.pglite.dumpDataDir('none');
  const file = join(folder, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await template.close();
  project.provide('pgliteTemplateFile', file);

  const url = process.env.DATABASE_URL || null;
  let templateName: string | null = null;
  if (url) {
    templateName = `hcp_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
    await admin.query(`CREATE DATABASE ${templateName}`);
    await admin.end();
    const server = await openDatabase({ url: withDatabase(url, templateName), poolSize: 1 });
    await migrateToLatest(server.db);
    await server.close();
  }
  project.provide('postgresTemplate', templateName);
  project.provide('postgresUrl', url);

  return async () => {
    rmSync(folder, { recursive: true, force: true });
    if (url && templateName) {
      await dropDatabase(url, templateName);
    }
  };
}

