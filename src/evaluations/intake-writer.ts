// Evaluation intake with group commit. Requests that arrive while a flush is running are collected
// and written together in the next flush (up to INTAKE_FLUSH_MAX_ROWS), in one transaction that
// claims idempotency keys and case-stage slots, appends to this writer's hash chain and updates the
// counters; every request is answered only after its flush has committed.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay, type Clock } from '../clock.ts';
import { callerCovers, type Scope } from '../auth/policy.ts';
import type { Config } from '../config/config.ts';
import { equalBytes, hmacSm3 } from '../crypto/sm.ts';
import type { DB, EvaluationTable } from '../db/schema.ts';
import type { Refusal } from '../errors.ts';
import { addToCounters, countEvaluations } from '../aggregates/counters.ts';
import { chainHash, type LedgerRecord } from '../ledger/canonical.ts';
import { advanceHead, claimChain, lockHead, releaseChain, renewLease } from '../ledger/chains.ts';
import { normalizePerson } from '../pii/person.ts';
import { sealPerson } from '../pii/vault.ts';
import type { EvaluationDraft } from './draft.ts';
import type { IndicatorCatalogue } from './indicators.ts';
import { checkAgainstStage, checkDraft, type RuleSettings, type StageFacts } from './rules.ts';


export interface IntakeRequest {
  draft: EvaluationDraft;
  sourceApp: string;
  scope: Scope;
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

export interface IntakeWriter {
  submit(requests: IntakeRequest[]): Promise<IntakeOutcome[]>;
  readonly chainIds: number[];
  close(): Promise<void>;
}

export interface IntakeDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  catalogue: IndicatorCatalogue;
  /** Identifies this process in chain leases. */
  owner: string;
}

type Row = Omit<LedgerRecord, 'chain_id' | 'seq'>;

interface Pending {
  request: IntakeRequest;
  row: Row;
  digest: Buffer;
  resolve(outcome: IntakeOutcome): void;
  reject(error: unknown): void;
}

const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 12 characters of Crockford base32 (60 random bits), grouped for reading aloud: 'K7Q2-9XMD-3FPA'. */
export function newReceiptNo(): string {
  const bytes = randomBytes(12);
  let text = '';
  for (let i = 0; i < 12; i++) text += RECEIPT_ALPHABET[(bytes[i] ?? 0) & 31];
  return `${text.slice(0, 4)}-${text.slice(4, 8)}-${text.slice(8)}`;
}

function ruleSettings(config: Config): RuleSettings {
  return config.rules;
}

/** Keyed, so that the stored digest reveals nothing about the personal data in the request. */
function requestDigest(config: Config, draft: EvaluationDraft): Buffer {
  const { clientId: _clientId, derivedKey: _derived, ...content } = draft;
  return hmacSm3(config.pii.lookupKey, 'intake', JSON.stringify({ ...content, assessedAt: draft.assessedAt.toISOString() }));
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
  let next = 0;
  const renewal = setInterval(() => {
    for (const lane of lanes) void renewLease(deps.db, lane.chainId, deps.owner, deps.clock()).catch(() => undefined);
  }, 20_000);
  renewal.unref();

  return {
    chainIds: lanes.map((l) => l.chainId),
    async submit(requests) {
      const receivedAt = deps.clock();
      const outcomes: Array<Promise<IntakeOutcome>> = [];
      const lane = lanes[next++ % lanes.length];
      if (!lane) throw new Error('intake writer has no lanes');
      for (const request of requests) outcomes.push(prepare(deps, request, receivedAt, lane));
      return Promise.all(outcomes);
    },
    async close() {
      clearInterval(renewal);
      await Promise.all(lanes.map((lane) => lane.drain()));
      for (const lane of lanes) await releaseChain(deps.db, lane.chainId, deps.owner);
    },
  };
}

/** Stateless checks and sealing happen before queueing, so a flush only does what needs the database. */
function prepare(deps: IntakeDeps, request: IntakeRequest, receivedAt: Date, lane: Lane): Promise<IntakeOutcome> {
  const { draft } = request;
  const refusal = checkDraft(draft, deps.catalogue, ruleSettings(deps.config), receivedAt);
  if (refusal) return Promise.resolve({ status: 'refused', refusal });
  const id = uuidv7();
  let rater: ReturnType<typeof sealPerson> | null = null;
  if (draft.rater) {
    const person = normalizePerson(draft.rater);
    if ('problem' in person) return Promise.resolve({ status: 'refused', refusal: { code: 'PII_INVALID', details: { field: person.problem } } });
    rater = sealPerson(deps.config, person, id);
  }
  const row: Row = {
    id,
    receipt_no: newReceiptNo(),
    received_at: receivedAt,
    assessed_at: draft.assessedAt,
    assessed_day: beijingDay(draft.assessedAt),
    subject: 'case_stage',
    case_stage_id: null,
    case_id: null,
    project_no: draft.projectNo,
    service_number: draft.serviceNumber,
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

  constructor(
    private readonly deps: IntakeDeps,
    readonly chainId: number,
  ) {}

  enqueue(pending: Pending): void {
    this.queue.push(pending);
    // Flush on the next turn of the event loop: everything that arrives in this turn joins the batch.
    this.running ??= new Promise<void>((done) => setImmediate(() => void this.run().finally(done)));
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.deps.config.intake.flushMaxRows);
        await this.flushSafely(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async flushSafely(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await this.deps.db.transaction().execute((trx) => flush(trx, this.deps, this.chainId, batch));
        batch.forEach((pending, i) => pending.resolve(outcomes[i] ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }));
        return;
      } catch (error) {
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

async function flush(trx: Transaction<DB>, deps: IntakeDeps, chainId: number, batch: Pending[]): Promise<IntakeOutcome[]> {
  const outcomes: Array<IntakeOutcome | undefined> = new Array(batch.length);
  const settings = ruleSettings(deps.config);
  const now = deps.clock();

  // 1. The case stages being rated, with where they sit.
  const projectNos = [...new Set(batch.map((p) => p.request.draft.projectNo))];
  const stageRows = await trx
    .selectFrom('case_stage as s')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .innerJoin('region as r', 'r.code', 'c.region_code')
    .select([
      's.id as caseStageId',
      'c.id as caseId',
      'c.project_no as projectNo',
      's.service_number as serviceNumber',
      's.status as status',
      's.completed_at as completedAt',
      's.org_id as orgId',
      'c.region_code as regionCode',
      'r.path as regionPath',
      'c.item_id as itemId',
      's.window_id as windowId',
      's.staff_id as staffId',
    ])
    .where('c.project_no', 'in', projectNos)
    .execute();
  const stages = new Map<string, StageFacts>(stageRows.map((s) => [`${s.projectNo}#${s.serviceNumber}`, s]));
  const knownCases = new Set(stageRows.map((s) => s.projectNo));

  // 2. Rules against the stage; fill in what the ledger row takes from the case.
  let candidates: number[] = [];
  batch.forEach((pending, i) => {
    const { draft, scope } = pending.request;
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
    Object.assign(pending.row, {
      case_stage_id: stage.caseStageId,
      case_id: stage.caseId,
      region_code: stage.regionCode,
      org_id: stage.orgId,
      item_id: stage.itemId,
      window_id: stage.windowId,
      staff_id: stage.staffId,
    });
    candidates.push(i);
  });

  // 3. Idempotency. Within the batch the first request with a key leads; repeats follow it.
  const leaders = new Map<string, number>();
  const followers: Array<[number, number]> = [];
  for (const i of candidates) {
    const key = `${batch[i]?.row.source_app}\u0000${batch[i]?.row.client_id}`;
    const leader = leaders.get(key);
    if (leader === undefined) leaders.set(key, i);
    else followers.push([i, leader]);
  }
  candidates = [...leaders.values()];
  const at = (i: number): Pending => {
    const pending = batch[i];
    if (!pending) throw new Error(`no pending request ${i}`);
    return pending;
  };
  if (candidates.length > 0) {
    const claimed = await trx
      .insertInto('intake_key')
      .values(candidates.map((i) => ({ source_app: at(i).row.source_app, client_id: at(i).row.client_id ?? '', evaluation_id: at(i).row.id, request_digest: at(i).digest, created_at: now })))
      .onConflict((oc) => oc.columns(['source_app', 'client_id']).doNothing())
      .returning('evaluation_id')
      .execute();
    const won = new Set(claimed.map((c) => c.evaluation_id));
    const lost = candidates.filter((i) => !won.has(at(i).row.id));
    if (lost.length > 0) await resolveRepeats(trx, lost.map((i) => [i, at(i)]), outcomes);
    candidates = candidates.filter((i) => won.has(at(i).row.id));
  }

  // 4. One evaluation per case stage and assessment number.
  if (candidates.length > 0) {
    const slots = await trx
      .insertInto('evaluation_slot')
      .values(candidates.map((i) => ({ case_stage_id: at(i).row.case_stage_id ?? '', assess_number: at(i).row.assess_number, evaluation_id: at(i).row.id })))
      .onConflict((oc) => oc.columns(['case_stage_id', 'assess_number']).doNothing())
      .returning('evaluation_id')
      .execute();
    const won = new Set(slots.map((s) => s.evaluation_id));
    const refused: number[] = [];
    for (const i of candidates) {
      if (!won.has(at(i).row.id)) {
        outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_ALREADY_EXISTS', details: { projectNo: at(i).row.project_no, serviceNumber: at(i).row.service_number, assessNumber: at(i).row.assess_number } } };
        refused.push(i);
      }
    }
    candidates = candidates.filter((i) => won.has(at(i).row.id));

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

  // 5. Append to the chain, count, move the head.
  if (candidates.length > 0) {
    const head = await lockHead(trx, chainId);
    const records: Array<LedgerRecord & { hash: Buffer }> = [];
    for (const i of candidates) {
      const record: LedgerRecord = { ...at(i).row, chain_id: chainId, seq: head.seq + 1 };
      const hash = chainHash(record, head.hash);
      head.seq = record.seq;
      head.hash = hash;
      records.push({ ...record, hash });
    }
    await trx
      .insertInto('evaluation')
      .values(records.map((r) => ({ ...r, rater_masked: r.rater_masked === null ? null : JSON.stringify(r.rater_masked) })))
      .execute();
    await addToCounters(trx, countEvaluations(records));
    await advanceHead(trx, head);
    candidates.forEach((i, k) => {
      const record = records[k];
      if (record) outcomes[i] = { status: 'stored', evaluation: present(record) };
    });
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
  return outcomes.map((o) => o ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } });
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
