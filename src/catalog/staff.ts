// 工作人员 (staff) of an org, optionally at one of its windows: created or updated by (org, staffNo).
import type { Kysely, Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB, StaffTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { areaCondition, scopeCondition, type ReadScope } from './access.ts';
import type { CommandOptions } from './command-options.ts';
import { FieldChecker, valueOrThrow, type Checked } from './fields.ts';
import { directLookups, requireOrgPlace } from './lookups.ts';
import type { ListFilter } from './orgs.ts';
import { inTransaction } from './transaction.ts';

export interface StaffInput {
  deptCode: string;
  staffNo: string;
  staffName: string;
  /** A window of the same org; absent or empty: not assigned to a window. */
  windowCode?: string | null | undefined;
}

export interface StaffFields {
  deptCode: string;
  staffNo: string;
  name: string;
  windowCode: string | null;
}

export type StaffRecord = Selectable<StaffTable> & { dept_code: string; window_code: string | null };

export function checkStaffInput(input: StaffInput): Checked<StaffFields> {
  const check = new FieldChecker();
  const deptCode = check.deptCode('deptCode', input.deptCode);
  const staffNo = check.code('staffNo', input.staffNo, 64);
  const name = check.name('staffName', input.staffName, 100);
  const windowCode = check.optionalCode('windowCode', input.windowCode, 64);
  return check.result({ deptCode, staffNo, name, windowCode });
}

export async function upsertStaff(db: Kysely<DB>, input: StaffInput, now: Date, options: CommandOptions = {}): Promise<StaffRecord> {
  const fields = valueOrThrow(checkStaffInput(input));
  const { guard } = options;
  const lookups = options.lookups ?? directLookups;
  return inTransaction(db, async (trx) => {
    const org = await requireOrgPlace(lookups, trx, fields.deptCode, 'deptCode');
    let windowId: string | null = null;
    if (fields.windowCode !== null) {
      const window = await trx
        .selectFrom('service_window')
        .select('id')
        .where('org_id', '=', org.id)
        .where('code', '=', fields.windowCode)
        .executeTakeFirst();
      if (window === undefined) throw new AppError('WINDOW_UNKNOWN', { field: 'windowCode', deptCode: org.dept_code, windowCode: fields.windowCode });
      windowId = window.id;
    }
    guard?.({ regionPath: org.region_path, orgId: org.id });
    const row = await trx
      .insertInto('staff')
      .values({ id: uuidv7(), org_id: org.id, window_id: windowId, staff_no: fields.staffNo, name: fields.name, created_at: now })
      .onConflict((oc) =>
        oc.columns(['org_id', 'staff_no']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          window_id: eb.ref('excluded.window_id'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, dept_code: org.dept_code, window_code: fields.windowCode };
  });
}

/** Staff records the scope may see (by the org's region), or null when it may see none. */
function staffRecords(db: Kysely<DB>, scope: ReadScope) {
  const condition = scopeCondition(scope, 'staff.org_id');
  if (condition === null) return null;
  return db
    .selectFrom('staff')
    .innerJoin('org', 'org.id', 'staff.org_id')
    .innerJoin('region', 'region.code', 'org.region_code')
    .leftJoin('service_window', 'service_window.id', 'staff.window_id')
    .selectAll('staff')
    .select(['org.dept_code', 'service_window.code as window_code'])
    .where(condition);
}

export interface StaffListFilter extends ListFilter {
  deptCode?: string | undefined;
  windowCode?: string | undefined;
}

export async function listStaff(db: Kysely<DB>, scope: ReadScope, filter: StaffListFilter): Promise<StaffRecord[]> {
  const area = await areaCondition(db, filter.areaCode);
  let query = staffRecords(db, scope);
  if (query === null || area === null) return [];
  if (area !== undefined) query = query.where(area);
  if (filter.deptCode !== undefined) query = query.where('org.dept_code', '=', filter.deptCode);
  if (filter.windowCode !== undefined) query = query.where('service_window.code', '=', filter.windowCode);
  if (filter.after !== undefined) query = query.where('staff.id', '>', filter.after);
  return query.orderBy('staff.id').limit(filter.limit).execute();
}
