// 窗口 (service window) of an org: created or updated by (org, windowCode), its natural key.
import type { Kysely, Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB, ServiceWindowTable } from '../db/schema.ts';
import { areaCondition, scopeCondition, type ReadScope } from './access.ts';
import type { CommandOptions } from './command-options.ts';
import { FieldChecker, valueOrThrow, type Checked } from './fields.ts';
import { directLookups, requireOrgPlace } from './lookups.ts';
import type { ListFilter } from './orgs.ts';
import { inTransaction } from './transaction.ts';

export interface ServiceWindowInput {
  deptCode: string;
  windowCode: string;
  windowName: string;
}

export interface ServiceWindowFields {
  deptCode: string;
  code: string;
  name: string;
}

export type ServiceWindowRecord = Selectable<ServiceWindowTable> & { dept_code: string };

export function checkServiceWindowInput(input: ServiceWindowInput): Checked<ServiceWindowFields> {
  const check = new FieldChecker();
  const deptCode = check.deptCode('deptCode', input.deptCode);
  const code = check.code('windowCode', input.windowCode, 64);
  const name = check.name('windowName', input.windowName, 200);
  return check.result({ deptCode, code, name });
}

export async function upsertServiceWindow(db: Kysely<DB>, input: ServiceWindowInput, now: Date, options: CommandOptions = {}): Promise<ServiceWindowRecord> {
  const fields = valueOrThrow(checkServiceWindowInput(input));
  const { guard } = options;
  const lookups = options.lookups ?? directLookups;
  return inTransaction(db, async (trx) => {
    const org = await requireOrgPlace(lookups, trx, fields.deptCode, 'deptCode');
    guard?.({ regionPath: org.region_path, orgId: org.id });
    const row = await trx
      .insertInto('service_window')
      .values({ id: uuidv7(), org_id: org.id, code: fields.code, name: fields.name, created_at: now })
      .onConflict((oc) => oc.columns(['org_id', 'code']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, dept_code: org.dept_code };
  });
}

/** Window records the scope may see (by the org's region), or null when it may see none. */
function windowRecords(db: Kysely<DB>, scope: ReadScope) {
  const condition = scopeCondition(scope, 'service_window.org_id');
  if (condition === null) return null;
  return db
    .selectFrom('service_window')
    .innerJoin('org', 'org.id', 'service_window.org_id')
    .innerJoin('region', 'region.code', 'org.region_code')
    .selectAll('service_window')
    .select('org.dept_code')
    .where(condition);
}

export interface ServiceWindowListFilter extends ListFilter {
  deptCode?: string | undefined;
}

export async function listServiceWindows(db: Kysely<DB>, scope: ReadScope, filter: ServiceWindowListFilter): Promise<ServiceWindowRecord[]> {
  const area = await areaCondition(db, filter.areaCode);
  let query = windowRecords(db, scope);
  if (query === null || area === null) return [];
  if (area !== undefined) query = query.where(area);
  if (filter.deptCode !== undefined) query = query.where('org.dept_code', '=', filter.deptCode);
  if (filter.after !== undefined) query = query.where('service_window.id', '>', filter.after);
  return query.orderBy('service_window.id').limit(filter.limit).execute();
}
