// Reading checklist templates and inspections back. Inspections are always limited to what the
// caller covers: its own org for an org's handlers, its region subtree for everyone else.
import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../auth/policy.ts';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB, InspectionTable, InspectionTemplateTable } from '../db/schema.ts';

export type TemplateRow = Selectable<InspectionTemplateTable>;

/** An inspection with what it is shown with: its template, its org's name and its region's path. */
export type InspectionRecord = Selectable<InspectionTable> & {
  template_code: string;
  template_version: number;
  template_name: string;
  template_items: unknown[];
  org_name: string;
  region_path: string;
};

/** The latest version of every template, by code. */
export async function latestTemplates(db: Kysely<DB>): Promise<TemplateRow[]> {
  return db.selectFrom('inspection_template').selectAll().distinctOn('code').orderBy('code').orderBy('version', 'desc').execute();
}

/** Every version of one template, newest first (empty when the code is unknown). */
export async function templateVersions(db: Kysely<DB>, code: string): Promise<TemplateRow[]> {
  return db.selectFrom('inspection_template').selectAll().where('code', '=', code).orderBy('version', 'desc').execute();
}

/** One version of a template, or its latest when no version is given. */
export async function findTemplate(db: Kysely<DB>, code: string, version?: number): Promise<TemplateRow | undefined> {
  let query = db.selectFrom('inspection_template').selectAll().where('code', '=', code);
  if (version !== undefined) query = query.where('version', '=', version);
  return query.orderBy('version', 'desc').limit(1).executeTakeFirst();
}

function inspectionRecords(db: Kysely<DB>) {
  return db
    .selectFrom('inspection')
    .innerJoin('inspection_template as t', 't.id', 'inspection.template_id')
    .innerJoin('org', 'org.id', 'inspection.org_id')
    .innerJoin('region', 'region.code', 'inspection.region_code')
    .selectAll('inspection')
    .select(['t.code as template_code', 't.version as template_version', 't.name as template_name', 't.items as template_items', 'org.name as org_name', 'region.path as region_path']);
}

export async function findInspection(db: Kysely<DB>, id: string): Promise<InspectionRecord | undefined> {
  return inspectionRecords(db).where('inspection.id', '=', id).executeTakeFirst();
}

export interface InspectionFilter {
  orgId?: string | undefined;
  /** A region subtree, as a path prefix ('510000/510100/'). */
  regionPath?: string | undefined;
  windowId?: string | undefined;
  templateCode?: string | undefined;
  /** Beijing days of the inspection, inclusive. */
  fromDay?: string | undefined;
  toDay?: string | undefined;
  /** Keyset cursor: the last id of the previous page (ids are time-ordered). */
  after?: string | undefined;
  limit: number;
}

/** Inspections within the scope that match the filter, newest recorded first. */
export async function listInspections(db: Kysely<DB>, scope: Scope, filter: InspectionFilter): Promise<InspectionRecord[]> {
  let query = inspectionRecords(db);
  if (scope.orgId !== null) query = query.where('inspection.org_id', '=', scope.orgId);
  else if (scope.regionPath !== null) query = query.where('region.path', 'like', pathPrefixPattern(scope.regionPath));
  else return [];
  if (filter.orgId !== undefined) query = query.where('inspection.org_id', '=', filter.orgId);
  if (filter.regionPath !== undefined) query = query.where('region.path', 'like', pathPrefixPattern(filter.regionPath));
  if (filter.windowId !== undefined) query = query.where('inspection.window_id', '=', filter.windowId);
  if (filter.templateCode !== undefined) query = query.where('t.code', '=', filter.templateCode);
  if (filter.fromDay !== undefined) query = query.where('inspection.inspected_day', '>=', filter.fromDay);
  if (filter.toDay !== undefined) query = query.where('inspection.inspected_day', '<=', filter.toDay);
  if (filter.after !== undefined) query = query.where('inspection.id', '<', filter.after);
  return query.orderBy('inspection.id', 'desc').limit(filter.limit).execute();
}
