// Evaluation-shaped rows for the raw-write baselines (rows 4 and 5 of the intake benchmark, and
// bench/insert-shapes.ts): the columns of `evaluation` read from the catalogue, rows filled as the
// intake writer fills them, and COPY text encoding.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay } from '../src/clock.ts';
import type { DB } from '../src/db/schema.ts';
import { newReceiptNo } from '../src/evaluations/intake-writer.ts';

export interface Column {
  name: string;
  type: string;
}

/** The columns of `evaluation`, in table order. */
export async function evaluationColumns(db: Kysely<DB>): Promise<Column[]> {
  const columns = await sql<Column>`
    SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a WHERE a.attrelid = 'evaluation'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`.execute(db);
  return columns.rows;
}

/** A table with the columns of `evaluation` and nothing else: no indexes, triggers or constraints (not even NOT NULL). */
export async function createBareTable(db: Kysely<DB>, table: string): Promise<Column[]> {
  const columns = await evaluationColumns(db);
  await sql.raw(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${columns.map((c) => `${c.name} ${c.type}`).join(', ')})`).execute(db);
  return columns;
}

export type RawValue = string | number | boolean | Date | Buffer | string[] | null;

export interface RowSource {
  projectPrefix: string;
  orgId: string;
  itemId: string;
  appId: string;
}

/** Evaluation-like rows, as the intake writer would store them, as value arrays in column order. */
export function evaluationLikeRows(columns: Column[], count: number, seedData: RowSource, seqStart = 1): RawValue[][] {
  const now = new Date();
  const assessed = new Date(now.getTime() - 3_600_000);
  const codes = [['101', '103'], ['105'], ['102'], ['301'], ['505']];
  const rows: RawValue[][] = [];
  for (let i = 0; i < count; i++) {
    const record: Record<string, RawValue> = {
      id: uuidv7(),
      chain_id: 1,
      seq: seqStart + i,
      hash: randomBytes(32),
      receipt_no: newReceiptNo(),
      received_at: now,
      assessed_at: assessed,
      assessed_day: beijingDay(assessed),
      subject: 'case_stage',
      case_stage_id: uuidv7(),
      case_id: uuidv7(),
      project_no: `${seedData.projectPrefix}raw-${seqStart + i}`,
      service_number: 1,
      assess_number: 1,
      level: 1 + (i % 5),
      indicator_version: '2026.1',
      indicator_codes: codes[i % codes.length] ?? [],
      comment: i % 4 === 0 ? '窗口服务很好，一次办成' : null,
      channel: ['pc', 'mobile', 'qr', 'hall_tablet', 'hall_terminal'][i % 5] ?? 'pc',
      is_default: false,
      is_anonymous: false,
      region_code: '510104',
      org_id: seedData.orgId,
      item_id: seedData.itemId,
      window_id: null,
      staff_id: null,
      user_prop: null,
      rater_pii: null,
      rater_pii_key_id: null,
      rater_masked: null,
      rater_phone_lookup: null,
      rater_cert_lookup: null,
      source_app: seedData.appId,
      client_id: `bench-raw-${seqStart + i}`,
    };
    rows.push(columns.map((c) => record[c.name] ?? null));
  }
  return rows;
}

/** One field in COPY text format. */
export function copyField(value: RawValue): string {
  if (value === null) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return `{${value.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`.replace(/\\/g, '\\\\');
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** COPY text format, in chunks of rowsPerChunk rows. */
export function* copyText(rows: RawValue[][], rowsPerChunk = 1000): Generator<string> {
  for (let i = 0; i < rows.length; i += rowsPerChunk) {
    let chunk = '';
    for (const row of rows.slice(i, i + rowsPerChunk)) chunk += `${row.map(copyField).join('\t')}\n`;
    yield chunk;
  }
}

