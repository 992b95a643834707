// Bulk import of catalog data from CSV or JSON, all-or-nothing by default.
//
// Columns (CSV header names, JSON keys; the national field names where they exist; * = required;
// header names are matched without regard to case, columns may come in any order):
//   orgs     deptCode*       统一社会信用代码 (18 characters, GB 32100)
//            deptName*       部门（单位）名称, at most 200 characters
//            kind            department (default) | hall 大厅 | center 中心 | other
//            areaCode*       行政区划代码 (6 digits, must exist)
//            parentDeptCode  上级部门统一社会信用代码 (an existing org, or one earlier in the file)
//   items    taskCode*       事项实施编码, at most 64 letters/digits/-_.
//            taskName*       事项名称, at most 300 characters
//            itemType*       事项类型: 01 许可 … 10 其他行政权力, 20 公共服务 (GB/T 39046 A.1), hotline 热线办理
//            deptCode*       实施部门统一社会信用代码
//            areaCode        实施区划; default the org's region; must be it or below it
//   windows  deptCode*       所属部门
//            windowCode*     窗口编号, at most 64 letters/digits/-_.
//            windowName*     窗口名称, at most 200 characters
//   staff    deptCode*       所属部门
//            staffNo*        工号, at most 64 letters/digits/-_.
//            staffName*      姓名, at most 100 characters
//            windowCode      所在窗口 (a window of the same org)
//
// Files are UTF-8 (a BOM is accepted). CSV: RFC 4180, first non-blank line is the header, blank
// lines are skipped, an empty cell means absent. JSON: an array of objects with the keys above;
// strings, or numbers for codes. Lines in the report: CSV physical line (header = 1), JSON index + 1.
//
// Every row is checked and every bad row reported. Rows are applied in file order inside one
// transaction, so a row may refer to one above it. Without skipBadRows a file with any error
// stores nothing; with it, the good rows are stored and the bad ones reported.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError, errorCatalogue, type ErrorCode } from '../errors.ts';
import type { WriteGuard } from './access.ts';
import type { CommandOptions } from './command-options.ts';
import type { Checked, FieldRefusal } from './fields.ts';
import { memoLookups } from './lookups.ts';
import { sourceRows, type ImportFormat, type SourceRow } from './import-source.ts';
import { checkOrgInput, upsertOrg, type OrgInput } from './orgs.ts';
import { checkServiceItemInput, upsertServiceItem, type ServiceItemInput } from './service-items.ts';
import { checkServiceWindowInput, upsertServiceWindow, type ServiceWindowInput } from './service-windows.ts';
import { checkStaffInput, upsertStaff, type StaffInput } from './staff.ts';

export const CATALOG_KINDS = ['orgs', 'items', 'windows', 'staff'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

export function isCatalogKind(value: string): value is CatalogKind {
  return CATALOG_KINDS.some((kind) => kind === value);
}

export interface ImportError {
  line: number;
  code: ErrorCode;
  message: string;
  messageEn: string;
  field?: string;
}

export interface ImportReport {
  kind: CatalogKind;
  /** Data rows in the file (blank lines not counted). */
  total: number;
  /** Rows stored. */
  imported: number;
  /** Rows not stored: total − imported. */
  skipped: number;
  /** Every problem found, in line order; a row may have several. */
  errors: ImportError[];
}

export interface ImportSource {
  format: ImportFormat;
  /** Text, or the file's bytes (which must be UTF-8). */
  content: string | Uint8Array;
}

export interface ImportOptions {
  skipBadRows?: boolean;
  /** Checked for every row, so that a caller's out-of-scope rows are reported like other bad rows. */
  guard?: WriteGuard;
}

type Values = Record<string, string | undefined>;

interface KindSpec {
  columns: readonly string[];
  required: readonly string[];
  /** The field named when a row repeats an earlier row's natural key. */
  keyField: string;
  /** The field refusals of a row and, when it is valid, its natural key (for duplicates within the file). */
  check(values: Values): { refusals: FieldRefusal[]; key: string | null };
  apply(db: Kysely<DB>, values: Values, now: Date, options: CommandOptions): Promise<unknown>;
}

function keyed<T>(checked: Checked<T>, keyOf: (value: T) => string): { refusals: FieldRefusal[]; key: string | null } {
  return checked.ok ? { refusals: [], key: keyOf(checked.value) } : { refusals: checked.refusals, key: null };
}

const orgInput = (v: Values): OrgInput => ({ deptCode: v.deptCode ?? '', deptName: v.deptName ?? '', kind: v.kind, areaCode: v.areaCode ?? '', parentDeptCode: v.parentDeptCode });
const itemInput = (v: Values): ServiceItemInput => ({ taskCode: v.taskCode ?? '', taskName: v.taskName ?? '', itemType: v.itemType ?? '', deptCode: v.deptCode ?? '', areaCode: v.areaCode });
const windowInput = (v: Values): ServiceWindowInput => ({ deptCode: v.deptCode ?? '', windowCode: v.windowCode ?? '', windowName: v.windowName ?? '' });
const staffInput = (v: Values): StaffInput => ({ deptCode: v.deptCode ?? '', staffNo: v.staffNo ?? '', staffName: v.staffName ?? '', windowCode: v.windowCode });

const KINDS: Record<CatalogKind, KindSpec> = {
  orgs: {
    keyField: 'deptCode',
    columns: ['deptCode', 'deptName', 'kind', 'areaCode', 'parentDeptCode'],
    required: ['deptCode', 'deptName', 'areaCode'],
    check: (v) => keyed(checkOrgInput(orgInput(v)), (f) => f.deptCode),
    apply: (db, v, now, options) => upsertOrg(db, orgInput(v), now, options),
  },
  items: {
    keyField: 'taskCode',
    columns: ['taskCode', 'taskName', 'itemType', 'deptCode', 'areaCode'],
    required: ['taskCode', 'taskName', 'itemType', 'deptCode'],
    check: (v) => keyed(checkServiceItemInput(itemInput(v)), (f) => f.taskCode),
    apply: (db, v, now, options) => upsertServiceItem(db, itemInput(v), now, options),
  },
  windows: {
    keyField: 'windowCode',
    columns: ['deptCode', 'windowCode', 'windowName'],
    required: ['deptCode', 'windowCode', 'windowName'],
    check: (v) => keyed(checkServiceWindowInput(windowInput(v)), (f) => `${f.deptCode} ${f.code}`),
    apply: (db, v, now, options) => upsertServiceWindow(db, windowInput(v), now, options),
  },
  staff: {
    keyField: 'staffNo',
    columns: ['deptCode', 'staffNo', 'staffName', 'windowCode'],
    required: ['deptCode', 'staffNo', 'staffName'],
    check: (v) => keyed(checkStaffInput(staffInput(v)), (f) => `${f.deptCode} ${f.staffNo}`),
    apply: (db, v, now, options) => upsertStaff(db, staffInput(v), now, options),
  },
};

/** The columns of one kind, for documentation and the OpenAPI description. */
export function importColumns(kind: CatalogKind): { columns: readonly string[]; required: readonly string[] } {
  const { columns, required } = KINDS[kind];
  return { columns, required };
}

function importError(line: number, code: ErrorCode, field?: string): ImportError {
  const { zh, en } = errorCatalogue[code];
  return field === undefined ? { line, code, message: zh, messageEn: en } : { line, code, message: zh, messageEn: en, field };
}

/** A row's cells as text. JSON numbers are accepted as text (codes); other types are refused. */
function textValues(row: SourceRow, spec: KindSpec): { values: Values; refusals: FieldRefusal[] } {
  const values: Values = {};
  const refusals: FieldRefusal[] = [];
  for (const [field, value] of Object.entries(row.values)) {
    if (!spec.columns.includes(field)) refusals.push({ code: 'CATALOG_FIELD_UNKNOWN', field });
    else if (typeof value === 'string') values[field] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) values[field] = String(value);
    else if (value !== null) refusals.push({ code: 'CATALOG_FIELD_NOT_TEXT', field });
  }
  return { values, refusals };
}

/** Thrown inside the transaction to roll it back when the file is refused. */
class Refused extends Error {}

/** `db` must not already be a transaction: a refused file is rolled back as a whole. */
export async function importCatalog(db: Kysely<DB>, kind: CatalogKind, source: ImportSource, options: ImportOptions, now: Date): Promise<ImportReport> {
  const spec = KINDS[kind];
  const rows = sourceRows(source.format, source.content, spec);
  const errors: ImportError[] = [];

  // First every row on its own: shape, fields, duplicates within the file.
  const seen = new Set<string>();
  const checked: Array<{ line: number; values: Values }> = [];
  for (const row of rows) {
    if (row.malformed) {
      errors.push(importError(row.line, 'IMPORT_ROW_MALFORMED'));
      continue;
    }
    const { values, refusals: typeRefusals } = textValues(row, spec);
    const { refusals, key } = spec.check(values);
    const all = [...typeRefusals, ...refusals];
    for (const refusal of all) errors.push(importError(row.line, refusal.code, refusal.field));
    if (all.length > 0 || key === null) continue;
    if (seen.has(key)) {
      errors.push(importError(row.line, 'IMPORT_DUPLICATE_ROW', spec.keyField));
      continue;
    }
    seen.add(key);
    checked.push({ line: row.line, values });
  }

  // Then against the database, in file order, so that rows see the ones above them. Commands
  // refuse before writing anything, so a refused row leaves the transaction usable.
  const skipBadRows = options.skipBadRows ?? false;
  const { guard } = options;
  let imported = 0;
  try {
    await db.transaction().execute(async (trx) => {
      const lookups = memoLookups();
      for (const { line, values } of checked) {
        try {
          await spec.apply(trx, values, now, { guard, lookups });
          imported++;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          const field = error.details?.field;
          errors.push(importError(line, error.code, typeof field === 'string' ? field : undefined));
        }
      }
      if (errors.length > 0 && !skipBadRows) throw new Refused();
    });
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    imported = 0;
  }

  errors.sort((a, b) => a.line - b.line);
  return { kind, total: rows.length, imported, skipped: rows.length - imported, errors };
}

/** Whether a report means the file was refused as a whole (nothing stored because of errors). */
export function importRefused(report: ImportReport, options: Pick<ImportOptions, 'skipBadRows'>): boolean {
  return report.errors.length > 0 && !(options.skipBadRows ?? false);
}
