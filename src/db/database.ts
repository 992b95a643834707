// Opens the one SQL dialect (PostgreSQL) on one of two engines: PGlite in a local folder, or a
// PostgreSQL server through `pg` when DATABASE_URL is set.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { pglitePool } from './pglite-pool.ts';

export type Engine = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** The engine's own client, for what a query builder does not cover (COPY in benchmarks). */
  raw: { engine: 'pglite'; pglite: PGlite } | { engine: 'postgres'; pool: pg.Pool };
  close(): Promise<void>;
}

// Same JavaScript values from both engines: int8 and numeric as number, date as 'YYYY-MM-DD'.
const asNumber = (text: string) => Number(text);
const asText = (text: string) => text;

pg.types.setTypeParser(pg.types.builtins.INT8, asNumber);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, asNumber);
pg.types.setTypeParser(pg.types.builtins.DATE, asText);

/**
 * A statement that runs many times a second and costs more to plan than to run names itself with a
 * leading `/* prepare: name *\/` comment (see `prepared`). On PostgreSQL each connection then parses
 * and plans it once, as a named prepared statement; PGlite reads the comment as a comment.
 */
const PREPARE = /^\/\* prepare: ([a-z0-9_]+) \*\//;

/** The comment that makes a statement a named prepared statement on PostgreSQL (PREPARE). */
export const prepared = (name: string) => `/* prepare: ${name} */`;

function preparingNamedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  // Kysely calls query(text, values): only such calls are rewritten.
  Object.assign(client, {
    query: (text: unknown, values?: unknown, ...rest: unknown[]) => {
      const name = typeof text === 'string' && Array.isArray(values) ? PREPARE.exec(text)?.[1] : undefined;
      if (name === undefined) return query(text, values, ...rest);
      // One name per text: a statement may come in variants (say, with or without tickets to open).
      const variant = createHash('sha1').update(text as string).digest('hex').slice(0, 12);
      return query({ name: `${name}_${variant}`, text, values }, ...rest);
    },
  });
}

export interface OpenOptions {
  url?: string | undefined;
  pgliteDir?: string;
  /** Start PGlite from a dumped data folder (a migrated template) instead of the folder. */
  pgliteLoad?: Blob;
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) {
    // JIT off: it compiles plans whose estimate passes jit_above_cost, adding tens of milliseconds to
    // short reads estimated large (rankings, dashboards); bulk work turns it back on (rebuildTallies).
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, options: '-c jit=off' });
    pool.on('connect', preparingNamedStatements);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', raw: { engine: 'postgres', pool }, close: () => db.destroy() };
  }
  if (options.pgliteDir && !options.pgliteDir.startsWith('memory://')) mkdirSync(options.pgliteDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.pgliteDir && !options.pgliteLoad ? { dataDir: options.pgliteDir } : {}),
    ...(options.pgliteLoad ? { loadDataDir: options.pgliteLoad } : {}),
    parsers: { [pgliteTypes.INT8]: asNumber, [pgliteTypes.NUMERIC]: asNumber, [pgliteTypes.DATE]: asText },
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) });
  return {
    db,
    engine: 'pglite',
    raw: { engine: 'pglite', pglite },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
