// The canonical form of an evaluation row, and the chain hash: hash = SM3(canonical ‖ previous hash).
// The field order is part of the ledger format: never reorder; a new field means a new format version.
import { sm3 } from '../crypto/sm.ts';
import type { Selectable } from 'kysely';
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
