// 政务服务事项 (service item): created or updated by taskCode (事项实施编码), its natural key.
import type { Kysely, Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB, ServiceItemTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { areaCondition, scopeCondition, type ReadScope } from './access.ts';
import type { CommandOptions } from './command-options.ts';
import { FieldChecker, valueOrThrow, type Checked } from './fields.ts';
import { directLookups, requireOrgPlace } from './lookups.ts';
import type { ListFilter } from './orgs.ts';
import { inTransaction } from './transaction.ts';

/** GB/T 39046-2020 A.1 事项类型, plus 热线办理 from the provincial scheme. */
export const ITEM_TYPES = {
  '01': '行政许可',
  '02': '行政处罚',
  '03': '行政强制',
  '04': '行政征收',
  '05': '行政给付',
  '06': '行政检查',
  '07': '行政确认',
  '08': '行政奖励',
  '09': '行政裁决',
  '10': '其他行政权力',
  '20': '公共服务',
  hotline: '热线办理',
} as const;
export type ItemType = keyof typeof ITEM_TYPES;

export function isItemType(value: string): value is ItemType {
  return Object.hasOwn(ITEM_TYPES, value);
}

export interface ServiceItemInput {
  taskCode: string;
  taskName: string;
  itemType: string;
  /** The implementing org. */
  deptCode: string;
  /** Where the item is implemented; default the org's region. Must be that region or below it. */
  areaCode?: string | null | undefined;
}

export interface ServiceItemFields {
  taskCode: string;
  name: string;
  itemType: ItemType;
  deptCode: string;
  regionCode: string | null;
}

export type ServiceItemRecord = Selectable<ServiceItemTable> & { dept_code: string };

export function checkServiceItemInput(input: ServiceItemInput): Checked<ServiceItemFields> {
  const check = new FieldChecker();
  const taskCode = check.code('taskCode', input.taskCode, 64);
  const name = check.name('taskName', input.taskName, 300);
  // Spreadsheets drop the leading zero of "01"; a single digit can only mean one code.
  const typeText = (input.itemType ?? '').trim().replace(/^([1-9])$/, '0$1');
  if (typeText === '') check.refuse('CATALOG_FIELD_REQUIRED', 'itemType');
  else if (!isItemType(typeText)) check.refuse('SERVICE_ITEM_TYPE_INVALID', 'itemType');
  const deptCode = check.deptCode('deptCode', input.deptCode);
  const regionCode = check.optionalRegionCode('areaCode', input.areaCode);
  return check.result({ taskCode, name, itemType: isItemType(typeText) ? typeText : '01', deptCode, regionCode });
}

export async function upsertServiceItem(db: Kysely<DB>, input: ServiceItemInput, now: Date, options: CommandOptions = {}): Promise<ServiceItemRecord> {
  const fields = valueOrThrow(checkServiceItemInput(input));
  const { guard } = options;
  const lookups = options.lookups ?? directLookups;
  return inTransaction(db, async (trx) => {
    const org = await requireOrgPlace(lookups, trx, fields.deptCode, 'deptCode');
    const regionCode = fields.regionCode ?? org.region_code;
    const path = await lookups.regionPath(trx, regionCode);
    if (path === null) throw new AppError('REGION_UNKNOWN', { field: 'areaCode', regionCode });
    // Scores roll up by region: an item placed outside its org's region would escape the org's scope.
    if (!path.startsWith(org.region_path)) throw new AppError('SERVICE_ITEM_REGION_OUTSIDE_ORG', { field: 'areaCode', regionCode, orgRegionCode: org.region_code });
    if (guard !== undefined) {
      guard({ regionPath: path, orgId: org.id });
      // An item changing hands needs the right over its previous place too.
      const previous = await trx
        .selectFrom('service_item')
        .innerJoin('region', 'region.code', 'service_item.region_code')
        .select(['service_item.org_id', 'region.path as region_path'])
        .where('service_item.task_code', '=', fields.taskCode)
        .forUpdate('service_item')
        .executeTakeFirst();
      if (previous !== undefined) guard({ regionPath: previous.region_path, orgId: previous.org_id });
    }

    const row = await trx
      .insertInto('service_item')
      .values({
        id: uuidv7(),
        task_code: fields.taskCode,
        name: fields.name,
        item_type: fields.itemType,
        org_id: org.id,
        region_code: regionCode,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.column('task_code').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          item_type: eb.ref('excluded.item_type'),
          org_id: eb.ref('excluded.org_id'),
          region_code: eb.ref('excluded.region_code'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, dept_code: org.dept_code };
  });
}

/** Item records the scope may see (by the item's own region), or null when it may see none. */
function itemRecords(db: Kysely<DB>, scope: ReadScope) {
  const condition = scopeCondition(scope, 'service_item.org_id');
  if (condition === null) return null;
  return db
    .selectFrom('service_item')
    .innerJoin('org', 'org.id', 'service_item.org_id')
    .innerJoin('region', 'region.code', 'service_item.region_code')
    .selectAll('service_item')
    .select('org.dept_code')
    .where(condition);
}

export async function getServiceItem(db: Kysely<DB>, taskCode: string, scope: ReadScope): Promise<ServiceItemRecord | null> {
  const query = itemRecords(db, scope);
  return (await query?.where('service_item.task_code', '=', taskCode).executeTakeFirst()) ?? null;
}

export interface ServiceItemListFilter extends ListFilter {
  deptCode?: string | undefined;
  itemType?: string | undefined;
}

export async function listServiceItems(db: Kysely<DB>, scope: ReadScope, filter: ServiceItemListFilter): Promise<ServiceItemRecord[]> {
  const area = await areaCondition(db, filter.areaCode);
  let query = itemRecords(db, scope);
  if (query === null || area === null) return [];
  if (area !== undefined) query = query.where(area);
  if (filter.deptCode !== undefined) query = query.where('org.dept_code', '=', filter.deptCode);
  if (filter.itemType !== undefined) query = query.where('service_item.item_type', '=', filter.itemType);
  if (filter.after !== undefined) query = query.where('service_item.id', '>', filter.after);
  return query.orderBy('service_item.id').limit(filter.limit).execute();
}
