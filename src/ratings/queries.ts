// What a rating link shows: the case stage it rates (names only, staff masked), whether it was
// rated, and the choices of each level for the link's channel.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Channel } from '../evaluations/channels.ts';
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
    .leftJoin('service_window as w', 'w.id', 's.window_id')
    .leftJoin('staff as st', (join) => join.on('st.id', '=', sql<string>`coalesce(${staffId}::uuid, s.staff_id)`))
    .select(['c.project_no', 's.service_number', 's.completed_at', 'i.name as item_name', 'o.name as org_name', 'r.name as region_name', 'w.name as window_name', 'st.name as staff_name'])
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
  return {
    projectNo: row.project_no,
    case: {
      itemName: row.item_name,
      orgName: row.org_name,
      regionName: row.region_name,
      windowName: row.window_name,
      staffName: row.staff_name === null ? null : maskName(row.staff_name),
      completedAt: row.completed_at.toISOString(),
      serviceNumber: row.service_number,
    },
    first: first ? { level: first.level, receiptNo: first.receipt_no, assessedAt: first.assessed_at.toISOString() } : null,
    followUp: slots.some((s) => s.assess_number === 2),
  };
}

const OFFLINE: ReadonlySet<Channel> = new Set(['hall_tablet', 'hall_terminal']);

/** Services at a hall are rated on the offline indicators; everything else on the online ones. */
export const scopeOfChannel = (channel: Channel): 'online' | 'offline' => (OFFLINE.has(channel) ? 'offline' : 'online');

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
