// Reading evaluations back, always limited to what the caller covers.
import { sql, type Kysely } from 'kysely';
import type { Scope } from '../auth/policy.ts';
import type { DB } from '../db/schema.ts';
import { excludedSetAsOfSql } from '../scoring/exclusion-sql.ts';

const VIEW_COLUMNS = [
  'e.id', 'e.receipt_no', 'e.subject', 'e.project_no', 'e.service_number', 'e.assess_number', 'e.level', 'e.indicator_version',
  'e.indicator_codes', 'e.comment', 'e.channel', 'e.is_default', 'e.is_anonymous', 'e.assessed_at', 'e.received_at',
  'e.region_code', 'e.org_id', 'e.item_id', 'e.window_id', 'e.staff_id', 'e.user_prop', 'e.rater_masked', 'e.chain_id', 'e.seq', 'e.hash',
  'e.rater_pii', 'e.rater_pii_key_id', 'r.path as region_path',
] as const;

export async function findEvaluation(db: Kysely<DB>, id: string) {
  return db.selectFrom('evaluation as e').innerJoin('region as r', 'r.code', 'e.region_code').select(VIEW_COLUMNS).where('e.id', '=', id).executeTakeFirst();
}

export async function flagsOf(db: Kysely<DB>, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('evaluation_event').select(['evaluation_id', 'kind', 'reason', 'at']).where('evaluation_id', 'in', ids).orderBy('at').execute();
}

export interface EvaluationFilter {
  regionCode?: string | undefined;
  orgId?: string | undefined;
  level?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset cursor: the last id of the previous page (ids are time-ordered). */
  after?: string | undefined;
  limit: number;
}

export async function listEvaluations(db: Kysely<DB>, scope: Scope, filter: EvaluationFilter) {
  let query = db.selectFrom('evaluation as e').innerJoin('region as r', 'r.code', 'e.region_code').select(VIEW_COLUMNS);
  if (scope.orgId !== null) query = query.where('e.org_id', '=', scope.orgId);
  else if (scope.regionPath !== null) query = query.where('r.path', 'like', `${scope.regionPath}%`);
  else return [];
  if (filter.regionCode) {
    const region = await db.selectFrom('region').select('path').where('code', '=', filter.regionCode).executeTakeFirst();
    if (!region) return [];
    query = query.where('r.path', 'like', `${region.path}%`);
  }
  if (filter.orgId) query = query.where('e.org_id', '=', filter.orgId);
  if (filter.level) query = query.where('e.level', '=', filter.level);
  if (filter.from) query = query.where('e.assessed_at', '>=', filter.from);
  if (filter.to) query = query.where('e.assessed_at', '<', filter.to);
  if (filter.after) query = query.where('e.id', '<', filter.after);
  return query.orderBy('e.id', 'desc').limit(filter.limit).execute();
}

export interface LevelSummary {
  level: number;
  active: number;
  defaults: number;
}

/**
 * Counts per level, for a region subtree or an org: the maintained counters (never a ledger scan)
 * count every stored evaluation, so the few out of the figures (scoring/exclusion.ts: an upheld
 * appeal, fraud confirmed …) are read from their flags and taken away.
 */
export async function levelSummary(db: Kysely<DB>, where: { regionPath?: string; orgId?: string; fromDay: string; toDay: string }): Promise<LevelSummary[]> {
  let query = db
    .selectFrom('evaluation_counter as c')
    .select([
      'c.level',
      sql<number>`coalesce(sum(c.count) filter (where not c.is_default), 0)::int8`.as('active'),
      sql<number>`coalesce(sum(c.count) filter (where c.is_default), 0)::int8`.as('defaults'),
    ])
    .where('c.day', '>=', where.fromDay)
    .where('c.day', '<=', where.toDay)
    .groupBy('c.level')
    .orderBy('c.level');
  if (where.orgId) query = query.where('c.org_id', '=', where.orgId);
  if (where.regionPath) query = query.where('c.region_code', 'in', db.selectFrom('region').select('code').where('path', 'like', `${where.regionPath}%`));
  const counted = await query.execute();
  const out = await sql<{ level: number; active: number; defaults: number }>`SELECT e.level,
      count(*) FILTER (WHERE NOT e.is_default)::int8 AS active, count(*) FILTER (WHERE e.is_default)::int8 AS defaults
    FROM (${excludedSetAsOfSql(undefined)}) AS x JOIN evaluation e ON e.id = x.evaluation_id
    WHERE e.assessed_day BETWEEN ${where.fromDay}::date AND ${where.toDay}::date
      ${where.orgId ? sql`AND e.org_id = ${where.orgId}::uuid` : sql``}
      ${where.regionPath ? sql`AND e.region_code IN (SELECT code FROM region WHERE path LIKE ${`${where.regionPath}%`})` : sql``}
    GROUP BY e.level`.execute(db);
  const excluded = new Map(out.rows.map((r) => [r.level, r]));
  return counted.map((c) => ({ level: c.level, active: c.active - (excluded.get(c.level)?.active ?? 0), defaults: c.defaults - (excluded.get(c.level)?.defaults ?? 0) }));
}
