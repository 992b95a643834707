// Live figures of any period, from the maintained tallies (never a ledger scan): rankings, and one
// unit's dashboard with its trend and channels.
import { sql, type Kysely } from 'kysely';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB, ScoreUnitKind } from '../db/schema.ts';
import { assembleFigures, type Catalog, type UnitCounts } from './assemble.ts';
import type { PeriodFigures } from './document.ts';
import { excludedSql } from './ledger-tallies.ts';
import { excludedSetAsOfSql } from './exclusion-sql.ts';
import { channelFigures, unitFigures, type ChannelFigures, type UnitFigures } from './figures.ts';
import type { Period } from './periods.ts';
import type { Scheme } from './scheme.ts';
import { schemeInForce } from './schemes.ts';
import { channelTallies, dailyTallies, sumTallies } from './tally-store.ts';
import { addCounts, emptyTally, type TallyCounts } from './tally.ts';

/** Regions to county level, and the named orgs plus every provincial department. */
export async function readCatalog(db: Kysely<DB>, orgIds: readonly string[]): Promise<Catalog> {
  const regions = await db.selectFrom('region').select(['code', 'name', 'level', 'parent_code']).where('level', '<=', 3).execute();
  const orgs = await db
    .selectFrom('org')
    .innerJoin('region', 'region.code', 'org.region_code')
    .select(['org.id', 'org.name', 'org.kind', 'org.region_code'])
    .where((eb) => eb.or([eb('org.id', 'in', orgIds.length > 0 ? [...orgIds] : ['00000000-0000-0000-0000-000000000000']), eb.and([eb('region.level', '=', 1), eb('org.kind', '=', 'department')])]))
    .execute();
  return { regions, orgs };
}

async function openOverdue(db: Kysely<DB>, period: Period, now: Date): Promise<Array<{ region_code: string; org_id: string; n: number }>> {
  // From the unanswered tickets alone (a partial index): no lookup into the evaluation ledger.
  const result = await sql<{ region_code: string; org_id: string; n: number }>`SELECT t.evaluation_region_code AS region_code, t.org_id, count(*)::int8 AS n
    FROM ticket t
    WHERE t.reply_done_at IS NULL AND t.reply_due_at < ${now} AND t.appeal_state IS DISTINCT FROM 'upheld'
      AND t.opened_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date
      AND NOT ${excludedSql(undefined, sql.ref('t.evaluation_id'))}
    GROUP BY 1, 2`.execute(db);
  return result.rows;
}

export interface LiveOptions {
  scheme?: Scheme;
  /** 'ranked' (default): regions and provincial departments, what rankings need; 'all': every org with figures too. */
  orgs?: 'ranked' | 'all';
}

/** The figures and rankings of a period as they stand now, from the tallies. */
export async function liveFigures(db: Kysely<DB>, period: Period, now: Date, options: LiveOptions = {}): Promise<PeriodFigures> {
  const used = options.scheme ?? (await schemeInForce(db, period.fromDay));
  const ranked = (options.orgs ?? 'ranked') === 'ranked' ? await readCatalog(db, []) : null;
  const [regionTallies, orgTallies, overdue] = await Promise.all([
    sumTallies(db, 'region', period.fromDay, period.toDay),
    sumTallies(db, 'org', period.fromDay, period.toDay, ranked?.orgs.map((o) => o.id)),
    openOverdue(db, period, now),
  ]);
  const counts: UnitCounts = {
    regions: new Map(regionTallies.map((t) => [t.unitId, t.counts])),
    orgs: new Map(orgTallies.map((t) => [t.unitId, t.counts])),
    openOverdueByRegion: new Map(),
    openOverdueByOrg: new Map(),
  };
  for (const o of overdue) {
    counts.openOverdueByRegion.set(o.region_code, (counts.openOverdueByRegion.get(o.region_code) ?? 0) + o.n);
    counts.openOverdueByOrg.set(o.org_id, (counts.openOverdueByOrg.get(o.org_id) ?? 0) + o.n);
  }
  return assembleFigures(period, used, ranked ?? (await readCatalog(db, orgTallies.map((t) => t.unitId))), counts);
}

export interface UnitDashboard {
  unit: { kind: ScoreUnitKind; id: string };
  period: Period;
  schemeVersion: string;
  figures: UnitFigures;
  channels: ChannelFigures[];
  daily: Array<{ day: string; evaluations: number; goodRate: number | null; satisfactionScore: number | null }>;
}

/** The tally ids a unit covers: a region covers its whole subtree. */
export async function unitTallyIds(db: Kysely<DB>, kind: ScoreUnitKind, id: string): Promise<string[]> {
  if (kind !== 'region') return [id];
  const region = await db.selectFrom('region').select('path').where('code', '=', id).executeTakeFirst();
  if (!region) return [];
  return (await db.selectFrom('region').select('code').where('path', 'like', pathPrefixPattern(region.path)).execute()).map((r) => r.code);
}

export async function unitDashboard(db: Kysely<DB>, kind: ScoreUnitKind, id: string, period: Period, now: Date): Promise<UnitDashboard> {
  const scheme = await schemeInForce(db, period.fromDay);
  const ids = await unitTallyIds(db, kind, id);
  const [daily, channels, overdue] = await Promise.all([
    dailyTallies(db, kind, ids, period.fromDay, period.toDay),
    channelTallies(db, kind, ids, period.fromDay, period.toDay),
    kind === 'region' || kind === 'org' ? openOverdue(db, period, now) : Promise.resolve([]),
  ]);
  const total = daily.reduce<TallyCounts>((acc, d) => addCounts(acc, d.counts), emptyTally());
  const idSet = new Set(ids);
  const overdueCount = overdue.filter((o) => idSet.has(kind === 'region' ? o.region_code : o.org_id)).reduce((a, o) => a + o.n, 0);
  return {
    unit: { kind, id },
    period,
    schemeVersion: scheme.version,
    figures: unitFigures(total, overdueCount, scheme.definition),
    channels: channels.map((c) => channelFigures(c.channel, c)),
    daily: daily.map((d) => {
      const f = unitFigures(d.counts, 0, scheme.definition);
      return { day: d.day, evaluations: f.evaluations, goodRate: f.goodRate, satisfactionScore: f.satisfactionScore };
    }),
  };
}

const UNIT_COLUMN: Record<Exclude<ScoreUnitKind, 'region'>, 'org_id' | 'item_id' | 'window_id' | 'staff_id'> = { org: 'org_id', item: 'item_id', window: 'window_id', staff: 'staff_id' };

/**
 * Ratings of a unit in a period held out of its figures for fraud review (待核查): not counted,
 * never silently dropped either, so the dashboard shows how many wait (src/risk/).
 */
export async function heldForReview(db: Kysely<DB>, kind: ScoreUnitKind, id: string, period: Period): Promise<number> {
  const unit = kind === 'region' ? sql`e.region_code = ANY(${await unitTallyIds(db, kind, id)}::text[])` : sql`${sql.ref(`e.${UNIT_COLUMN[kind]}`)} = ${id}::uuid`;
  const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM evaluation e JOIN (${excludedSetAsOfSql(undefined)}) s ON s.evaluation_id = e.id
    WHERE s.status = 'held' AND e.assessed_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date AND ${unit}`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}
