// Row types of the tables, as Kysely sees them. Kept by hand beside the migrations.
import type { ColumnType, Generated } from 'kysely';
import type { TicketState } from '../tickets/state-machine.ts';

type Timestamp = ColumnType<Date, Date, Date>;
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;
type Json<T> = ColumnType<T, string, string>;

export interface MaskedPerson {
  name?: string;
  phone?: string;
  certNo?: string;
}

export interface RegionTable {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
  path: string;
}

export interface OrgTable {
  id: string;
  dept_code: string;
  name: string;
  kind: 'department' | 'hall' | 'center' | 'other';
  region_code: string;
  parent_id: string | null;
  created_at: Timestamp;
}

export interface ServiceItemTable {
  id: string;
  task_code: string;
  name: string;
  item_type: string;
  org_id: string;
  region_code: string;
  created_at: Timestamp;
}

export interface ServiceWindowTable {
  id: string;
  org_id: string;
  code: string;
  name: string;
  created_at: Timestamp;
}

export interface StaffTable {
  id: string;
  org_id: string;
  window_id: string | null;
  staff_no: string;
  name: string;
  created_at: Timestamp;
}

export interface IndicatorTable {
  version: string;
  code: string;
  name_zh: string;
  name_en: string;
  scope: 'online' | 'offline' | 'any';
  levels: number[];
}

export interface ServiceCaseTable {
  id: string;
  project_no: string;
  item_id: string;
  org_id: string;
  region_code: string;
  pro_status: number;
  accept_at: Date | null;
  result_at: Date | null;
  promise_at: Date | null;
  user_prop: number | null;
  applicant_pii: Uint8Array | null;
  applicant_pii_key_id: string | null;
  applicant_masked: Json<MaskedPerson> | null;
  applicant_phone_lookup: Uint8Array | null;
  applicant_cert_lookup: Uint8Array | null;
  data_source: string | null;
  source_app: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CaseStageTable {
  id: string;
  case_id: string;
  service_number: number;
  name: string | null;
  status: number;
  completed_at: Date | null;
  org_id: string;
  window_id: string | null;
  staff_id: string | null;
}

export interface LedgerChainTable {
  chain_id: number;
  head_seq: number;
  head_hash: Bytes;
  created_at: Timestamp;
  lease_owner: string | null;
  lease_until: Date | null;
}

export interface EvaluationTable {
  id: string;
  chain_id: number;
  seq: number;
  hash: Bytes;
  receipt_no: string;
  received_at: Timestamp;
  assessed_at: Timestamp;
  assessed_day: string;
  subject: 'case_stage' | 'window' | 'staff';
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
  rater_masked: Json<MaskedPerson> | null;
  rater_phone_lookup: Uint8Array | null;
  rater_cert_lookup: Uint8Array | null;
  source_app: string;
  client_id: string | null;
}

export type EvaluationFlagKind = 'appeal_upheld' | 'fraud_suspected' | 'fraud_confirmed' | 'fraud_cleared' | 'risk_held' | 'superseded';

export interface EvaluationEventTable {
  id: string;
  evaluation_id: string;
  kind: EvaluationFlagKind;
  reason: string;
  actor: string;
  at: Timestamp;
}

export interface EvaluationSlotTable {
  case_stage_id: string;
  assess_number: number;
  evaluation_id: string;
}

export interface IntakeKeyTable {
  source_app: string;
  client_id: string;
  evaluation_id: string;
  request_digest: Bytes;
  created_at: Timestamp;
}

export interface EvaluationCounterTable {
  day: string;
  region_code: string;
  org_id: string;
  item_id: string | null;
  channel: string;
  level: number;
  is_default: boolean;
  subject: string;
  count: number;
}

export interface PiiAccessLogTable {
  id: string;
  at: Timestamp;
  actor: string;
  actor_role: string;
  purpose: string;
  subject_table: string;
  subject_id: string;
  fields: string[];
}

export interface IntegratorAppTable {
  app_id: string;
  name: string;
  secret_enc: Bytes;
  secret_key_id: string;
  region_code: string;
  org_id: string | null;
  channel_profile: 'national' | 'sms-six';
  active: boolean;
  created_at: Timestamp;
}

export interface RequestNonceTable {
  app_id: string;
  nonce: string;
  seen_at: Timestamp;
}

export type StaffRole = 'province_admin' | 'city_admin' | 'org_handler' | 'supervisor';

export interface StaffAccountTable {
  id: string;
  username: string;
  password_hash: string;
  display_name: string;
  role: StaffRole;
  scope_region_code: string | null;
  scope_org_id: string | null;
  active: boolean;
  created_at: Timestamp;
  email: ColumnType<string | null, string | null | undefined, string | null>;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface StaffSessionTable {
  token_hash: Bytes;
  account_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface TicketTable {
  id: string;
  evaluation_id: string;
  receipt_no: string;
  case_stage_id: string | null;
  org_id: string;
  region_code: string;
  region_path: string;
  /** The evaluation's region (the case's area), where the figures count the ticket. */
  evaluation_region_code: string;
  level: number;
  channel: string;
  evaluated_at: Timestamp;
  opened_day: string;
  opened_verify_due_at: Timestamp;
  opened_reply_due_at: Timestamp;
  state: TicketState;
  version: number;
  verify_due_at: Timestamp;
  verify_done_at: Timestamp | null;
  reply_due_at: Timestamp;
  reply_done_at: Timestamp | null;
  extension_state: 'requested' | 'granted' | 'refused' | null;
  extension_days: number | null;
  appeal_kind: 'mistaken' | 'malicious' | null;
  appeal_state: 'pending' | 'upheld' | 'refused' | null;
  appeal_due_at: Timestamp | null;
  appeal_decided_at: Timestamp | null;
  escalated: Array<'verify' | 'reply' | 'appeal'>;
  reopen_count: number;
  last_callback: 'satisfied' | 'basically_satisfied' | 'unsatisfied' | null;
  callback_at: Timestamp | null;
  voided_from: TicketState | null;
  voided_at: Timestamp | null;
  last_reply_at: Timestamp | null;
  updated_at: Timestamp;
  watch_done: string[];
  /** Working-day deadlines counted beyond the known calendar (src/calendar/statutory-holidays.ts). */
  provisional_deadlines: ColumnType<Array<'verify' | 'appeal'>, Array<'verify' | 'appeal'> | undefined, Array<'verify' | 'appeal'>>;
}

/** A file kept elsewhere, by reference (the original attachment; inspections and bulletins use only these). */
export interface AttachmentRef {
  name: string;
  uri: string;
  sha256?: string;
}

/** An evidence file kept in evidence_file, as a ticket event records it (src/evidence/). */
export interface EvidenceAttachmentRef {
  name: string;
  /** SM3 hex of the bytes: the key of evidence_file. */
  evidence: string;
  mediaType: EvidenceMediaType;
  size: number;
}

export type TicketAttachmentRef = AttachmentRef | EvidenceAttachmentRef;

export interface TicketEventTable {
  ticket_id: string;
  seq: number;
  type: string;
  payload: Json<Record<string, unknown>>;
  actor_role: 'handler' | 'supervisor' | 'system' | 'rater';
  actor_id: string;
  at: Timestamp;
  note: string | null;
  attachments: Json<TicketAttachmentRef[]>;
}

export interface ScheduledJobTable {
  id: string;
  kind: string;
  subject_id: string;
  due_at: Timestamp;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
  done_at: Timestamp | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}

export interface NotificationTable {
  id: string;
  account_id: string;
  kind: string;
  ticket_id: string | null;
  params: Json<Record<string, unknown>>;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface OutboundMessageTable {
  id: string;
  channel: 'sms' | 'email';
  recipient_kind: 'rater' | 'account' | 'applicant';
  recipient_id: string;
  purpose: string;
  subject: string | null;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  gateway_ref: string | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface RatingLinkTable {
  id: string;
  short_code: string;
  case_stage_id: string;
  staff_id: string | null;
  channel: string;
  source_app: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  proof: ColumnType<RatingProof, RatingProof | undefined, RatingProof>;
  device_id: string | null;
  rate_by: Timestamp | null;
}

export interface RatingInvitationTable {
  case_stage_id: string;
  case_id: string;
  link_id: string;
  message_id: string;
  phone_lookup: Bytes;
  sent_at: Timestamp;
  expires_at: Timestamp;
}

export type HotlineSmsOutcome = 'rated' | 'invalid' | 'no_pending' | 'unknown_sender' | 'unsubscribed';

export interface HotlineSmsTable {
  source_app: string;
  message_id: string;
  received_at: Timestamp;
  phone_lookup: Bytes;
  outcome: HotlineSmsOutcome;
  case_stage_id: string | null;
  evaluation_id: string | null;
  reply_id: string | null;
}

export interface SmsOptOutTable {
  phone_lookup: Bytes;
  at: Timestamp;
}

export interface DB {
  region: RegionTable;
  org: OrgTable;
  service_item: ServiceItemTable;
  service_window: ServiceWindowTable;
  staff: StaffTable;
  indicator: IndicatorTable;
  service_case: ServiceCaseTable;
  case_stage: CaseStageTable;
  ledger_chain: LedgerChainTable;
  evaluation: EvaluationTable;
  evaluation_event: EvaluationEventTable;
  evaluation_slot: EvaluationSlotTable;
  ticket: TicketTable;
  ticket_event: TicketEventTable;
  scheduled_job: ScheduledJobTable;
  notification: NotificationTable;
  outbound_message: OutboundMessageTable;
  rating_link: RatingLinkTable;
  intake_key: IntakeKeyTable;
  evaluation_counter: EvaluationCounterTable;
  pii_access_log: PiiAccessLogTable;
  integrator_app: IntegratorAppTable;
  request_nonce: RequestNonceTable;
  staff_account: StaffAccountTable;
  staff_session: StaffSessionTable;
  rating_invitation: RatingInvitationTable;
  hotline_sms: HotlineSmsTable;
  sms_opt_out: SmsOptOutTable;
}

export type HallDeviceKind = 'evaluator' | 'terminal';

export interface HallDeviceTable {
  id: string;
  window_id: string;
  kind: HallDeviceKind;
  name: string;
  secret_hash: Bytes;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  last_seen_at: Date | null;
}

// Kiosk devices (src/kiosk/), merged into DB above.
export interface DB {
  hall_device: HallDeviceTable;
}

// Scoring (src/scoring/, src/inspections/, src/bulletins/), merged into DB above.
export type ScoreUnitKind = 'region' | 'org' | 'item' | 'window' | 'staff';

export interface StageCompletionTable {
  case_stage_id: string;
  completed_day: string;
  region_code: string;
  org_id: string;
  item_id: string;
  window_id: string | null;
  staff_id: string | null;
  recorded_at: Timestamp;
}

export interface ScoreTallyColumns {
  active_1: number;
  active_2: number;
  active_3: number;
  active_4: number;
  active_5: number;
  default_1: number;
  default_2: number;
  default_3: number;
  default_4: number;
  default_5: number;
  stages_completed: number;
  stages_rated: number;
  tickets: number;
  replied: number;
  replied_on_time: number;
  replied_late: number;
  called_back: number;
  callback_satisfied: number;
  inspections: number;
  inspection_points: number;
}

export interface ScoreTallyTable extends ScoreTallyColumns {
  unit_kind: ScoreUnitKind;
  unit_id: string;
  day: string;
}

export interface ScoreTallyMonthTable extends ScoreTallyColumns {
  unit_kind: ScoreUnitKind;
  unit_id: string;
  /** The month's first day. */
  month: string;
}

export interface ScoreChannelTallyTable {
  unit_kind: ScoreUnitKind;
  unit_id: string;
  day: string;
  channel: string;
  evaluations: number;
  good: number;
  active: number;
  active_good: number;
}

export interface ScoreFeedCursorTable {
  chain_id: number;
  seq: number;
}

export interface ScoringSchemeTable {
  version: string;
  effective_from: string;
  definition: Json<Record<string, unknown>>;
  note: string | null;
  created_by: string;
  created_at: Timestamp;
}

export interface InspectionTemplateTable {
  id: string;
  code: string;
  version: number;
  name: string;
  items: Json<unknown[]>;
  created_by: string;
  created_at: Timestamp;
}

export type InspectionMethod = 'visit' | 'mystery_shopper' | 'phone' | 'online';

export interface InspectionTable {
  id: string;
  template_id: string;
  org_id: string;
  region_code: string;
  window_id: string | null;
  method: InspectionMethod;
  inspected_at: Timestamp;
  inspected_day: string;
  score_points: number;
  results: Json<unknown[]>;
  findings: string | null;
  attachments: Json<AttachmentRef[]>;
  inspector: string;
  recorded_at: Timestamp;
}

export interface SigningKeyTable {
  key_id: string;
  algorithm: 'SM2';
  public_key_pem: string;
  created_at: Timestamp;
}

export type PeriodKind = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface ScoreSnapshotTable {
  id: string;
  period_kind: PeriodKind;
  period_key: string;
  from_day: string;
  to_day: string;
  scheme_version: string;
  cut_at: Timestamp;
  document: string;
  digest: Bytes;
  signature: Bytes;
  key_id: string;
  closed_by: string;
  closed_at: Timestamp;
}

export interface BulletinTable {
  id: string;
  period_kind: PeriodKind;
  period_key: string;
  unit_class: string;
  bottom_n: number;
  consecutive: number;
  snapshot_ids: string[];
  document: string;
  digest: Bytes;
  issued_by: string;
  issued_at: Timestamp;
}

export type BulletinResponseState = 'pending' | 'submitted' | 'returned' | 'accepted';

export interface BulletinResponseTable {
  bulletin_id: string;
  unit_kind: ScoreUnitKind;
  unit_id: string;
  seq: number;
  state: BulletinResponseState;
  text: string | null;
  attachments: Json<AttachmentRef[]>;
  actor: string;
  at: Timestamp;
}

export interface DB {
  stage_completion: StageCompletionTable;
  score_tally: ScoreTallyTable;
  score_tally_month: ScoreTallyMonthTable;
  score_channel_tally: ScoreChannelTallyTable;
  score_feed_cursor: ScoreFeedCursorTable;
  scoring_scheme: ScoringSchemeTable;
  inspection_template: InspectionTemplateTable;
  inspection: InspectionTable;
  signing_key: SigningKeyTable;
  score_snapshot: ScoreSnapshotTable;
  bulletin: BulletinTable;
  bulletin_response: BulletinResponseTable;
}

// Administrative changes (src/auth/admin-audit.ts), merged into DB above.
export interface AdminAuditTable {
  id: string;
  at: Timestamp;
  /** A staff account id, or 'cli'. */
  actor: string;
  /** The account's username, or the operating-system user of the command line. */
  actor_name: string;
  /** The account's role, or 'cli'. */
  actor_role: string;
  action: string;
  target_kind: string;
  target_id: string;
  details: Json<Record<string, unknown>>;
}

export interface DB {
  admin_audit: AdminAuditTable;
}

// The working-day calendar (src/calendar/), merged into DB above.
export interface CalendarNoticeTable {
  year: number;
  title: string;
  /** YYYY-MM-DD or YYYY-MM */
  published: string;
  url: string | null;
  holidays: Json<Array<{ name: string; from: string; to: string }>>;
  workdays: Json<string[]>;
  /** The operating-system user of the command line (later: a staff account). */
  entered_by: string;
  entered_at: Timestamp;
}

export interface CalendarWarningTable {
  last_year: number;
  warned_at: Timestamp;
  accounts: number;
}

export interface DB {
  calendar_notice: CalendarNoticeTable;
  calendar_warning: CalendarWarningTable;
}

// Signed checkpoints of the ledger chains' heads (src/ledger/checkpoints.ts), merged into DB above.
export interface LedgerCheckpointTable {
  id: string;
  taken_at: Timestamp;
  reason: 'scheduled' | 'period_close';
  /** The signed text: the heads of all chains and the time. */
  document: string;
  signature: Bytes;
  key_id: string;
}

export interface DB {
  ledger_checkpoint: LedgerCheckpointTable;
}

// The risk engine and its review queue (src/risk/), merged into DB above.
export interface RatingContextTable {
  evaluation_id: string;
  install_key: Uint8Array | null;
  network_key: Uint8Array | null;
  recorded_at: Timestamp;
}

export interface RiskAssessmentTable {
  id: string;
  evaluation_id: string;
  policy_version: string;
  score: number;
  reasons: Json<unknown[]>;
  held: boolean;
  assessed_at: Timestamp;
}

export interface RiskCursorTable {
  chain_id: number;
  seq: number;
}

export interface RiskReviewTable {
  id: string;
  evaluation_id: string;
  reviewer: string;
  round: number;
  decision: 'confirm' | 'clear';
  reason: string;
  evidence: Json<string[]>;
  at: Timestamp;
}

export interface RiskCaseTable {
  evaluation_id: string;
  status: 'held' | 'confirmed' | 'cleared';
  round: Generated<number>;
  score: number;
  reason_codes: string[];
  path: string;
  region_code: string;
  region_path: string;
  org_id: string;
  level: number;
  assessed_day: string;
  opened_at: Timestamp;
  decided_at: Date | null;
}

export interface DB {
  rating_context: RatingContextTable;
  risk_assessment: RiskAssessmentTable;
  risk_cursor: RiskCursorTable;
  risk_review: RiskReviewTable;
  risk_case: RiskCaseTable;
}

// Proving to be the applicant (src/ratings/applicant-proof.ts, src/kiosk/), merged into DB above.
/** How the one rating on a link, or at a poster or device, was proven to come from the applicant. */
export type RatingProof = 'signed_link' | 'receipt_code' | 'sms_code' | 'device' | 'none';

export interface RatingProofTable {
  evaluation_id: string;
  proof: RatingProof;
  origin: 'link' | 'poster' | 'kiosk';
  rating_link_id: string | null;
  device_id: string | null;
  made_at: Timestamp | null;
  recorded_at: Timestamp;
}

export interface ApplicantChallengeTable {
  id: string;
  place_kind: 'window' | 'staff';
  place_id: string;
  phone_lookup: Bytes;
  code_hash: Bytes;
  case_stage_ids: string[];
  message_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ProofFailureTable {
  source_hash: Bytes;
  bucket: Timestamp;
  count: number;
}

export interface DB {
  rating_proof: RatingProofTable;
  applicant_challenge: ApplicantChallengeTable;
  proof_failure: ProofFailureTable;
}

// Corrections of published periods (src/scoring/corrections.ts), merged into DB above.
export interface ScoreCorrectionTable {
  id: string;
  snapshot_id: string;
  /** 1, 2, … per snapshot: the chain's order. */
  seq: number;
  evaluation_id: string;
  flag_id: string;
  /** The canonical JSON of the correction, naming the previous one's digest. */
  document: string;
  /** SM3 of document. */
  digest: Bytes;
  recorded_at: Timestamp;
}

export interface DB {
  score_correction: ScoreCorrectionTable;
}

// Evidence files of ticket steps (src/evidence/), merged into DB above.
export type EvidenceMediaType = 'image/jpeg' | 'image/png' | 'application/pdf';

export interface EvidenceFileTable {
  /** SM3 hex of bytes. */
  digest: string;
  media_type: EvidenceMediaType;
  size: number;
  bytes: Bytes;
  uploaded_by: string;
  uploaded_at: Timestamp;
}

export interface EvidenceUploadTable {
  account_id: string;
  digest: string;
  name: string;
  uploaded_at: Timestamp;
}

export interface DB {
  evidence_file: EvidenceFileTable;
  evidence_upload: EvidenceUploadTable;
}

// Sign-in safety (src/auth/sign-in-attempts.ts), merged into DB above.
export interface SignInAttemptTable {
  id: string;
  /** HMAC-SM3 of the normalised username typed, known or not. */
  account_hash: Bytes;
  /** HMAC-SM3 of the client's address (an IPv6 address by its /64). */
  address_hash: Bytes;
  at: Timestamp;
}

export interface DB {
  sign_in_attempt: SignInAttemptTable;
}
