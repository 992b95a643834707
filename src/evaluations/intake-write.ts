// The statements that write a flush, one definition each, used by the fast and the full path alike:
// the claims (request nonces, idempotency keys, case-stage slots) and the write itself, which
// appends the rows to the lane's chain, counts them, opens their tickets and moves the head.
import { sql, type RawBuilder } from 'kysely';
import { countEvaluations } from '../aggregates/counters.ts';
import { sm3 } from '../crypto/sm.ts';
import { prepared } from '../db/database.ts';
import type { DeferredNonce } from '../http/caller.ts';
import { canonicalRecord, LEDGER_ROW_COLUMNS, LEDGER_ROW_VALUES, transportRecord, type LedgerRecord } from '../ledger/canonical.ts';
import { openTicketsCtes, ticketOpenings } from '../tickets/opening.ts';
import type { IntakeDeps, Pending } from './intake-request.ts';

// Run at every flush: planned once per connection (src/db/database.ts).
const PREPARE_WRITE = sql.raw(prepared('intake_write'));

/** A chain's head: the last row's sequence number and hash. */
export interface Head {
  seq: number;
  hash: Buffer;
}

/**
 * CTEs `input`, `keys` and `slots`: claim the requests' idempotency keys (`intake_key`) and the
 * case-stage slots (`evaluation_slot`, one evaluation per stage and assessment number) in request
 * order. A request whose key is taken claims no slot; place ratings claim none. Each CTE returns
 * the evaluation ids it claimed.
 */
export function claimCtes(pendings: Pending[], now: Date): RawBuilder<unknown> {
  const claims = JSON.stringify(
    pendings.map(({ row, digest }, i) => ({
      i,
      source_app: row.source_app,
      client_id: row.client_id ?? '',
      evaluation_id: row.id,
      digest: digest.toString('hex'),
      case_stage_id: row.case_stage_id,
      assess_number: row.assess_number,
    })),
  );
  return sql`
    input AS (
      SELECT * FROM jsonb_to_recordset(${claims}::jsonb)
        AS x(i int, source_app text, client_id text, evaluation_id uuid, digest text, case_stage_id uuid, assess_number smallint)
    ),
    keys AS (
      INSERT INTO intake_key (source_app, client_id, evaluation_id, request_digest, created_at)
      SELECT source_app, client_id, evaluation_id, decode(digest, 'hex'), ${now} FROM input ORDER BY i
      ON CONFLICT DO NOTHING RETURNING evaluation_id
    ),
    slots AS (
      INSERT INTO evaluation_slot (case_stage_id, assess_number, evaluation_id)
      SELECT case_stage_id, assess_number, evaluation_id FROM input
      WHERE case_stage_id IS NOT NULL AND evaluation_id IN (SELECT evaluation_id FROM keys) ORDER BY i
      ON CONFLICT DO NOTHING RETURNING evaluation_id
    )`;
}

/** CTE `nonces`: claim request nonces; returns those claimed now (not those seen before). */
export function nonceCte(nonces: DeferredNonce[], now: Date): RawBuilder<unknown> {
  return sql`
    nonces AS (
      INSERT INTO request_nonce (app_id, nonce, seen_at)
      SELECT "appId", nonce, ${now} FROM jsonb_to_recordset(${JSON.stringify(nonces)}::jsonb) AS n("appId" text, nonce text)
      ON CONFLICT DO NOTHING RETURNING app_id, nonce
    )`;
}

export interface Write {
  /** The statement: its one row says whether it wrote; it raises INTAKE_FAST_PATH_CONFLICT (HC001) instead of writing part. */
  statement: RawBuilder<{ ok: boolean }>;
  /** The rows as written, with their place in the chain. */
  records: Array<LedgerRecord & { hash: Buffer }>;
  /** The chain's head once the statement has run. */
  head: Head;
}

/**
 * The one statement that writes a flush: appends the requests' rows to the chain after `head`,
 * adds them to the counters, opens the tickets of the bad ones and moves the chain head, all or
 * nothing. It writes only if the head is still where the rows were chained after, and, when
 * `claims` are given (the fast path), only if every nonce, key and slot was claimed by it, too
 * (the full path claimed them before, under the chain lock): otherwise intake_require aborts it.
 */
export function writeStatement(deps: IntakeDeps, chainId: number, start: Head, pendings: Pending[], now: Date, claims: { nonces: DeferredNonce[] } | null): Write {
  const { records, head, rowsJson, countsJson } = chainRecords(pendings, chainId, start);
  const tickets = ticketOpenings(records, deps.calendar, deps.config.tickets);
  const claimed = claims
    ? sql`${nonceCte(claims.nonces, now)},${claimCtes(pendings, now)},`
    : sql``;
  const claimsHeld = claims
    ? sql`(SELECT count(*) FROM nonces) = ${claims.nonces.length} AND (SELECT count(*) FROM keys) = ${pendings.length}
        AND (SELECT count(*) FROM slots) = ${pendings.length} AND`
    : sql``;
  // What is written once the verdict holds, one CTE each, every one gated by the verdict. A table
  // written with every evaluation is one more entry here.
  const writes = [
    sql`appended AS (
      INSERT INTO evaluation (${LEDGER_ROW_COLUMNS}) SELECT ${LEDGER_ROW_VALUES} FROM jsonb_array_elements(${rowsJson}::jsonb) AS x(r), verdict WHERE verdict.ok
    )`,
    sql`counted AS (
      INSERT INTO evaluation_counter SELECT c.* FROM jsonb_populate_recordset(NULL::evaluation_counter, ${countsJson}::jsonb) c, verdict WHERE verdict.ok
      ON CONFLICT ON CONSTRAINT evaluation_counter_key DO UPDATE SET count = evaluation_counter.count + excluded.count
    )`,
  ];
  const statement = sql<{ ok: boolean }>`${PREPARE_WRITE}
    WITH ${claimed}
    moved AS (
      UPDATE ledger_chain SET head_seq = ${head.seq}, head_hash = ${head.hash}
      WHERE chain_id = ${chainId} AND head_seq = ${start.seq} AND head_hash = ${start.hash} RETURNING 1
    ),
    verdict AS (
      SELECT intake_require(${claimsHeld} (SELECT count(*) FROM moved) = 1) AS ok
    ),
    ${sql.join(writes, sql`,\n    `)}${openTicketsCtes(tickets, { from: sql`verdict`, where: sql`verdict.ok` })}
    SELECT ok FROM verdict`;
  return { statement, records, head };
}

/** Chain the rows after `start`; returns the records with their hashes, the new head and the rows and counts as the statement reads them. */
function chainRecords(pendings: Pending[], chainId: number, start: Head) {
  const head: Head = { seq: start.seq, hash: start.hash };
  const records: Array<LedgerRecord & { hash: Buffer }> = [];
  // The rows as the database reads them (LEDGER_ROW_VALUES), written as the records are made.
  let rowsJson = '[';
  for (const { row } of pendings) {
    // Chained in place: a row chained again (the full path after a failed fast path) is overwritten.
    row.chain_id = chainId;
    row.seq = head.seq + 1;
    const canonical = canonicalRecord(row);
    const record = Object.assign(row, { hash: sm3(canonical, head.hash) });
    head.seq = record.seq;
    head.hash = record.hash;
    records.push(record);
    if (records.length > 1) rowsJson += ',';
    rowsJson += transportRecord(canonical, record.hash);
  }
  rowsJson += ']';
  return { records, head, rowsJson, countsJson: JSON.stringify(countEvaluations(records)) };
}
