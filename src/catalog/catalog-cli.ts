// What the command line needs from the catalog: import a file, and say what happened in words.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { importCatalog, type CatalogKind, type ImportReport } from './import.ts';
import type { ImportFormat } from './import-source.ts';

const FORMATS: Record<string, ImportFormat> = { '.csv': 'csv', '.json': 'json' };

export function importFormatOf(filePath: string): ImportFormat {
  const format = FORMATS[extname(filePath).toLowerCase()];
  if (format === undefined) throw new AppError('IMPORT_FORMAT_UNKNOWN', { file: filePath, expected: ['.csv', '.json'] });
  return format;
}

/** Import a .csv or .json file (UTF-8, BOM allowed), trusted: the CLI runs as the operator. */
export async function importFile(db: Kysely<DB>, kind: CatalogKind, filePath: string, options: { skipBadRows?: boolean }, now: Date): Promise<ImportReport> {
  const format = importFormatOf(filePath);
  // Bytes, not text: the encoding is checked strictly instead of being guessed.
  const bytes = await readFile(filePath);
  return importCatalog(db, kind, { format, content: bytes }, { skipBadRows: options.skipBadRows ?? false }, now);
}

const KIND_NAMES: Record<CatalogKind, string> = { orgs: '部门', items: '事项', windows: '窗口', staff: '工作人员' };

/** A summary line, then one line per problem: `第 12 行 / line 12: CODE [field] 中文 / English`. */
export function formatImportReport(report: ImportReport): string[] {
  const refused = report.errors.length > 0 && report.imported === 0 && report.total > 0;
  const summary =
    `${KIND_NAMES[report.kind]}导入：共 ${report.total} 行，导入 ${report.imported} 行，未导入 ${report.skipped} 行，错误 ${report.errors.length} 处` +
    ` / ${report.kind} import: ${report.total} rows, ${report.imported} imported, ${report.skipped} not imported, ${report.errors.length} errors`;
  const lines = [summary];
  if (refused) lines.push('文件有错误，未导入任何数据 / The file has errors; nothing was imported');
  for (const error of report.errors) {
    const field = error.field === undefined ? '' : ` [${error.field}]`;
    lines.push(`第 ${error.line} 行 / line ${error.line}: ${error.code}${field} ${error.message} / ${error.messageEn}`);
  }
  return lines;
}
