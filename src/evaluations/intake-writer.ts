// Evaluation intake: checks what needs no database, seals personal data and makes each request's
// ledger row, then queues it on a writer lane (src/evaluations/intake-lane.ts), which writes it
// with the others that arrived meanwhile. See docs/ledger.md; the parts:
//   intake-lane.ts     group commit, the fast path and the fall-back to the full path
//   intake-facts.ts    the stages or places being rated, read, and the rules applied to them
//   intake-fast.ts     the fast path; intake-full.ts the full path, in one transaction
//   intake-write.ts    the claims and the one write statement both paths use
//   intake-repeats.ts  idempotency replies; intake-leases.ts chain leases; intake-stats.ts counts
import { randomFillSync } from 'node:crypto';
import { pino } from 'pino';
import { uuidv7 } from 'uuidv7';
import { createNonceClaimer, type NonceClaimer } from '../auth/nonces.ts';
import { beijingDay } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { hmacSm3 } from '../crypto/sm.ts';
import type { Refusal } from '../errors.ts';
import { claimChain, releaseChain } from '../ledger/chains.ts';
import { normalizePerson } from '../pii/person.ts';
import { sealPerson } from '../pii/vault.ts';
import type { EvaluationDraft } from './draft.ts';
import type { IndicatorCatalogue } from './indicators.ts';
import { Lane } from './intake-lane.ts';
import { startLeaseRenewal } from './intake-leases.ts';
import type { IntakeDeps, IntakeOutcome, IntakeRequest, Row } from './intake-request.ts';
import { addStats, noStats, type IntakeLog, type IntakeStats } from './intake-stats.ts';
import { checkDraft } from './rules.ts';

export interface IntakeWriter {
  submit(requests: IntakeRequest[]): Promise<IntakeOutcome[]>;
  readonly chainIds: number[];
  /** The indicator sets the writer checks against (immutable once published). */
  readonly catalogue: IndicatorCatalogue;
  /** Flushes by path, and the failures the writer got over by itself (each also logged). */
  stats(): IntakeStats;
  close(): Promise<void>;
}

const SMALL_SUBMISSION = 10;
const LEASE_RENEWAL_MS = 20_000;

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

export async function startIntakeWriter(deps: IntakeDeps): Promise<IntakeWriter> {
  const log: IntakeLog = deps.log ?? pino({ level: 'warn', base: { service: 'hcp', part: 'intake' } }, pino.destination(2));
  const lanes: Lane[] = [];
  for (let i = 0; i < deps.config.intake.writers; i++) {
    const chainId = await claimChain(deps.db, deps.owner, deps.clock());
    lanes.push(new Lane(deps, log, chainId));
  }
  // Spends the nonces of requests refused before they reach a flush (a flush claims its own).
  const nonces = createNonceClaimer(deps.db);
  const leaseStats = noStats();
  const renewal = startLeaseRenewal({ db: deps.db, clock: deps.clock, owner: deps.owner, log }, lanes.map((l) => l.chainId), deps.leaseRenewalMs ?? LEASE_RENEWAL_MS, leaseStats);

  return {
    chainIds: lanes.map((l) => l.chainId),
    catalogue: deps.catalogue,
    stats: () => lanes.reduce((sum, l) => addStats(sum, l.stats), addStats(noStats(), leaseStats)),
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
      renewal.stop();
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
