// A request on its way through intake, what intake works with, and what a request is answered.
import type { Kysely } from 'kysely';
import type { Scope } from '../auth/policy.ts';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB, EvaluationTable } from '../db/schema.ts';
import type { Refusal } from '../errors.ts';
import type { DeferredNonce } from '../http/caller.ts';
import type { LedgerRecord } from '../ledger/canonical.ts';
import type { EvaluationDraft } from './draft.ts';
import type { IndicatorCatalogue } from './indicators.ts';
import type { IntakeLog } from './intake-stats.ts';

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

export interface IntakeDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  catalogue: IndicatorCatalogue;
  /** For the deadlines of the tickets that bad evaluations open. */
  calendar: WorkingDayCalendar;
  /** Identifies this process in chain leases. */
  owner: string;
  /** Where failures the writer gets over by itself are logged; by default a pino logger at warn level on stderr. */
  log?: IntakeLog;
  /** How often the chain leases are renewed; 20 s unless a test needs it sooner. */
  leaseRenewalMs?: number;
}

/** The ledger record in the making: chain_id and seq are set, in place, when the row is chained. */
export type Row = LedgerRecord;

/** A request queued on a lane: checked, sealed and made into its ledger row, waiting for its flush. */
export interface Pending {
  request: IntakeRequest;
  row: Row;
  digest: Buffer;
  resolve(outcome: IntakeOutcome): void;
  reject(error: unknown): void;
}

/** The outcomes of a flush by request: a request the flush somehow left unanswered fails on its own. */
export type Outcomes = Array<IntakeOutcome | undefined>;

export function answered(outcomes: Outcomes): IntakeOutcome[] {
  return outcomes.map((o) => o ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } });
}

export function present(row: Pick<EvaluationTable, 'id' | 'receipt_no' | 'project_no' | 'service_number' | 'assess_number' | 'level' | 'channel' | 'is_default' | 'chain_id' | 'seq'> & { received_at: Date; hash: Uint8Array }): StoredEvaluation {
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
