// How catalog records are shown over HTTP: the same national field names as the inputs
// (deptCode, deptName, areaCode, taskCode …), plus id and createdAt.
import { Type, type Static, type TSchema } from 'typebox';
import type { ImportReport } from './import.ts';
import type { OrgRecord } from './orgs.ts';
import type { Region, RegionNode } from './regions.ts';
import type { ServiceItemRecord } from './service-items.ts';
import type { ServiceWindowRecord } from './service-windows.ts';
import type { StaffRecord } from './staff.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const DEPT_CODE_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{18}$';
export const REGION_CODE_PATTERN = '^[0-9]{6}([0-9]{6})?$';
export const CODE_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

export const DeptCode = Type.String({ pattern: DEPT_CODE_PATTERN, description: '统一社会信用代码（18位，GB 32100，含校验位）/ unified social credit code, 18 characters with check character' });
export const AreaCode = Type.String({ pattern: REGION_CODE_PATTERN, description: '行政区划代码（GB/T 2260，6位）/ region code, 6 digits' });

export const OrgView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    deptCode: DeptCode,
    deptName: Type.String({ description: '部门（单位）名称 / org name' }),
    kind: Type.Union([Type.Literal('department'), Type.Literal('hall'), Type.Literal('center'), Type.Literal('other')], { description: '部门 / 大厅 / 中心 / 其他' }),
    areaCode: AreaCode,
    parentDeptCode: Nullable(DeptCode),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CatalogOrg', title: 'CatalogOrg' },
);

export const ServiceItemView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    taskCode: Type.String({ description: '事项实施编码 / item implementation code' }),
    taskName: Type.String({ description: '事项名称 / item name' }),
    itemType: Type.String({ description: '事项类型（GB/T 39046 A.1：01…10, 20；hotline 热线办理）/ item type' }),
    deptCode: DeptCode,
    areaCode: AreaCode,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CatalogServiceItem', title: 'CatalogServiceItem' },
);

export const ServiceWindowView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    deptCode: DeptCode,
    windowCode: Type.String({ description: '窗口编号 / window code, unique within the org' }),
    windowName: Type.String({ description: '窗口名称 / window name' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CatalogServiceWindow', title: 'CatalogServiceWindow' },
);

export const StaffView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    deptCode: DeptCode,
    staffNo: Type.String({ description: '工号 / staff number, unique within the org' }),
    staffName: Type.String({ description: '姓名 / name' }),
    windowCode: Nullable(Type.String({ description: '所在窗口 / window' })),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CatalogStaff', title: 'CatalogStaff' },
);

export const RegionView = Type.Object(
  {
    code: AreaCode,
    name: Type.String(),
    level: Type.Integer({ description: '1 省, 2 市（州）, 3 县（市、区）' }),
    parentCode: Nullable(Type.String()),
    path: Type.String({ description: '自省级起的代码路径 / codes from the province down, e.g. 510000/510100/510104/' }),
  },
  { $id: 'CatalogRegion', title: 'CatalogRegion' },
);

export const RegionNodeView = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    level: Type.Integer(),
    children: Type.Array(Type.Ref('CatalogRegionNode')),
  },
  { $id: 'CatalogRegionNode', title: 'CatalogRegionNode' },
);

export const ImportReportView = Type.Object(
  {
    kind: Type.Union([Type.Literal('orgs'), Type.Literal('items'), Type.Literal('windows'), Type.Literal('staff')]),
    total: Type.Integer({ description: '数据行数（不含表头和空行）/ data rows, without header and blank lines' }),
    imported: Type.Integer({ description: '已导入 / stored' }),
    skipped: Type.Integer({ description: '未导入 = total − imported / not stored' }),
    errors: Type.Array(
      Type.Object({
        line: Type.Integer({ description: 'CSV：文件中的物理行号（表头为第1行）；JSON：数组下标+1 / CSV physical line (header = 1); JSON index + 1' }),
        code: Type.String({ description: '稳定错误码 / stable error code' }),
        message: Type.String(),
        messageEn: Type.String(),
        field: Type.Optional(Type.String({ description: '出错的字段 / field at fault' })),
      }),
    ),
  },
  { $id: 'CatalogImportReport', title: 'CatalogImportReport' },
);

export const catalogSchemas = [OrgView, ServiceItemView, ServiceWindowView, StaffView, RegionView, RegionNodeView, ImportReportView];

export function presentOrg(r: OrgRecord): Static<typeof OrgView> {
  return { id: r.id, deptCode: r.dept_code, deptName: r.name, kind: r.kind, areaCode: r.region_code, parentDeptCode: r.parent_dept_code, createdAt: r.created_at.toISOString() };
}

export function presentServiceItem(r: ServiceItemRecord): Static<typeof ServiceItemView> {
  return { id: r.id, taskCode: r.task_code, taskName: r.name, itemType: r.item_type, deptCode: r.dept_code, areaCode: r.region_code, createdAt: r.created_at.toISOString() };
}

export function presentServiceWindow(r: ServiceWindowRecord): Static<typeof ServiceWindowView> {
  return { id: r.id, deptCode: r.dept_code, windowCode: r.code, windowName: r.name, createdAt: r.created_at.toISOString() };
}

export function presentStaff(r: StaffRecord): Static<typeof StaffView> {
  return { id: r.id, deptCode: r.dept_code, staffNo: r.staff_no, staffName: r.name, windowCode: r.window_code, createdAt: r.created_at.toISOString() };
}

export function presentRegion(r: Region): Static<typeof RegionView> {
  return { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, path: r.path };
}

export interface RegionNodeBody {
  code: string;
  name: string;
  level: number;
  children: RegionNodeBody[];
}

export function presentRegionNode(node: RegionNode): RegionNodeBody {
  return { code: node.code, name: node.name, level: node.level, children: node.children.map(presentRegionNode) };
}

export function presentImportReport(report: ImportReport): Static<typeof ImportReportView> {
  return report;
}
