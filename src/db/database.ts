// Opens the one SQL dialect (PostgreSQL) on one of two engines: PGlite in a local folder, or a
// PostgreSQL server through `pg` when DATABASE_URL is set.
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
