// Reading what a bulletin needs about a named unit (where it sits, its overdue tickets, the 差评
// that may be quoted) and reading bulletins and their accountability list back.
import { excludedSql } from '../scoring/ledger-tallies.ts';
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { BulletinResponseTable, BulletinTable, DB, PeriodKind } from '../db/schema.ts';
import { badLevelSql } from '../evaluations/level-sql.ts';
import type { UnitClass } from '../scoring/document.ts';
import { OVERDUE_LISTED, type OverdueTicket } from './document.ts';
import type { ResponseUnit } from './rules.ts';

export type BulletinRow = Selectable<BulletinTable>;
export type ResponseRow = Selectable<BulletinResponseTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a unit sits: a region's own path, an org's region's path; undefined when it does not exist. */
export async function unitPlacement(db: Kysely<DB>, unit: { kind: 'region' | 'org'; id: string }): Promise<ResponseUnit | undefined> {
  if (unit.kind === 'region') {
    const region = await db.selectFrom('region').select('path').where('code', '=', unit.id).executeTakeFirst();
    return region && { kind: 'region', id: unit.id, regionPath: region.path };
  }
  if (!UUID.test(unit.id)) return undefined;
  const org = await db.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select('region.path').where('org.id', '=', unit.id).executeTakeFirst();
  return org && { kind: 'org', id: unit.id, regionPath: org.path };
}

/** Whether an evaluation is in the figures: the scoring rule (no upheld appeal, no confirmed fraud left uncleared). */
function counted(evaluationId: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`NOT ${excludedSql(undefined, evaluationId)}`;
}

/**
 * A unit's tickets opened within the days whose reply deadline was missed: answered late, or
 * still unanswered past it at `now`. Upheld appeals end the duty to reply and are left out, as are
 * evaluations out of the figures. The first OVERDUE_LISTED by opening day, and the full count.
 */
export async function overdueTickets(db: Kysely<DB>, unit: ResponseUnit, fromDay: string, toDay: string, now: Date): Promise<{ count: number; tickets: OverdueTicket[] }> {
  const rows = await db
    .selectFrom('ticket as t')
    .select(['t.receipt_no', 't.opened_day', 't.reply_due_at', 't.reply_done_at', 't.state', sql<number>`count(*) OVER ()`.as('total')])
    .$call((q) => (unit.kind === 'org' ? q.where('t.org_id', '=', unit.id) : q.where('t.region_path', 'like', pathPrefixPattern(unit.regionPath))))
    .where('t.opened_day', '>=', fromDay)
    .where('t.opened_day', '<=', toDay)
    .where('t.state', '<>', 'closed_invalid')
    .where(sql<SqlBool>`(t.reply_done_at > t.reply_due_at OR (t.reply_done_at IS NULL AND t.reply_due_at < ${now}))`)
    .where(counted(sql.ref('t.evaluation_id')))
    .orderBy('t.opened_day')
    .orderBy('t.receipt_no')
    .limit(OVERDUE_LISTED)
    .execute();
  return {
    count: Number(rows[0]?.total ?? 0),
    tickets: rows.map((r) => ({ receiptNo: r.receipt_no, openedDay: r.opened_day, replyDueAt: r.reply_due_at.toISOString(), repliedAt: r.reply_done_at?.toISOString() ?? null, state: r.state })),
  };
}

/** How many candidates the choice of typical 差评 looks at. */
const CANDIDATES = 50;

/**
 * 差评 with a comment given to the unit within the days, still in the figures, most telling first
 * (非常不满意 before 不满意, longer before shorter). Level, day and comment only: nothing of the rater.
 */
export async function badCommentCandidates(db: Kysely<DB>, unit: ResponseUnit, fromDay: string, toDay: string): Promise<Array<{ level: number; day: string; comment: string }>> {
  const rows = await db
    .selectFrom('evaluation as e')
    .select(['e.level', 'e.assessed_day', 'e.comment'])
    .$call((q) =>
      unit.kind === 'org'
        ? q.where('e.org_id', '=', unit.id)
        : q.where('e.region_code', 'in', (eb) => eb.selectFrom('region').select('region.code').where('region.path', 'like', pathPrefixPattern(unit.regionPath))),
    )
    .where(badLevelSql('e.level'))
    .where('e.is_default', '=', false)
    .where('e.comment', 'is not', null)
    .where(sql<SqlBool>`btrim(e.comment) <> ''`)
    .where('e.assessed_day', '>=', fromDay)
    .where('e.assessed_day', '<=', toDay)
    .where(counted(sql.ref('e.id')))
    .orderBy('e.level')
    .orderBy(sql`char_length(e.comment)`, 'desc')
    .orderBy('e.id')
    .limit(CANDIDATES)
    .execute();
  return rows.map((r) => ({ level: r.level, day: r.assessed_day, comment: r.comment ?? '' }));
}

export interface BulletinListItem {
  row: Omit<BulletinRow, 'document'>;
  titleZh: string;
  namedCount: number;
}

export interface BulletinFilter {
  periodKind?: PeriodKind | undefined;
  periodKey?: string | undefined;
  unitClass?: UnitClass | undefined;
  /** Keyset cursor: the last id of the previous page (ids are time-ordered). */
  after?: string | undefined;
  limit: number;
}

/** Bulletins, newest first, without their documents (title and number of units named read from them). */
export async function listBulletins(db: Kysely<DB>, filter: BulletinFilter): Promise<BulletinListItem[]> {
  let query = db
    .selectFrom('bulletin')
    .select(['id', 'period_kind', 'period_key', 'unit_class', 'bottom_n', 'consecutive', 'snapshot_ids', 'digest', 'issued_by', 'issued_at'])
    .select([sql<string>`(document::jsonb -> 'title' ->> 'zh')`.as('title_zh'), sql<number>`jsonb_array_length(document::jsonb -> 'named')`.as('named_count')]);
  if (filter.periodKind) query = query.where('period_kind', '=', filter.periodKind);
  if (filter.periodKey) query = query.where('period_key', '=', filter.periodKey);
  if (filter.unitClass) query = query.where('unit_class', '=', filter.unitClass);
  if (filter.after) query = query.where('id', '<', filter.after);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(({ title_zh, named_count, ...row }) => ({ row, titleZh: title_zh, namedCount: Number(named_count) }));
}

export async function findBulletin(db: Kysely<DB>, id: string): Promise<BulletinRow | undefined> {
  return db.selectFrom('bulletin').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every step of every named unit's response, by unit and in order. */
export async function responseEvents(db: Kysely<DB>, bulletinId: string): Promise<ResponseRow[]> {
  return db.selectFrom('bulletin_response').selectAll().where('bulletin_id', '=', bulletinId).orderBy('unit_kind').orderBy('unit_id').orderBy('seq').execute();
}

/** The latest step of one unit's response (its current state), if the unit is named in the bulletin. */
export async function latestResponse(db: Kysely<DB>, bulletinId: string, unit: { kind: string; id: string }): Promise<ResponseRow | undefined> {
  return db
    .selectFrom('bulletin_response')
    .selectAll()
    .where('bulletin_id', '=', bulletinId)
    .where('unit_kind', '=', unit.kind === 'org' ? 'org' : 'region')
    .where('unit_id', '=', unit.id)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}
