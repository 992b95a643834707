// 部门 / 单位 / 大厅 (org): created or updated by deptCode, its natural key, so re-imports are idempotent.
import type { Kysely, Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB, OrgTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { areaCondition, scopeCondition, type ReadScope } from './access.ts';
import type { CommandOptions } from './command-options.ts';
import { FieldChecker, isBlank, valueOrThrow, type Checked } from './fields.ts';
import { directLookups, requireOrgPlace } from './lookups.ts';
import { inTransaction } from './transaction.ts';

export const ORG_KINDS = ['department', 'hall', 'center', 'other'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** As received from the API or a file row; field names are the national ones. */
export interface OrgInput {
  deptCode: string;
  deptName: string;
  /** department (default), hall 政务服务大厅, center 政务服务中心, other. */
  kind?: string | null | undefined;
  areaCode: string;
  parentDeptCode?: string | null | undefined;
}

export interface OrgFields {
  deptCode: string;
  name: string;
  kind: OrgKind;
  regionCode: string;
  parentDeptCode: string | null;
}

/** The stored row with the parent's deptCode, which is how callers refer to it. */
export type OrgRecord = Selectable<OrgTable> & { parent_dept_code: string | null };

function isOrgKind(value: string): value is OrgKind {
  return ORG_KINDS.some((kind) => kind === value);
}

export function checkOrgInput(input: OrgInput): Checked<OrgFields> {
  const check = new FieldChecker();
  const deptCode = check.deptCode('deptCode', input.deptCode);
  const name = check.name('deptName', input.deptName, 200);
  const kindText = isBlank(input.kind) ? 'department' : (input.kind ?? '').trim();
  if (!isOrgKind(kindText)) check.refuse('ORG_KIND_INVALID', 'kind');
  const regionCode = check.regionCode('areaCode', input.areaCode);
  const parentDeptCode = check.optionalDeptCode('parentDeptCode', input.parentDeptCode);
  if (parentDeptCode !== null && parentDeptCode !== '' && parentDeptCode === deptCode) check.refuse('ORG_PARENT_INVALID', 'parentDeptCode');
  return check.result({ deptCode, name, kind: isOrgKind(kindText) ? kindText : 'department', regionCode, parentDeptCode });
}

/** Whether `orgId` is `candidate` itself or one of its ancestors. */
async function isSelfOrAncestorOf(db: Kysely<DB>, orgId: string, candidate: string): Promise<boolean> {
  // Walk up from the candidate parent: if the org being updated is on the way, linking them closes a cycle.
  const hit = await db
    .withRecursive('up(id, parent_id)', (qb) =>
      qb
        .selectFrom('org')
        .select(['org.id', 'org.parent_id'])
        .where('org.id', '=', candidate)
        .union(qb.selectFrom('org').innerJoin('up', 'up.parent_id', 'org.id').select(['org.id', 'org.parent_id'])),
    )
    .selectFrom('up')
    .select('up.id')
    .where('up.id', '=', orgId)
    .executeTakeFirst();
  return hit !== undefined;
}

/** Create the org, or update the one with the same deptCode (name, kind, region, parent). */
export async function upsertOrg(db: Kysely<DB>, input: OrgInput, now: Date, options: CommandOptions = {}): Promise<OrgRecord> {
  const fields = valueOrThrow(checkOrgInput(input));
  const { guard } = options;
  const lookups = options.lookups ?? directLookups;
  return inTransaction(db, async (trx) => {
    const path = await lookups.regionPath(trx, fields.regionCode);
    if (path === null) throw new AppError('REGION_UNKNOWN', { field: 'areaCode', regionCode: fields.regionCode });
    const parent = fields.parentDeptCode === null ? null : await requireOrgPlace(lookups, trx, fields.parentDeptCode, 'parentDeptCode');
    // The row as it is matters to a guarded write (the place it leaves) and to a new parent (a
    // cycle); an unguarded import without parents skips the read.
    const existing =
      guard === undefined && parent === null
        ? undefined
        : await trx
            .selectFrom('org')
            .innerJoin('region', 'region.code', 'org.region_code')
            .select(['org.id', 'region.path as region_path'])
            .where('org.dept_code', '=', fields.deptCode)
            .forUpdate('org')
            .executeTakeFirst();
    if (parent !== null && existing !== undefined && (await isSelfOrAncestorOf(trx, existing.id, parent.id))) {
      throw new AppError('ORG_PARENT_INVALID', { field: 'parentDeptCode' });
    }
    if (guard !== undefined) {
      // Moving an org needs the right over both the place it leaves and the place it goes to.
      guard({ regionPath: path, orgId: existing?.id ?? null });
      if (existing !== undefined) guard({ regionPath: existing.region_path, orgId: existing.id });
    }

    const row = await trx
      .insertInto('org')
      .values({
        id: uuidv7(),
        dept_code: fields.deptCode,
        name: fields.name,
        kind: fields.kind,
        region_code: fields.regionCode,
        parent_id: parent?.id ?? null,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.column('dept_code').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          kind: eb.ref('excluded.kind'),
          region_code: eb.ref('excluded.region_code'),
          parent_id: eb.ref('excluded.parent_id'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    lookups.orgWritten({ id: row.id, dept_code: row.dept_code, region_code: row.region_code, region_path: path });
    return { ...row, parent_dept_code: parent?.dept_code ?? null };
  });
}

/** Org records the scope may see, or null when it may see none. */
function orgRecords(db: Kysely<DB>, scope: ReadScope) {
  const condition = scopeCondition(scope, 'org.id');
  if (condition === null) return null;
  return db
    .selectFrom('org')
    .innerJoin('region', 'region.code', 'org.region_code')
    .leftJoin('org as parent', 'parent.id', 'org.parent_id')
    .selectAll('org')
    .select('parent.dept_code as parent_dept_code')
    .where(condition);
}

export async function getOrg(db: Kysely<DB>, deptCode: string, scope: ReadScope): Promise<OrgRecord | null> {
  const query = orgRecords(db, scope);
  return (await query?.where('org.dept_code', '=', deptCode).executeTakeFirst()) ?? null;
}

export interface ListFilter {
  /** Only within this region and below. */
  areaCode?: string | undefined;
  /** Continue after this id (ids are time-ordered UUIDv7). */
  after?: string | undefined;
  limit: number;
}

export interface OrgListFilter extends ListFilter {
  parentDeptCode?: string | undefined;
}

export async function listOrgs(db: Kysely<DB>, scope: ReadScope, filter: OrgListFilter): Promise<OrgRecord[]> {
  const area = await areaCondition(db, filter.areaCode);
  let query = orgRecords(db, scope);
  if (query === null || area === null) return [];
  if (area !== undefined) query = query.where(area);
  if (filter.parentDeptCode !== undefined) query = query.where('parent.dept_code', '=', filter.parentDeptCode);
  if (filter.after !== undefined) query = query.where('org.id', '>', filter.after);
  return query.orderBy('org.id').limit(filter.limit).execute();
}
