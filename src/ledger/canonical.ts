// The canonical form of an evaluation row, and the chain hash: hash = SM3(canonical ‖ previous hash).
// The field order is part of the ledger format: never reorder; a new field means a new format version.
import { sm3 } from '../crypto/sm.ts';
import type { EvaluationTable, MaskedPerson } from '../db/schema.ts';

export const GENESIS_HASH = Buffer.alloc(32);
const FORMAT_VERSION = 1;

/** The stored columns of an evaluation, as the hash sees them (`hash` itself excluded). */
export interface LedgerRecord {
  id: string;
  chain_id: number;
  seq: number;
  receipt_no: string;
  received_at: Date;
  assessed_at: Date;
  assessed_day: string;
  subject: EvaluationTable['subject'];
  case_stage_id: string | null;
  case_id: string | null;
  project_no: string | null;
  service_number: number | null;
  assess_number: number;
  level: number;
  indicator_version: string;
  indicator_codes: string[];
  comment: string | null;
  channel: string;
  is_default: boolean;
  is_anonymous: boolean;
  region_code: string;
  org_id: string;
  item_id: string | null;
  window_id: string | null;
  staff_id: string | null;
  user_prop: number | null;
  rater_pii: Uint8Array | null;
  rater_pii_key_id: string | null;
  rater_masked: MaskedPerson | null;
  rater_phone_lookup: Uint8Array | null;
  rater_cert_lookup: Uint8Array | null;
  source_app: string;
  client_id: string | null;
}

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
