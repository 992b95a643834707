// HTTP face of the catalog: regions (public), orgs, service items, windows, staff, and bulk import.
// Routes parse, authorise, call a command or query, and present; the rules live in the commands.
import { Type, type TSchema } from 'typebox';
import { requireCaller } from '../auth/guard.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { catalogReadScope, catalogWriteGuard } from './access.ts';
import { CATALOG_KINDS, importCatalog, importColumns, importRefused } from './import.ts';
import { getOrg, listOrgs, ORG_KINDS, upsertOrg } from './orgs.ts';
import {
  AreaCode,
  catalogSchemas,
  CODE_PATTERN,
  DeptCode,
  presentImportReport,
  presentOrg,
  presentRegion,
  presentRegionNode,
  presentServiceItem,
  presentServiceWindow,
  presentStaff,
  REGION_CODE_PATTERN,
} from './presenters.ts';
import { getRegion, regionTree, SICHUAN } from './regions.ts';
import { getServiceItem, ITEM_TYPES, listServiceItems, upsertServiceItem } from './service-items.ts';
import { listServiceWindows, upsertServiceWindow } from './service-windows.ts';
import { listStaff, upsertStaff } from './staff.ts';

const TAGS = ['catalog'];
const SIGNED_OR_STAFF: Array<Record<string, string[]>> = [{ appSignature: [] }, { staffSession: [] }];

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Code = (description: string) => Type.String({ pattern: CODE_PATTERN, description });
const ITEM_TYPE_LIST = Object.entries(ITEM_TYPES)
  .map(([code, name]) => `${code} ${name}`)
  .join('，');

const OrgBody = Type.Object(
  {
    deptCode: DeptCode,
    deptName: Type.String({ minLength: 1, maxLength: 200, description: '部门（单位）名称 / org name' }),
    kind: Type.Optional(Type.Union(ORG_KINDS.map((k) => Type.Literal(k)), { description: 'department 部门（默认）, hall 大厅, center 中心, other 其他' })),
    areaCode: AreaCode,
    parentDeptCode: Type.Optional(Nullable(DeptCode)),
  },
  { additionalProperties: false },
);

const ServiceItemBody = Type.Object(
  {
    taskCode: Code('事项实施编码 / item implementation code'),
    taskName: Type.String({ minLength: 1, maxLength: 300, description: '事项名称 / item name' }),
    itemType: Type.String({ maxLength: 8, description: `事项类型 / item type: ${ITEM_TYPE_LIST}` }),
    deptCode: DeptCode,
    areaCode: Type.Optional(Nullable(AreaCode)),
  },
  { additionalProperties: false },
);

const ServiceWindowBody = Type.Object(
  {
    deptCode: DeptCode,
    windowCode: Code('窗口编号（部门内唯一）/ window code, unique within the org'),
    windowName: Type.String({ minLength: 1, maxLength: 200, description: '窗口名称 / window name' }),
  },
  { additionalProperties: false },
);

const StaffBody = Type.Object(
  {
    deptCode: DeptCode,
    staffNo: Code('工号（部门内唯一）/ staff number, unique within the org'),
    staffName: Type.String({ minLength: 1, maxLength: 100, description: '姓名 / name' }),
    windowCode: Type.Optional(Nullable(Code('所在窗口（同一部门）/ window of the same org'))),
  },
  { additionalProperties: false },
);

const Paging = {
  after: Type.Optional(Type.String({ format: 'uuid', description: '上一页最后一条的 id / last id of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
};
const Within = Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: '行政区划（含下级）/ region, including the units below it' }));
const Page = (item: string) => Type.Object({ items: Type.Array(Type.Ref(item)), next: Nullable(Type.String({ description: '下一页的 after 参数 / pass as after for the next page' })) });

function nextAfter<T extends { id: string }>(rows: T[], limit: number): string | null {
  return rows.length === limit ? (rows.at(-1)?.id ?? null) : null;
}

const SCOPE_NOTE = '\n\n仅返回调用方管辖范围内的记录 / Only records within the caller’s scope are returned.';
const UPSERT_NOTE =
  '按自然键新建或更新（重复提交结果相同）；须有目录写权限且对象在管辖范围内（更新时原位置也须在范围内）。\n\n' +
  'Creates or updates by the natural key (repeating a request changes nothing); needs catalog write rights over the target place (and, on update, the place it leaves).';

function columnsDescription(): string {
  return CATALOG_KINDS.map((kind) => {
    const { columns, required } = importColumns(kind);
    return `- ${kind}: ${columns.map((c) => (required.includes(c) ? `${c}*` : c)).join(', ')}`;
  }).join('\n');
}

export function registerCatalogRoutes(app: App, context: AppContext): void {
  const { database, clock } = context;
  const db = database.db;
  for (const schema of catalogSchemas) app.addSchema(schema);

  // Regions: public, the tree is the same for everyone.
  app.get(
    '/api/v1/catalog/regions',
    {
      schema: {
        tags: TAGS,
        summary: '行政区划树（或某区划的下级）/ Region tree, or the units below one region',
        description:
          '不带 parent：返回四川省及其全部下级（省、市州、县市区）。带 parent：返回该区划的直接下级，各含其下级。公开接口。\n\n' +
          'Without parent: Sichuan with every unit below it. With parent: the units directly below it, each with its own subtree. Public.',
        querystring: Type.Object({ parent: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: '上级区划代码 / parent region code' })) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('CatalogRegionNode')) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const parent = request.query.parent;
      const tree = await regionTree(db, parent ?? SICHUAN);
      if (tree === null) throw new AppError('NOT_FOUND', { regionCode: parent ?? SICHUAN });
      return { items: (parent === undefined ? [tree] : tree.children).map(presentRegionNode) };
    },
  );

  app.get(
    '/api/v1/catalog/regions/:code',
    {
      schema: {
        tags: TAGS,
        summary: '查看一个行政区划 / Read one region',
        params: Type.Object({ code: Type.String({ pattern: REGION_CODE_PATTERN }) }),
        response: { 200: Type.Ref('CatalogRegion'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const region = await getRegion(db, request.params.code);
      if (region === null) throw new AppError('NOT_FOUND', { regionCode: request.params.code });
      return presentRegion(region);
    },
  );

  // Orgs.
  app.post(
    '/api/v1/catalog/orgs',
    {
      schema: {
        tags: TAGS,
        summary: '新建或更新部门（单位）/ Create or update an org',
        description: `以 deptCode 为键。/ Keyed by deptCode.\n\n${UPSERT_NOTE}`,
        security: SIGNED_OR_STAFF,
        body: OrgBody,
        response: { 200: Type.Ref('CatalogOrg'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const guard = catalogWriteGuard(requireCaller(request));
      return presentOrg(await upsertOrg(db, request.body, clock(), { guard }));
    },
  );

  app.get(
    '/api/v1/catalog/orgs',
    {
      schema: {
        tags: TAGS,
        summary: '部门（单位）列表 / List orgs',
        description: `按 id（时间顺序）分页。/ Paged by id (creation order).${SCOPE_NOTE}`,
        security: SIGNED_OR_STAFF,
        querystring: Type.Object({ areaCode: Within, parentDeptCode: Type.Optional(DeptCode), ...Paging }),
        response: { 200: Page('CatalogOrg'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const scope = catalogReadScope(requireCaller(request));
      const { areaCode, parentDeptCode, after } = request.query;
      const limit = request.query.limit ?? 50;
      const rows = await listOrgs(db, scope, { areaCode, parentDeptCode, after, limit });
      return { items: rows.map(presentOrg), next: nextAfter(rows, limit) };
    },
  );

  app.get(
    '/api/v1/catalog/orgs/:deptCode',
    {
      schema: {
        tags: TAGS,
        summary: '查看一个部门（单位）/ Read one org',
        description: SCOPE_NOTE.trim(),
        security: SIGNED_OR_STAFF,
        params: Type.Object({ deptCode: DeptCode }),
        response: { 200: Type.Ref('CatalogOrg'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const scope = catalogReadScope(requireCaller(request));
      const org = await getOrg(db, request.params.deptCode, scope);
      if (org === null) throw new AppError('NOT_FOUND', { deptCode: request.params.deptCode });
      return presentOrg(org);
    },
  );

  // Service items.
  app.post(
    '/api/v1/catalog/items',
    {
      schema: {
        tags: TAGS,
        summary: '新建或更新政务服务事项 / Create or update a service item',
        description: `以 taskCode 为键；areaCode 缺省为实施部门所在区划，且须在其范围内。/ Keyed by taskCode; areaCode defaults to the org's region and must lie within it.\n\n${UPSERT_NOTE}`,
        security: SIGNED_OR_STAFF,
        body: ServiceItemBody,
        response: { 200: Type.Ref('CatalogServiceItem'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const guard = catalogWriteGuard(requireCaller(request));
      return presentServiceItem(await upsertServiceItem(db, request.body, clock(), { guard }));
    },
  );

  app.get(
    '/api/v1/catalog/items',
    {
      schema: {
        tags: TAGS,
        summary: '政务服务事项列表 / List service items',
        description: `按 id 分页。/ Paged by id.${SCOPE_NOTE}`,
        security: SIGNED_OR_STAFF,
        querystring: Type.Object({ areaCode: Within, deptCode: Type.Optional(DeptCode), itemType: Type.Optional(Type.String({ maxLength: 8 })), ...Paging }),
        response: { 200: Page('CatalogServiceItem'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const scope = catalogReadScope(requireCaller(request));
      const { areaCode, deptCode, itemType, after } = request.query;
      const limit = request.query.limit ?? 50;
      const rows = await listServiceItems(db, scope, { areaCode, deptCode, itemType, after, limit });
      return { items: rows.map(presentServiceItem), next: nextAfter(rows, limit) };
    },
  );

  app.get(
    '/api/v1/catalog/items/:taskCode',
    {
      schema: {
        tags: TAGS,
        summary: '查看一个政务服务事项 / Read one service item',
        description: SCOPE_NOTE.trim(),
        security: SIGNED_OR_STAFF,
        params: Type.Object({ taskCode: Code('事项实施编码 / item implementation code') }),
        response: { 200: Type.Ref('CatalogServiceItem'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const scope = catalogReadScope(requireCaller(request));
      const item = await getServiceItem(db, request.params.taskCode, scope);
      if (item === null) throw new AppError('NOT_FOUND', { taskCode: request.params.taskCode });
      return presentServiceItem(item);
    },
  );

  // Windows.
  app.post(
    '/api/v1/catalog/windows',
    {
      schema: {
        tags: TAGS,
        summary: '新建或更新窗口 / Create or update a service window',
        description: `以 deptCode + windowCode 为键。/ Keyed by deptCode + windowCode.\n\n${UPSERT_NOTE}`,
        security: SIGNED_OR_STAFF,
        body: ServiceWindowBody,
        response: { 200: Type.Ref('CatalogServiceWindow'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const guard = catalogWriteGuard(requireCaller(request));
      return presentServiceWindow(await upsertServiceWindow(db, request.body, clock(), { guard }));
    },
  );

  app.get(
    '/api/v1/catalog/windows',
    {
      schema: {
        tags: TAGS,
        summary: '窗口列表 / List service windows',
        description: `按 id 分页。/ Paged by id.${SCOPE_NOTE}`,
        security: SIGNED_OR_STAFF,
        querystring: Type.Object({ areaCode: Within, deptCode: Type.Optional(DeptCode), ...Paging }),
        response: { 200: Page('CatalogServiceWindow'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const scope = catalogReadScope(requireCaller(request));
      const { areaCode, deptCode, after } = request.query;
      const limit = request.query.limit ?? 50;
      const rows = await listServiceWindows(db, scope, { areaCode, deptCode, after, limit });
      return { items: rows.map(presentServiceWindow), next: nextAfter(rows, limit) };
    },
  );

  // Staff.
  app.post(
    '/api/v1/catalog/staff',
    {
      schema: {
        tags: TAGS,
        summary: '新建或更新工作人员 / Create or update a staff member',
        description: `以 deptCode + staffNo 为键；windowCode 须为同一部门的窗口，空则不属任何窗口。/ Keyed by deptCode + staffNo; windowCode must be a window of the same org, absent for none.\n\n${UPSERT_NOTE}`,
        security: SIGNED_OR_STAFF,
        body: StaffBody,
        response: { 200: Type.Ref('CatalogStaff'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const guard = catalogWriteGuard(requireCaller(request));
      return presentStaff(await upsertStaff(db, request.body, clock(), { guard }));
    },
  );

  app.get(
    '/api/v1/catalog/staff',
    {
      schema: {
        tags: TAGS,
        summary: '工作人员列表 / List staff',
        description: `按 id 分页。/ Paged by id.${SCOPE_NOTE}`,
        security: SIGNED_OR_STAFF,
        querystring: Type.Object({ areaCode: Within, deptCode: Type.Optional(DeptCode), windowCode: Type.Optional(Code('窗口编号 / window code')), ...Paging }),
        response: { 200: Page('CatalogStaff'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const scope = catalogReadScope(requireCaller(request));
      const { areaCode, deptCode, windowCode, after } = request.query;
      const limit = request.query.limit ?? 50;
      const rows = await listStaff(db, scope, { areaCode, deptCode, windowCode, after, limit });
      return { items: rows.map(presentStaff), next: nextAfter(rows, limit) };
    },
  );

  // Bulk import.
  app.post(
    '/api/v1/catalog/import/:kind',
    {
      schema: {
        tags: TAGS,
        summary: '批量导入目录数据（CSV 或 JSON）/ Bulk import catalog data (CSV or JSON)',
        description:
          '逐行校验并报告每一个错误行（行号：CSV 为文件物理行号，表头为第1行；JSON 为数组下标+1）。默认全部成功才导入，有任何错误则不导入并返回 422 IMPORT_HAS_ERRORS（details 内含报告）；' +
          'skipBadRows=true 时导入正确的行并报告错误行。按自然键更新，可重复导入。同一文件中后面的行可引用前面的行（如上级部门）。超出管辖范围的行按错误行报告。\n\n' +
          'Every row is checked and every bad row reported (line: CSV physical line, header = 1; JSON index + 1). By default the file is stored only if it has no error; otherwise nothing is stored and the answer is 422 IMPORT_HAS_ERRORS with the report in details. ' +
          'With skipBadRows=true the good rows are stored and the bad ones reported. Rows upsert by natural key, so re-imports are safe; a row may refer to one above it. Rows outside the caller’s scope are reported as bad rows.\n\n' +
          '列（* 为必填；CSV 表头不区分大小写）/ Columns (* required; CSV header names are case-insensitive):\n' +
          columnsDescription(),
        security: SIGNED_OR_STAFF,
        params: Type.Object({ kind: Type.Union(CATALOG_KINDS.map((k) => Type.Literal(k))) }),
        body: Type.Object(
          {
            format: Type.Union([Type.Literal('csv'), Type.Literal('json')]),
            content: Type.String({ description: 'CSV 文本（首行为表头），或 JSON 数组文本 / CSV text with a header row, or a JSON array as text' }),
            skipBadRows: Type.Optional(Type.Boolean({ default: false, description: '跳过错误行，导入其余行 / store the good rows, report the bad ones' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('CatalogImportReport'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const guard = catalogWriteGuard(requireCaller(request));
      const { format, content } = request.body;
      const skipBadRows = request.body.skipBadRows ?? false;
      const report = await importCatalog(db, request.params.kind, { format, content }, { skipBadRows, guard }, clock());
      if (importRefused(report, { skipBadRows })) throw new AppError('IMPORT_HAS_ERRORS', { report });
      return presentImportReport(report);
    },
  );
}
