// Evaluation intake with group commit. Requests that arrive while a flush is running are collected
// and written together in the next flush (up to INTAKE_FLUSH_MAX_ROWS). A flush claims request
// nonces, idempotency keys and case-stage slots, appends to this lane's hash chain and updates the
// counters, atomically: by one statement on the fast path, or one transaction on the full path
// when something needs sorting out. Every request is answered only after its flush committed.
// See docs/ledger.md.
import { randomFillSync } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay, type Clock } from '../clock.ts';
import { callerCovers, type Scope } from '../auth/policy.ts';
import type { Config } from '../config/config.ts';
import { equalBytes, hmacSm3, sm3 } from '../crypto/sm.ts';
import { prepared } from '../db/database.ts';
import type { DB, EvaluationTable } from '../db/schema.ts';
import type { Refusal } from '../errors.ts';
import { countEvaluations } from '../aggregates/counters.ts';
import { canonicalRecord, LEDGER_ROW_COLUMNS, LEDGER_ROW_VALUES, transportRecord, type LedgerRecord } from '../ledger/canonical.ts';
import { claimChain, releaseChain, renewLease } from '../ledger/chains.ts';
import { normalizePerson } from '../pii/person.ts';
import { sealPerson } from '../pii/vault.ts';
import { createNonceClaimer, type NonceClaimer } from '../auth/nonces.ts';
import type { DeferredNonce } from '../http/caller.ts';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import { openTicketsCtes, ticketOpenings } from '../tickets/opening.ts';
import type { EvaluationDraft } from './draft.ts';
import type { IndicatorCatalogue } from './indicators.ts';
import { checkAgainstStage, checkCaseCodes, checkDraft, type CaseCodes, type RuleSettings, type StageFacts } from './rules.ts';

export interface IntakeRequest {
  draft: EvaluationDraft;
  sourceApp: string;
  scope: Scope;
  /** A request nonce to claim in the same transaction (single-evaluation route), if any. */
  nonce?: DeferredNonce | null;
}

export interface StoredEvaluation {
  id: string;
  receiptNo: string;
  projectNo: string | null;
  serviceNumber: number | null;
  assessNumber: number;
  level: number;
  channel: string;
  isDefault: boolean;
  receivedAt: string;
  ledger: { chainId: number; seq: number; hash: string };
}

export type IntakeOutcome =
  | { status: 'stored'; evaluation: StoredEvaluation }
  | { status: 'duplicate'; evaluation: StoredEvaluation }
  | { status: 'refused'; refusal: Refusal };

export interface FlushStats {
  /** Flushes written by the two-statement fast path. */
  fast: number;
  /** Flushes written by the full transactional path (first flush of a lane, repeats, follow-ups, conflicts). */
  full: number;
}

export interface IntakeWriter {
  submit(requests: IntakeRequest[]): Promise<IntakeOutcome[]>;
  readonly chainIds: number[];
  /** The indicator sets the writer checks against (immutable once published). */
  readonly catalogue: IndicatorCatalogue;
  stats(): FlushStats;
  close(): Promise<void>;
}

export interface IntakeDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  catalogue: IndicatorCatalogue;
  /** For the deadlines of the tickets that bad evaluations open. */
  calendar: WorkingDayCalendar;
  /** Identifies this process in chain leases. */
  owner: string;
}

/** The ledger record in the making: chain_id and seq are set, in place, when the row is chained. */
type Row = LedgerRecord;

interface Pending {
  request: IntakeRequest;
  row: Row;
  digest: Buffer;
  resolve(outcome: IntakeOutcome): void;
  reject(error: unknown): void;
}

const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Random bytes for receipt numbers, drawn from the CSPRNG 256 receipts at a time: one call into
// OpenSSL per receipt cost more than the rest of a receipt's making.
const receiptEntropy = Buffer.alloc(12 * 256);
let receiptEntropyUsed = receiptEntropy.length;

/** 12 characters of Crockford base32 (60 random bits), grouped for reading aloud: 'K7Q2-9XMD-3FPA'. */
export function newReceiptNo(): string {
  if (receiptEntropyUsed === receiptEntropy.length) {
    randomFillSync(receiptEntropy);
    receiptEntropyUsed = 0;
  }
  const at = receiptEntropyUsed;
  receiptEntropyUsed += 12;
  let text = '';
  for (let i = 0; i < 12; i++) text += RECEIPT_ALPHABET[(receiptEntropy[at + i] ?? 0) & 31];
  return `${text.slice(0, 4)}-${text.slice(4, 8)}-${text.slice(8)}`;
}

/** Keyed, so that the stored digest reveals nothing about the personal data in the request. */
export function requestDigest(config: Config, draft: EvaluationDraft): Buffer {
  // The stated case codes are checked, not stored: leaving them out keeps earlier digests comparable.
  const { clientId: _clientId, derivedKey: _derived, areaCode: _areaCode, deptCode: _deptCode, ...content } = draft;
  // assessedAt is written by Date's toJSON, which is toISOString: the digests stored so far stay comparable.
  return hmacSm3(config.pii.lookupKey, 'intake', JSON.stringify(content));
}

function present(row: Pick<EvaluationTable, 'id' | 'receipt_no' | 'project_no' | 'service_number' | 'assess_number' | 'level' | 'channel' | 'is_default' | 'chain_id' | 'seq'> & { received_at: Date; hash: Uint8Array }): StoredEvaluation {
  return {
    id: row.id,
    receiptNo: row.receipt_no,
    projectNo: row.project_no,
    serviceNumber: row.service_number,
    assessNumber: row.assess_number,
    level: row.level,
    channel: row.channel,
    isDefault: row.is_default,
    receivedAt: row.received_at.toISOString(),
    ledger: { chainId: row.chain_id, seq: row.seq, hash: Buffer.from(row.hash).toString('hex') },
  };
}

const RETRYABLE = new Set(['40001', '40P01']);
const SMALL_SUBMISSION = 10;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export async function startIntakeWriter(deps: IntakeDeps): Promise<IntakeWriter> {
  const lanes: Lane[] = [];
  for (let i = 0; i < deps.config.intake.writers; i++) {
    const chainId = await claimChain(deps.db, deps.owner, deps.clock());
    lanes.push(new Lane(deps, chainId));
  }
  // Spends the nonces of requests refused before they reach a flush (a flush claims its own).
  const nonces = createNonceClaimer(deps.db);
  const renewal = setInterval(() => {
    for (const lane of lanes) void renewLease(deps.db, lane.chainId, deps.owner, deps.clock()).catch(() => undefined);
  }, 20_000);
  renewal.unref();

  return {
    chainIds: lanes.map((l) => l.chainId),
    catalogue: deps.catalogue,
    stats: () => lanes.reduce<FlushStats>((sum, l) => ({ fast: sum.fast + l.stats.fast, full: sum.full + l.stats.full }), { fast: 0, full: 0 }),
    async submit(requests) {
      const receivedAt = deps.clock();
      const outcomes: Array<Promise<IntakeOutcome>> = [];
      // Small submissions all gather on the first lane, so that they share large flushes (the cost
      // of a flush hardly grows with its size); big batches take the least busy lane.
      const lane =
        requests.length <= SMALL_SUBMISSION
          ? lanes[0]
          : lanes.reduce<Lane | undefined>((best, l) => (best === undefined || l.waiting < best.waiting ? l : best), undefined);
      if (!lane) throw new Error('intake writer has no lanes');
      for (const request of requests) outcomes.push(prepare(deps, request, receivedAt, lane, nonces));
      return Promise.all(outcomes);
    },
    async close() {
      clearInterval(renewal);
      await Promise.all(lanes.map((lane) => lane.drain()));
      await nonces.drain();
      for (const lane of lanes) await releaseChain(deps.db, lane.chainId, deps.owner);
    },
  };
}

/**
 * A request refused before it reaches a flush. Its nonce is spent all the same (a nonce guards
 * against replays whatever the answer was), and a replayed one is told so first.
 */
async function refuseEarly(request: IntakeRequest, refusal: Refusal, receivedAt: Date, nonces: NonceClaimer): Promise<IntakeOutcome> {
  const nonce = request.nonce;
  if (nonce && !(await nonces.claim(nonce.appId, nonce.nonce, receivedAt))) return { status: 'refused', refusal: { code: 'AUTH_NONCE_REPLAYED', details: { nonce: nonce.nonce } } };
  return { status: 'refused', refusal };
}

/** Stateless checks and sealing happen before queueing, so a flush only does what needs the database. */
function prepare(deps: IntakeDeps, request: IntakeRequest, receivedAt: Date, lane: Lane, nonces: NonceClaimer): Promise<IntakeOutcome> {
  const { draft } = request;
  const refusal = checkDraft(draft, deps.catalogue, deps.config.rules, receivedAt);
  if (refusal) return refuseEarly(request, refusal, receivedAt, nonces);
  const id = uuidv7();
  let rater: ReturnType<typeof sealPerson> | null = null;
  if (draft.rater) {
    const person = normalizePerson(draft.rater);
    if ('problem' in person) return refuseEarly(request, { code: 'PII_INVALID', details: { field: person.problem } }, receivedAt, nonces);
    rater = sealPerson(deps.config, person, id);
  }
  const row: Row = {
    id,
    chain_id: 0,
    seq: 0,
    receipt_no: newReceiptNo(),
    received_at: receivedAt,
    assessed_at: draft.assessedAt,
    assessed_day: beijingDay(draft.assessedAt),
    subject: draft.place?.kind ?? 'case_stage',
    case_stage_id: null,
    case_id: null,
    project_no: draft.place ? null : draft.projectNo,
    service_number: draft.place ? null : draft.serviceNumber,
    assess_number: draft.assessNumber,
    level: draft.level,
    indicator_version: draft.indicatorVersion ?? deps.catalogue.current,
    indicator_codes: draft.indicatorCodes,
    comment: draft.comment,
    channel: draft.channel,
    is_default: draft.isDefault,
    is_anonymous: draft.isAnonymous,
    region_code: '',
    org_id: '',
    item_id: null,
    window_id: null,
    staff_id: null,
    user_prop: draft.userProp,
    rater_pii: rater?.sealed ?? null,
    rater_pii_key_id: rater?.keyId ?? null,
    rater_masked: rater?.masked ?? null,
    rater_phone_lookup: rater?.phoneLookup ?? null,
    rater_cert_lookup: rater?.certLookup ?? null,
    source_app: request.sourceApp,
    client_id: draft.clientId,
  };
  return new Promise((resolve, reject) => lane.enqueue({ request, row, digest: requestDigest(deps.config, draft), resolve, reject }));
}

class Lane {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** The chain head as this lane last wrote it; null until known (the fast path needs it). */
  private head: Head | null = null;
  readonly stats: FlushStats = { fast: 0, full: 0 };

  constructor(
    private readonly deps: IntakeDeps,
    readonly chainId: number,
  ) {}

  get waiting(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  enqueue(pending: Pending): void {
    this.queue.push(pending);
    // Flush on the next turn of the event loop: everything that arrives in this turn joins the batch.
    this.running ??= new Promise<void>((done) => setImmediate(() => void this.run().finally(done)));
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Flushes one batch after another. The fast path reads the next batch's stages while the batch
   * before it is being written, so that a lane's flushes follow each other at the pace of the
   * write statement alone.
   */
  private async run(): Promise<void> {
    try {
      let flight = this.take();
      while (flight) {
        const current = flight;
        flight = null;
        await this.flushSafely(current.batch, current.stages, () => {
          flight = this.take();
        });
        flight ??= this.take();
      }
    } finally {
      this.running = null;
    }
  }

  /** The next batch from the queue, with its stage read already started when it may take the fast path. */
  private take(): Flight | null {
    if (this.queue.length === 0) return null;
    const batch = this.queue.splice(0, this.deps.config.intake.flushMaxRows);
    if (this.head === null || !fitsFastPath(batch)) return { batch, stages: null };
    const stages = readStages(this.deps.db, batch);
    // Awaited by the flush; a failure there sends the batch down the full path.
    stages.catch(() => undefined);
    return { batch, stages };
  }

  /** Writes a batch; `writing` is called once the batch's own reads are done and its write is under way. */
  private async flushSafely(batch: Pending[], stages: Promise<CaseStageRow[]> | null = null, writing: () => void = () => undefined): Promise<void> {
    const settle = (outcomes: IntakeOutcome[]) => batch.forEach((pending, i) => pending.resolve(outcomes[i] ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }));
    if (this.head !== null && stages !== null) {
      try {
        const fast = await fastFlush(this.deps, this.chainId, this.head, batch, await stages, writing);
        this.stats.fast++;
        this.head = fast.head;
        settle(fast.outcomes);
        return;
      } catch {
        // A claim that did not go as expected (a repeat, a rated stage, a replayed nonce, another
        // writer on this chain), or a failed read or statement: nothing was written; the full
        // path sorts it out, or fails each request on its own.
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcomes, head } = await this.deps.db.transaction().execute((trx) => flush(trx, this.deps, this.chainId, batch));
        this.stats.full++;
        this.head = head;
        settle(outcomes);
        return;
      } catch (error) {
        this.head = null;
        if (isRetryable(error) && attempt < 5) continue;
        if (batch.length > 1) {
          // One unexpected failure must not sink the others: write them one by one.
          for (const pending of batch) await this.flushSafely([pending]);
          return;
        }
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
  }
}

interface Flight {
  batch: Pending[];
  /** The batch's stages, being read for the fast path; null when the batch takes the full path. */
  stages: Promise<CaseStageRow[]> | null;
}

/** The fast path takes first evaluations of case stages, each idempotency key once. */
function fitsFastPath(batch: Pending[]): boolean {
  const keys = new Set(batch.map((p) => `${p.row.source_app}\u0000${p.row.client_id}`));
  return keys.size === batch.length && batch.every((p) => p.request.draft.assessNumber === 1 && !p.request.draft.place);
}

async function readStages(db: Kysely<DB>, batch: Pending[]): Promise<CaseStageRow[]> {
  const projectNos = [...new Set(batch.map((p) => p.request.draft.projectNo))];
  return (await sql<CaseStageRow>`${PREPARE_STAGES}${stagesOf(projectNos)}`.execute(db)).rows;
}

// Run at every flush: planned once per connection (src/db/database.ts).
const PREPARE_STAGES = sql.raw(prepared('intake_stages'));
const PREPARE_FAST_WRITE = sql.raw(prepared('intake_fast_write'));

/** The chain head, with the stages of the batch (none, when no case is known: then projectNo is null). */
type StageRow = Omit<CaseStageRow, 'projectNo'> & {
  projectNo: string | null;
  headSeq: number;
  headHash: Uint8Array;
};

interface Head {
  seq: number;
  hash: Buffer;
}

/**
 * The stages of the cases being rated: one row per stage, or one row with null stage columns for a
 * case without stages. Each case and its stages are probes of a unique index (OFFSET 0 keeps the
 * planner from turning them into a scan of every case, which it does for a long list, or when the
 * tables grew faster than their statistics), so the read costs the same at 10 thousand cases or
 * at 10 million.
 */
function stagesOf(projectNos: string[]) {
  return sql<CaseStageRow>`
    SELECT s.id AS "caseStageId", c.id AS "caseId", c.project_no AS "projectNo", s.service_number AS "serviceNumber",
      s.status, s.completed_at AS "completedAt", s.org_id AS "orgId", c.region_code AS "regionCode", r.path AS "regionPath",
      c.item_id AS "itemId", s.window_id AS "windowId", s.staff_id AS "staffId",
      (SELECT dept_code FROM org WHERE id = c.org_id) AS "caseDeptCode",
      CASE WHEN s.org_id <> c.org_id THEN (SELECT dept_code FROM org WHERE id = s.org_id) END AS "stageDeptCode"
    FROM unnest(${projectNos}::text[]) AS p(project_no)
    JOIN LATERAL (SELECT id, project_no, region_code, item_id, org_id FROM service_case WHERE project_no = p.project_no OFFSET 0) c ON true
    LEFT JOIN LATERAL (SELECT id, service_number, status, completed_at, org_id, window_id, staff_id FROM case_stage WHERE case_id = c.id OFFSET 0) s ON true
    JOIN region r ON r.code = c.region_code`;
}

/** A row of stagesOf: the stage columns are null for a case without stages. */
type CaseStageRow = Omit<StageFacts, 'caseStageId'> & { caseStageId: string | null } & Omit<CaseCodes, 'regionCode'>;

/** Known cases and their stages by `projectNo#serviceNumber`; rows without a case (the full path's head alone) are skipped. */
function indexStages(rows: ReadonlyArray<Omit<CaseStageRow, 'projectNo'> & { projectNo: string | null }>) {
  const stages = new Map<string, StageFacts & CaseCodes>();
  const knownCases = new Set<string>();
  for (const row of rows) {
    if (row.projectNo === null) continue;
    knownCases.add(row.projectNo);
    if (row.caseStageId !== null) stages.set(`${row.projectNo}#${row.serviceNumber}`, row as StageFacts & CaseCodes);
  }
  return { stages, knownCases };
}

/** What a window or staff rating takes from the catalog. */
interface PlaceFacts {
  orgId: string;
  regionCode: string;
  regionPath: string;
  windowId: string | null;
  staffId: string | null;
}

/** Windows and staff members being rated in a batch, by id. */
async function readPlaces(db: Kysely<DB> | Transaction<DB>, batch: Pending[]): Promise<Map<string, PlaceFacts>> {
  const places = batch.flatMap((p) => p.request.draft.place ?? []);
  const facts = new Map<string, PlaceFacts>();
  if (places.length === 0) return facts;
  const windowIds = places.filter((p) => p.kind === 'window').map((p) => p.id);
  const staffIds = places.filter((p) => p.kind === 'staff').map((p) => p.id);
  const rows = (
    await sql<PlaceFacts & { key: string }>`
      SELECT 'window:' || w.id AS key, w.org_id AS "orgId", o.region_code AS "regionCode", r.path AS "regionPath", w.id AS "windowId", NULL::uuid AS "staffId"
        FROM service_window w JOIN org o ON o.id = w.org_id JOIN region r ON r.code = o.region_code WHERE w.id = ANY(${windowIds}::uuid[])
      UNION ALL
      SELECT 'staff:' || st.id, st.org_id, o.region_code, r.path, st.window_id, st.id
        FROM staff st JOIN org o ON o.id = st.org_id JOIN region r ON r.code = o.region_code WHERE st.id = ANY(${staffIds}::uuid[])`.execute(db)
  ).rows;
  for (const { key, ...place } of rows) facts.set(key, place);
  return facts;
}

/** Rules against the stage (or the rated place); fills in what the ledger row takes from it. Returns the indexes that pass. */
function applyStageRules(batch: Pending[], stages: Map<string, StageFacts & CaseCodes>, knownCases: Set<string>, settings: RuleSettings, now: Date, outcomes: Array<IntakeOutcome | undefined>, places: Map<string, PlaceFacts> = new Map()): number[] {
  const passed: number[] = [];
  batch.forEach((pending, i) => {
    const { draft, scope } = pending.request;
    if (draft.place) {
      const place = places.get(`${draft.place.kind}:${draft.place.id}`);
      if (!place) {
        outcomes[i] = { status: 'refused', refusal: { code: draft.place.kind === 'window' ? 'WINDOW_UNKNOWN' : 'STAFF_UNKNOWN' } };
      } else if (!callerCovers(scope, { regionPath: place.regionPath, orgId: place.orgId })) {
        outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_OUT_OF_SCOPE' } };
      } else if (draft.assessedAt.getTime() < now.getTime() - settings.syncGraceDays * 86_400_000) {
        // No case, no rating window: only a plausible, recent assessment time.
        outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_TIME_INVALID', details: { reason: 'older than the sync grace' } } };
      } else {
        Object.assign(pending.row, { region_code: place.regionCode, org_id: place.orgId, window_id: place.windowId, staff_id: place.staffId });
        passed.push(i);
      }
      return;
    }
    const stage = stages.get(`${draft.projectNo}#${draft.serviceNumber}`);
    const refusal = checkAgainstStage(draft, stage, knownCases.has(draft.projectNo), settings, now);
    if (refusal || !stage) {
      outcomes[i] = { status: 'refused', refusal: refusal ?? { code: 'CASE_STAGE_NOT_FOUND' } };
      return;
    }
    if (!callerCovers(scope, { regionPath: stage.regionPath, orgId: stage.orgId })) {
      outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_OUT_OF_SCOPE', details: { projectNo: draft.projectNo } } };
      return;
    }
    // After the scope check: the registered codes are told only to a caller who may see the case.
    const mismatch = checkCaseCodes(draft, stage);
    if (mismatch) {
      outcomes[i] = { status: 'refused', refusal: mismatch };
      return;
    }
    Object.assign(pending.row, {
      case_stage_id: stage.caseStageId,
      case_id: stage.caseId,
      region_code: stage.regionCode,
      org_id: stage.orgId,
      item_id: stage.itemId,
      window_id: stage.windowId,
      staff_id: stage.staffId,
    });
    passed.push(i);
  });
  return passed;
}

function claimsJson(pendings: Pending[]): string {
  return JSON.stringify(
    pendings.map(({ row, digest }, i) => {
      return {
        i,
        source_app: row.source_app,
        client_id: row.client_id ?? '',
        evaluation_id: row.id,
        digest: digest.toString('hex'),
        case_stage_id: row.case_stage_id,
        assess_number: row.assess_number,
      };
    }),
  );
}

/** Chain the rows after `head`; returns the records with their hashes and the new head. */
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

function ticketsFor(deps: IntakeDeps, records: LedgerRecord[]) {
  return ticketOpenings(records, deps.calendar, deps.config.tickets);
}

/**
 * The common case (fitsFastPath) in two statements without an explicit transaction: the stages,
 * read by the caller, then one statement that claims nonces, keys and slots, appends to the chain,
 * counts and moves the head, and aborts as a whole (intake_require) unless every claim succeeded
 * and the head was where this lane left it; the batch then takes the full path.
 */
async function fastFlush(deps: IntakeDeps, chainId: number, head: Head, batch: Pending[], stageRows: CaseStageRow[], writing: () => void): Promise<{ outcomes: IntakeOutcome[]; head: Head }> {
  const outcomes: Array<IntakeOutcome | undefined> = new Array(batch.length);
  const now = deps.clock();
  const { stages, knownCases } = indexStages(stageRows);
  const passed = applyStageRules(batch, stages, knownCases, deps.config.rules, now, outcomes);
  // Every request's nonce is claimed, the refused ones' too (see refuseEarly).
  const nonces = batch.flatMap((p) => p.request.nonce ?? []);
  if (passed.length === 0 && nonces.length === 0) return { outcomes: outcomes.map((o) => o ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }), head };
  const chosen = passed.flatMap((i) => batch[i] ?? []);
  const chained = chainRecords(chosen, chainId, head);
  const tickets = ticketsFor(deps, chained.records);
  const written = sql`${PREPARE_FAST_WRITE}
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${claimsJson(chosen)}::jsonb)
        AS x(i int, source_app text, client_id text, evaluation_id uuid, digest text, case_stage_id uuid, assess_number smallint)
    ),
    nonces AS (
      INSERT INTO request_nonce (app_id, nonce, seen_at) SELECT "appId", nonce, ${now} FROM jsonb_to_recordset(${JSON.stringify(nonces)}::jsonb) AS n("appId" text, nonce text)
      ON CONFLICT DO NOTHING RETURNING 1
    ),
    keys AS (
      INSERT INTO intake_key (source_app, client_id, evaluation_id, request_digest, created_at)
      SELECT source_app, client_id, evaluation_id, decode(digest, 'hex'), ${now} FROM input
      ON CONFLICT DO NOTHING RETURNING 1
    ),
    slots AS (
      INSERT INTO evaluation_slot (case_stage_id, assess_number, evaluation_id) SELECT case_stage_id, assess_number, evaluation_id FROM input
      ON CONFLICT DO NOTHING RETURNING 1
    ),
    moved AS (
      UPDATE ledger_chain SET head_seq = ${chained.head.seq}, head_hash = ${chained.head.hash}
      WHERE chain_id = ${chainId} AND head_seq = ${head.seq} AND head_hash = ${head.hash} RETURNING 1
    ),
    verdict AS (
      SELECT intake_require(
        (SELECT count(*) FROM nonces) = ${nonces.length} AND (SELECT count(*) FROM keys) = ${passed.length}
        AND (SELECT count(*) FROM slots) = ${passed.length} AND (SELECT count(*) FROM moved) = 1) AS ok
    ),
    appended AS (
      INSERT INTO evaluation (${LEDGER_ROW_COLUMNS}) SELECT ${LEDGER_ROW_VALUES} FROM jsonb_array_elements(${chained.rowsJson}::jsonb) AS x(r), verdict WHERE verdict.ok
    ),
    counted AS (
      INSERT INTO evaluation_counter SELECT c.* FROM jsonb_populate_recordset(NULL::evaluation_counter, ${chained.countsJson}::jsonb) c, verdict WHERE verdict.ok
      ON CONFLICT ON CONSTRAINT evaluation_counter_key DO UPDATE SET count = evaluation_counter.count + excluded.count
    )${openTicketsCtes(tickets, { from: sql`verdict`, where: sql`verdict.ok` })}
    SELECT ok FROM verdict`.execute(deps.db);
  writing();
  await written;
  passed.forEach((i, k) => {
    const record = chained.records[k];
    if (record) outcomes[i] = { status: 'stored', evaluation: present(record) };
  });
  return { outcomes: outcomes.map((o) => o ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }), head: chained.head };
}

/**
 * The full path, in one transaction: lock the chain head, read the stages, claim what can be
 * claimed and sort out repeats, rated stages, replayed nonces and follow-ups, then append.
 */
async function flush(trx: Transaction<DB>, deps: IntakeDeps, chainId: number, batch: Pending[]): Promise<{ outcomes: IntakeOutcome[]; head: Head }> {
  const outcomes: Array<IntakeOutcome | undefined> = new Array(batch.length);
  const now = deps.clock();
  const at = (i: number): Pending => {
    const pending = batch[i];
    if (!pending) throw new Error(`no pending request ${i}`);
    return pending;
  };

  // 1. Lock this writer's chain head and read the case stages being rated, in one statement.
  const projectNos = [...new Set(batch.map((p) => p.request.draft.projectNo))];
  const stageRows = (
    await sql<StageRow>`
      WITH head AS (SELECT head_seq, head_hash FROM ledger_chain WHERE chain_id = ${chainId} FOR UPDATE),
      stages AS (${stagesOf(projectNos)})
      SELECT head.head_seq AS "headSeq", head.head_hash AS "headHash", stages.* FROM head LEFT JOIN stages ON true`.execute(trx)
  ).rows;
  const headRow = stageRows[0];
  if (!headRow) throw new Error(`ledger chain ${chainId} does not exist`);
  let head: Head = { seq: headRow.headSeq, hash: Buffer.from(headRow.headHash) };
  const { stages, knownCases } = indexStages(stageRows);

  // 2. Rules against the stage.
  let candidates = applyStageRules(batch, stages, knownCases, deps.config.rules, now, outcomes, await readPlaces(trx, batch));

  // Every request's nonce is claimed, the refused ones' too (see refuseEarly), before anything
  // else is claimed, so that a replay is refused whatever it repeats. The same nonce twice in one
  // batch (a replay racing its original): only the first may claim it.
  const nonceHolders = new Set<string>();
  const withNonce: number[] = [];
  batch.forEach(({ request: { nonce } }, i) => {
    if (!nonce) return;
    const key = `${nonce.appId}\u0000${nonce.nonce}`;
    if (!nonceHolders.has(key)) {
      nonceHolders.add(key);
      withNonce.push(i);
    } else {
      outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_NONCE_REPLAYED', details: { nonce: nonce.nonce } } };
    }
  });
  candidates = candidates.filter((i) => outcomes[i] === undefined);
  if (withNonce.length > 0) {
    const nonces = withNonce.flatMap((i) => at(i).request.nonce ?? []);
    const fresh = await trx
      .insertInto('request_nonce')
      .values(nonces.map((n) => ({ app_id: n.appId, nonce: n.nonce, seen_at: now })))
      .onConflict((oc) => oc.doNothing())
      .returning(['app_id', 'nonce'])
      .execute();
    // App ids and nonces have no spaces (signature.ts), so 'app nonce' names a claim exactly.
    const claimed = new Set(fresh.map((n) => `${n.app_id} ${n.nonce}`));
    const replayed = new Set(withNonce.filter((i) => !claimed.has(`${at(i).request.nonce?.appId} ${at(i).request.nonce?.nonce}`)));
    for (const i of replayed) outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_NONCE_REPLAYED', details: { nonce: at(i).request.nonce?.nonce } } };
    candidates = candidates.filter((i) => !replayed.has(i));
  }

  // 3. Idempotency. Within the batch the first request with a key leads; repeats follow it.
  const leaders = new Map<string, number>();
  const followers: Array<[number, number]> = [];
  for (const i of candidates) {
    const key = `${at(i).row.source_app}\u0000${at(i).row.client_id}`;
    const leader = leaders.get(key);
    if (leader === undefined) leaders.set(key, i);
    else followers.push([i, leader]);
  }
  candidates = [...leaders.values()];
  // 4. In one statement: claim idempotency keys and case-stage slots (one evaluation per stage and
  //    assessment number). A request whose key is taken claims no slot.
  if (candidates.length > 0) {
    const claimed = (
      await sql<{ kind: 'key' | 'slot'; id: string }>`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${claimsJson(candidates.map(at))}::jsonb)
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
        )
        SELECT 'key' AS kind, evaluation_id::text AS id FROM keys
        UNION ALL SELECT 'slot', evaluation_id::text FROM slots`.execute(trx)
    ).rows;
    const keyed = new Set(claimed.filter((c) => c.kind === 'key').map((c) => c.id));
    const slotted = new Set(claimed.filter((c) => c.kind === 'slot').map((c) => c.id));

    const lostKeys: number[] = [];
    const refused: number[] = [];
    for (const i of candidates) {
      const { row } = at(i);
      if (!keyed.has(row.id)) {
        lostKeys.push(i);
      } else if (!slotted.has(row.id) && row.case_stage_id !== null) {
        outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_ALREADY_EXISTS', details: { projectNo: row.project_no, serviceNumber: row.service_number, assessNumber: row.assess_number } } };
        refused.push(i);
      }
    }
    if (lostKeys.length > 0) await resolveRepeats(trx, lostKeys.map((i) => [i, at(i)]), outcomes);
    // Place ratings claim no slot: one window may be rated by many people.
    candidates = candidates.filter((i) => slotted.has(at(i).row.id) || (at(i).row.case_stage_id === null && keyed.has(at(i).row.id)));

    // A follow-up needs a first evaluation, stored before or in this batch.
    const followUps = candidates.filter((i) => at(i).row.assess_number === 2);
    if (followUps.length > 0) {
      const firsts = await trx
        .selectFrom('evaluation_slot')
        .select('case_stage_id')
        .where('assess_number', '=', 1)
        .where('case_stage_id', 'in', followUps.map((i) => at(i).row.case_stage_id ?? ''))
        .execute();
      const rated = new Set(firsts.map((f) => f.case_stage_id));
      const orphans = followUps.filter((i) => !rated.has(at(i).row.case_stage_id ?? ''));
      for (const i of orphans) outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_FOLLOW_UP_WITHOUT_FIRST' } };
      if (orphans.length > 0) {
        await trx.deleteFrom('evaluation_slot').where('evaluation_id', 'in', orphans.map((i) => at(i).row.id)).execute();
        candidates = candidates.filter((i) => !orphans.includes(i));
        refused.push(...orphans);
      }
    }
    // Refused requests give their idempotency key back: a corrected retry may use it.
    if (refused.length > 0) await trx.deleteFrom('intake_key').where('evaluation_id', 'in', refused.map((i) => at(i).row.id)).execute();
  }

  // 5. Append to the chain, count, and move the head: one statement.
  if (candidates.length > 0) {
    const chained = chainRecords(candidates.map(at), chainId, head);
    const tickets = ticketsFor(deps, chained.records);
    await sql`
      WITH appended AS (
        INSERT INTO evaluation (${LEDGER_ROW_COLUMNS}) SELECT ${LEDGER_ROW_VALUES} FROM jsonb_array_elements(${chained.rowsJson}::jsonb) AS x(r)
      ),
      counted AS (
        INSERT INTO evaluation_counter SELECT * FROM jsonb_populate_recordset(NULL::evaluation_counter, ${chained.countsJson}::jsonb)
        ON CONFLICT ON CONSTRAINT evaluation_counter_key DO UPDATE SET count = evaluation_counter.count + excluded.count
      )${openTicketsCtes(tickets, null)}
      UPDATE ledger_chain SET head_seq = ${chained.head.seq}, head_hash = ${chained.head.hash} WHERE chain_id = ${chainId}`.execute(trx);
    candidates.forEach((i, k) => {
      const record = chained.records[k];
      if (record) outcomes[i] = { status: 'stored', evaluation: present(record) };
    });
    head = chained.head;
  }

  for (const [i, leader] of followers) {
    const leaderOutcome = outcomes[leader];
    const same = equalBytes(at(i).digest, at(leader).digest);
    outcomes[i] =
      leaderOutcome?.status === 'stored' || leaderOutcome?.status === 'duplicate'
        ? same
          ? { status: 'duplicate', evaluation: leaderOutcome.evaluation }
          : { status: 'refused', refusal: { code: at(i).request.draft.derivedKey ? 'EVALUATION_ALREADY_EXISTS' : 'IDEMPOTENCY_KEY_REUSED' } }
        : (leaderOutcome ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } });
  }
  return { outcomes: outcomes.map((o) => o ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }), head };
}

/** Requests whose key was stored before: the original evaluation if the content is the same. */
async function resolveRepeats(trx: Transaction<DB>, repeats: Array<[number, Pending]>, outcomes: Array<IntakeOutcome | undefined>): Promise<void> {
  const existing = await trx
    .selectFrom('intake_key as k')
    .innerJoin('evaluation as e', 'e.id', 'k.evaluation_id')
    .select(['k.source_app', 'k.client_id', 'k.request_digest', 'e.id', 'e.receipt_no', 'e.project_no', 'e.service_number', 'e.assess_number', 'e.level', 'e.channel', 'e.is_default', 'e.received_at', 'e.chain_id', 'e.seq', 'e.hash'])
    .where((eb) => eb(eb.refTuple('k.source_app', 'k.client_id'), 'in', repeats.map(([, p]) => eb.tuple(p.row.source_app, p.row.client_id ?? ''))))
    .execute();
  const byKey = new Map(existing.map((e) => [`${e.source_app}\u0000${e.client_id}`, e]));
  for (const [i, pending] of repeats) {
    const original = byKey.get(`${pending.row.source_app}\u0000${pending.row.client_id}`);
    if (!original) {
      // The key's holder committed no evaluation (it was refused and gave the key back between our
      // statements): ask the caller to retry rather than guess.
      outcomes[i] = { status: 'refused', refusal: { code: 'SERVICE_UNAVAILABLE', details: { retry: true } } };
    } else if (equalBytes(original.request_digest, pending.digest)) {
      outcomes[i] = { status: 'duplicate', evaluation: present(original) };
    } else {
      outcomes[i] = { status: 'refused', refusal: { code: pending.request.draft.derivedKey ? 'EVALUATION_ALREADY_EXISTS' : 'IDEMPOTENCY_KEY_REUSED' } };
    }
  }
}
