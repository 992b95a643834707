// The canonical form of an evaluation row, and the chain hash: hash = SM3(canonical ‖ previous hash).
// The field order is part of the ledger format: never reorder; a new field means a new format version.
import { sm3 } from '../crypto/sm.ts';
import { sql, type Selectable } from 'kysely';
import type { EvaluationTable } from '../db/schema.ts';

export const GENESIS_HASH = Buffer.alloc(32);
const FORMAT_VERSION = 1;

/** The stored columns of an evaluation, as the hash sees them (`hash` itself excluded). */
export type LedgerRecord = Omit<Selectable<EvaluationTable>, 'hash'>;

const hex = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

export function canonicalRecord(r: LedgerRecord): string {
  return JSON.stringify([
    FORMAT_VERSION,
    r.id,
    r.chain_id,
    r.seq,
    r.receipt_no,
    r.received_at.toISOString(),
    r.assessed_at.toISOString(),
    r.assessed_day,
    r.subject,
    r.case_stage_id,
    r.case_id,
    r.project_no,
    r.service_number,
    r.assess_number,
    r.level,
    r.indicator_version,
    r.indicator_codes,
    r.comment,
    r.channel,
    r.is_default,
    r.is_anonymous,
    r.region_code,
    r.org_id,
    r.item_id,
    r.window_id,
    r.staff_id,
    r.user_prop,
    hex(r.rater_pii),
    r.rater_pii_key_id,
    // jsonb does not keep key order: fix it here.
    r.rater_masked === null ? null : [r.rater_masked.name ?? null, r.rater_masked.phone ?? null, r.rater_masked.certNo ?? null],
    hex(r.rater_phone_lookup),
    hex(r.rater_cert_lookup),
    r.source_app,
    r.client_id,
  ]);
}

export function chainHash(record: LedgerRecord, previousHash: Uint8Array): Buffer {
  return sm3(canonicalRecord(record), previousHash);
}

/**
 * The canonical record doubles as the form in which intake sends rows to the database: the array,
 * with the hash in hex appended (`transportRecord`), read back by position (`LEDGER_ROW_COLUMNS` from
 * `LEDGER_ROW_VALUES` over `r`, one jsonb array per row). One serialisation per row serves both
 * the hash and the write, and positions cost the database less to read than keys.
 */
export function transportRecord(canonical: string, hash: Uint8Array): string {
  return `${canonical.slice(0, -1)},"${Buffer.from(hash).toString('hex')}"]`;
}

// Column ← position in the canonical array (0 is the format version; 34, the hash, is transport only).
const READ_BACK: ReadonlyArray<[column: keyof Selectable<EvaluationTable>, value: string]> = [
  ['id', '(r->>1)::uuid'],
  ['chain_id', '(r->>2)::int4'],
  ['seq', '(r->>3)::int8'],
  ['receipt_no', 'r->>4'],
  ['received_at', '(r->>5)::timestamptz'],
  ['assessed_at', '(r->>6)::timestamptz'],
  ['assessed_day', '(r->>7)::date'],
  ['subject', 'r->>8'],
  ['case_stage_id', '(r->>9)::uuid'],
  ['case_id', '(r->>10)::uuid'],
  ['project_no', 'r->>11'],
  ['service_number', '(r->>12)::int4'],
  ['assess_number', '(r->>13)::int2'],
  ['level', '(r->>14)::int2'],
  ['indicator_version', 'r->>15'],
  ['indicator_codes', 'ARRAY(SELECT jsonb_array_elements_text(r->16))'],
  ['comment', 'r->>17'],
  ['channel', 'r->>18'],
  ['is_default', '(r->>19)::bool'],
  ['is_anonymous', '(r->>20)::bool'],
  ['region_code', 'r->>21'],
  ['org_id', '(r->>22)::uuid'],
  ['item_id', '(r->>23)::uuid'],
  ['window_id', '(r->>24)::uuid'],
  ['staff_id', '(r->>25)::uuid'],
  ['user_prop', '(r->>26)::int2'],
  ['rater_pii', "decode(r->>27, 'hex')"],
  ['rater_pii_key_id', 'r->>28'],
  // The masked fields as stored: an object without the absent ones.
  ['rater_masked', "CASE WHEN jsonb_typeof(r->29) = 'array' THEN jsonb_strip_nulls(jsonb_build_object('name', r->29->0, 'phone', r->29->1, 'certNo', r->29->2)) END"],
  ['rater_phone_lookup', "decode(r->>30, 'hex')"],
  ['rater_cert_lookup', "decode(r->>31, 'hex')"],
  ['source_app', 'r->>32'],
  ['client_id', 'r->>33'],
  ['hash', "decode(r->>34, 'hex')"],
];
export const LEDGER_ROW_COLUMNS = sql.raw(READ_BACK.map(([column]) => column).join(', '));
export const LEDGER_ROW_VALUES = sql.raw(READ_BACK.map(([, value]) => value).join(', '));
