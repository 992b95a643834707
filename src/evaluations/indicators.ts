// Indicator sets are versioned data: an evaluation records the version it was given. Versions are
// immutable once published, so a loaded version is cached for the life of the process.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface IndicatorOption {
  code: string;
  nameZh: string;
  nameEn: string;
  scope: 'online' | 'offline' | 'any';
  levels: number[];
}

export interface IndicatorCatalogue {
  current: string;
  versions: ReadonlyMap<string, ReadonlyMap<string, IndicatorOption>>;
}

export async function loadIndicatorCatalogue(db: Kysely<DB>): Promise<IndicatorCatalogue> {
  const rows = await db.selectFrom('indicator').selectAll().orderBy('version').orderBy('code').execute();
  const versions = new Map<string, Map<string, IndicatorOption>>();
  for (const row of rows) {
    const options = versions.get(row.version) ?? new Map<string, IndicatorOption>();
    options.set(row.code, { code: row.code, nameZh: row.name_zh, nameEn: row.name_en, scope: row.scope, levels: row.levels.map(Number) });
    versions.set(row.version, options);
  }
  const current = [...versions.keys()].sort().at(-1);
  if (!current) throw new Error('no indicator set in the database; run the migrations');
  return { current, versions };
}
