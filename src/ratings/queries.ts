// What a rating link shows: the case stage it rates (names only, staff masked), whether it was
// rated, and the choices of each level for where the stage was served.
import { sql, type Kysely } from 'kysely';
import { regionDisplayName } from '../catalog/regions.ts';
import type { DB, OrgTable } from '../db/schema.ts';
import type { IndicatorCatalogue } from '../evaluations/indicators.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { maskName } from '../pii/person.ts';

export async function linkFacts(db: Kysely<DB>, caseStageId: string, staffId: string | null) {
  const row = await db
    .selectFrom('case_stage as s')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .innerJoin('service_item as i', 'i.id', 'c.item_id')
    .innerJoin('org as o', 'o.id', 's.org_id')
    .innerJoin('region as r', 'r.code', 'c.region_code')
    .leftJoin('region as rp', 'rp.code', 'r.parent_code')
    .leftJoin('service_window as w', 'w.id', 's.window_id')
    .leftJoin('staff as st', (join) => join.on('st.id', '=', sql<string>`coalesce(${staffId}::uuid, s.staff_id)`))
    .select(['c.project_no', 's.service_number', 's.completed_at', 's.window_id', 'o.kind as org_kind', 'i.name as item_name', 'o.name as org_name'])
    .select(['r.name as region_name', 'r.level as region_level', 'rp.name as parent_name', 'rp.level as parent_level', 'w.name as window_name', 'st.name as staff_name'])
    .where('s.id', '=', caseStageId)
    .executeTakeFirst();
  if (!row || row.completed_at === null) return undefined;
  const slots = await db
    .selectFrom('evaluation_slot as slot')
    .innerJoin('evaluation as e', 'e.id', 'slot.evaluation_id')
    .select(['slot.assess_number', 'e.level', 'e.receipt_no', 'e.assessed_at'])
    .where('slot.case_stage_id', '=', caseStageId)
    .execute();
  const first = slots.find((s) => s.assess_number === 1);
  const parent = row.parent_name !== null && row.parent_level !== null ? { name: row.parent_name, level: row.parent_level } : null;
  return {
    projectNo: row.project_no,
    scope: scopeOfStage({ windowId: row.window_id, orgKind: row.org_kind }),
    case: {
      itemName: row.item_name,
      orgName: row.org_name,
      regionName: regionDisplayName({ name: row.region_name, level: row.region_level }, parent),
      windowName: row.window_name,
      staffName: row.staff_name === null ? null : maskName(row.staff_name),
      completedAt: row.completed_at.toISOString(),
      serviceNumber: row.service_number,
    },
    first: first ? { level: first.level, receiptNo: first.receipt_no, assessedAt: first.assessed_at.toISOString() } : null,
    followUp: slots.some((s) => s.assess_number === 2),
  };
}

/**
 * Which indicator set a stage is rated on follows where it was served, not how the rating
 * arrives: a stage handled at a hall window (it names a window, or its org is a hall) takes the
 * offline set (服务态度 …) also when the rater answers an SMS link at home; anything else the
 * online set (平台操作 …), also when rated on a hall terminal.
 */
export function scopeOfStage(stage: { windowId: string | null; orgKind: OrgTable['kind'] }): 'online' | 'offline' {
  return stage.windowId !== null || stage.orgKind === 'hall' ? 'offline' : 'online';
}

/** The five levels, best first, each with the indicators of the current set that fit the scope. */
export function levelChoices(catalogue: IndicatorCatalogue, scope: 'online' | 'offline') {
  const options = [...(catalogue.versions.get(catalogue.current)?.values() ?? [])];
  return [5, 4, 3, 2, 1].map((level) => ({
    level,
    zh: LEVEL_NAMES[level]?.zh ?? '',
    en: LEVEL_NAMES[level]?.en ?? '',
    indicators: options.filter((o) => o.levels.includes(level) && (o.scope === scope || o.scope === 'any')).map((o) => ({ code: o.code, zh: o.nameZh, en: o.nameEn })),
  }));
}
