// Reading an import file into rows that remember where they came from: the physical line of a
// CSV record (header = line 1; a quoted field spanning lines counts from its first line), or the
// 1-based index of a JSON array element. Problems that make the whole file unreadable throw;
// problems of one row travel with the row so that every bad row can be reported.
import { parse } from 'csv-parse/sync';
import secureJson from 'secure-json-parse';
import { AppError } from '../errors.ts';

export type ImportFormat = 'csv' | 'json';

export interface SourceRow {
  line: number;
  values: Record<string, unknown>;
  /** Set when the row cannot be read as a record (wrong field count, not a JSON object). */
  malformed: boolean;
}

export interface ColumnSpec {
  columns: readonly string[];
  required: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8, BOM accepted. Other encodings are refused, naming GB18030/GBK when the bytes fit it. */
export function decodeImportBytes(bytes: Uint8Array): string {
  try {
    return stripBom(utf8.decode(bytes));
  } catch {
    throw new AppError('IMPORT_NOT_UTF8', { likelyEncoding: looksLikeGb18030(bytes) ? 'GB18030/GBK' : 'unknown' });
  }
}

function looksLikeGb18030(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lineBreaksIn(text: string): number {
  let n = 0;
  for (const char of text) if (char === '\n') n++;
  return n;
}

/**
 * CSV with a header row. Header names match the column names without regard to case; an unknown,
 * repeated or missing required column refuses the file. Blank lines (also ",,,") are skipped.
 */
export function csvRows(text: string, spec: ColumnSpec): SourceRow[] {
  // csv-parse 7 miscounts lines in CRLF files, so line breaks are made uniform first: each break
  // stays exactly one '\n', and physical line numbers are preserved.
  const uniform = stripBom(text).replace(/\r\n?/g, '\n');
  const records: Array<{ record: string[]; line: number }> = [];
  try {
    parse(uniform, {
      relax_column_count: true,
      skip_empty_lines: false,
      on_record: (record: string[], context) => {
        // context.lines is where the record ends; a quoted field may have spanned several lines.
        records.push({ record, line: context.lines - record.reduce((n, field) => n + lineBreaksIn(field), 0) });
        return record;
      },
    });
  } catch (error) {
    const line = typeof error === 'object' && error !== null ? Reflect.get(error, 'lines') : undefined;
    throw new AppError('IMPORT_MALFORMED', { format: 'csv', line: typeof line === 'number' ? line : null, reason: error instanceof Error ? error.message : String(error) });
  }

  let header: string[] | null = null;
  const rows: SourceRow[] = [];
  for (const { record, line } of records) {
    if (record.every((field) => field.trim() === '')) continue;
    if (header === null) {
      header = headerColumns(record, spec);
      continue;
    }
    const values: Record<string, unknown> = {};
    header.forEach((column, i) => {
      const value = record[i];
      if (value !== undefined && value.trim() !== '') values[column] = value;
    });
    rows.push({ line, values, malformed: record.length !== header.length });
  }
  if (header === null) throw new AppError('IMPORT_COLUMNS_INVALID', { missing: [...spec.required], unknown: [], reason: 'empty file, no header row' });
  return rows;
}

function headerColumns(record: string[], spec: ColumnSpec): string[] {
  const byLowerCase = new Map(spec.columns.map((c) => [c.toLowerCase(), c]));
  const header = record.map((name) => byLowerCase.get(name.trim().toLowerCase()) ?? name.trim());
  const unknown = header.filter((name) => !spec.columns.includes(name));
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  const missing = spec.required.filter((name) => !header.includes(name));
  if (unknown.length > 0 || repeated.length > 0 || missing.length > 0) {
    throw new AppError('IMPORT_COLUMNS_INVALID', { line: 1, missing, unknown, repeated, expected: [...spec.columns] });
  }
  return header;
}

/** A JSON array of objects; each element's line is its index + 1. */
export function jsonRows(text: string): SourceRow[] {
  let parsed: unknown;
  try {
    // Prototype-polluting keys are refused outright, as for API bodies.
    parsed = secureJson.parse(stripBom(text), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    throw new AppError('IMPORT_MALFORMED', { format: 'json', reason: error instanceof Error ? error.message : String(error) });
  }
  if (!Array.isArray(parsed)) throw new AppError('IMPORT_MALFORMED', { format: 'json', reason: 'expected an array of objects' });
  return parsed.map((item: unknown, index) => {
    const isRecord = typeof item === 'object' && item !== null && !Array.isArray(item);
    return { line: index + 1, values: isRecord ? { ...item } : {}, malformed: !isRecord };
  });
}

export function sourceRows(format: ImportFormat, content: string | Uint8Array, spec: ColumnSpec): SourceRow[] {
  const text = typeof content === 'string' ? content : decodeImportBytes(content);
  return format === 'csv' ? csvRows(text, spec) : jsonRows(text);
}
