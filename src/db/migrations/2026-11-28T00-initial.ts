// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
CREATE TABLE region (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}([0-9]{6})?$'),
  name text NOT NULL,
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
  parent_code text REFERENCES region (code),
  path text NOT NULL
);
COMMENT ON COLUMN region.level IS '1 province, 2 prefecture, 3 county, 4 township, 5 village';
COMMENT ON COLUMN region.path IS 'codes from the province down, each followed by /, for subtree queries by prefix';
CREATE INDEX region_path_idx ON region (path text_pattern_ops);
CREATE INDEX region_parent_idx ON region (parent_code);

CREATE TABLE org (
  id uuid PRIMARY KEY,
  dept_code text NOT NULL UNIQUE CHECK (dept_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('department', 'hall', 'center', 'other')),
  region_code text NOT NULL REFERENCES region (code),
  parent_id uuid REFERENCES org (id),
  created_at timestamptz NOT NULL
);
CREATE INDEX org_region_idx ON org (region_code);

CREATE TABLE service_item (
  id uuid PRIMARY KEY,
  task_code text NOT NULL UNIQUE CHECK (length(task_code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  item_type text NOT NULL CHECK (item_type IN ('01','02','03','04','05','06','07','08','09','10','20','hotline')),
  org_id uuid NOT NULL REFERENCES org (id),
  region_code text NOT NULL REFERENCES region (code),
  created_at timestamptz NOT NULL
);
CREATE INDEX service_item_org_idx ON service_item (org_id);

CREATE TABLE service_window (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES org (id),
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL,
  UNIQUE (org_id, code)
);

CREATE TABLE staff (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES org (id),
  window_id uuid REFERENCES service_window (id),
  staff_no text NOT NULL CHECK (length(staff_no) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL,
  UNIQUE (org_id, staff_no)
);

CREATE TABLE indicator (
  version text NOT NULL,
  code text NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('online', 'offline', 'any')),
  levels smallint[] NOT NULL,
  PRIMARY KEY (version, code)
);

CREATE TABLE service_case (
  id uuid PRIMARY KEY,
  project_no text NOT NULL UNIQUE CHECK (length(project_no) BETWEEN 1 AND 64),
  item_id uuid NOT NULL REFERENCES service_item (id),
  org_id uuid NOT NULL REFERENCES org (id),
  region_code text NOT NULL REFERENCES region (code),
  pro_status smallint NOT NULL CHECK (pro_status IN (1, 2, 3)),
  accept_at timestamptz,
  result_at timestamptz,
  promise_at timestamptz,
  user_prop smallint,
  applicant_pii bytea,
  applicant_pii_key_id text,
  applicant_masked jsonb,
  applicant_phone_lookup bytea,
  applicant_cert_lookup bytea,
  data_source text,
  source_app text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX service_case_org_idx ON service_case (org_id, created_at);

CREATE TABLE case_stage (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES service_case (id),
  service_number integer NOT NULL CHECK (service_number BETWEEN 1 AND 999),
  name text,
  status smallint NOT NULL CHECK (status IN (1, 2, 3)),
  completed_at timestamptz,
  org_id uuid NOT NULL REFERENCES org (id),
  window_id uuid REFERENCES service_window (id),
  staff_id uuid REFERENCES staff (id),
  CHECK ((status = 3) = (completed_at IS NOT NULL)),
  UNIQUE (case_id, service_number)
);
CREATE INDEX case_stage_window_idx ON case_stage (window_id, completed_at) WHERE window_id IS NOT NULL;

-- The evaluation ledger. Append-only (triggers below), hash-chained per writer chain.
CREATE TABLE ledger_chain (
  chain_id integer PRIMARY KEY,
  head_seq bigint NOT NULL,
  head_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  lease_owner text,
  lease_until timestamptz
);

CREATE TABLE evaluation (
  id uuid PRIMARY KEY,
  chain_id integer NOT NULL,
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  receipt_no text NOT NULL UNIQUE,
  received_at timestamptz NOT NULL,
  assessed_at timestamptz NOT NULL,
  assessed_day date NOT NULL,
  subject text NOT NULL CHECK (subject IN ('case_stage', 'window', 'staff')),
  case_stage_id uuid,
  case_id uuid,
  project_no text,
  service_number integer,
  assess_number smallint NOT NULL CHECK (assess_number IN (1, 2)),
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
  indicator_version text NOT NULL,
  indicator_codes text[] NOT NULL,
  comment text,
  channel text NOT NULL,
  is_default boolean NOT NULL,
  is_anonymous boolean NOT NULL,
  region_code text NOT NULL,
  org_id uuid NOT NULL,
  item_id uuid,
  window_id uuid,
  staff_id uuid,
  user_prop smallint,
  rater_pii bytea,
  rater_pii_key_id text,
  rater_masked jsonb,
  rater_phone_lookup bytea,
  rater_cert_lookup bytea,
  source_app text NOT NULL,
  client_id text,
  UNIQUE (chain_id, seq)
);
-- Lists page by id (time-ordered UUIDv7) within an org or a region; the stage → evaluation link
-- lives in evaluation_slot. Every index here is paid for on each insert: keep them few.
CREATE INDEX evaluation_org_id_idx ON evaluation (org_id, id);
CREATE INDEX evaluation_region_id_idx ON evaluation (region_code, id);
CREATE INDEX evaluation_phone_lookup_idx ON evaluation (rater_phone_lookup) WHERE rater_phone_lookup IS NOT NULL;

-- Later facts about an evaluation (appeal upheld, fraud suspected ...): append-only events, never edits.
CREATE TABLE evaluation_event (
  id uuid PRIMARY KEY,
  evaluation_id uuid NOT NULL REFERENCES evaluation (id),
  kind text NOT NULL CHECK (kind IN ('appeal_upheld', 'fraud_suspected', 'fraud_confirmed', 'fraud_cleared')),
  reason text NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX evaluation_event_evaluation_idx ON evaluation_event (evaluation_id);

-- One evaluation per case stage and assessment number: claimed here so that a race loses cleanly.
CREATE TABLE evaluation_slot (
  case_stage_id uuid NOT NULL,
  assess_number smallint NOT NULL,
  evaluation_id uuid NOT NULL,
  PRIMARY KEY (case_stage_id, assess_number)
);

-- Idempotency: a client id, per calling app, is stored once with the evaluation it produced.
CREATE TABLE intake_key (
  source_app text NOT NULL,
  client_id text NOT NULL,
  evaluation_id uuid NOT NULL,
  request_digest bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (source_app, client_id)
);

-- Counters maintained in the same transaction as each evaluation.
CREATE TABLE evaluation_counter (
  day date NOT NULL,
  region_code text NOT NULL,
  org_id uuid NOT NULL,
  item_id uuid,
  channel text NOT NULL,
  level smallint NOT NULL,
  is_default boolean NOT NULL,
  subject text NOT NULL,
  count bigint NOT NULL CHECK (count >= 0),
  CONSTRAINT evaluation_counter_key UNIQUE NULLS NOT DISTINCT (day, region_code, org_id, item_id, channel, level, is_default, subject)
);
CREATE INDEX evaluation_counter_region_day_idx ON evaluation_counter (region_code, day);
CREATE INDEX evaluation_counter_org_day_idx ON evaluation_counter (org_id, day);

CREATE TABLE pii_access_log (
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  actor_role text NOT NULL,
  purpose text NOT NULL,
  subject_table text NOT NULL,
  subject_id uuid NOT NULL,
  fields text[] NOT NULL
);
CREATE INDEX pii_access_log_subject_idx ON pii_access_log (subject_table, subject_id);

CREATE TABLE integrator_app (
  app_id text PRIMARY KEY CHECK (app_id ~ '^[A-Za-z0-9_-]{3,64}$'),
  name text NOT NULL,
  secret_enc bytea NOT NULL,
  secret_key_id text NOT NULL,
  region_code text NOT NULL REFERENCES region (code),
  org_id uuid REFERENCES org (id),
  channel_profile text NOT NULL CHECK (channel_profile IN ('national', 'sms-six')),
  active boolean NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE request_nonce (
  app_id text NOT NULL,
  nonce text NOT NULL,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (app_id, nonce)
);
CREATE INDEX request_nonce_seen_idx ON request_nonce (seen_at);

CREATE TABLE staff_account (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.@-]{3,64}$'),
  password_hash text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('province_admin', 'city_admin', 'org_handler', 'supervisor')),
  scope_region_code text REFERENCES region (code),
  scope_org_id uuid REFERENCES org (id),
  active boolean NOT NULL,
  created_at timestamptz NOT NULL,
  CHECK ((role = 'org_handler') = (scope_org_id IS NOT NULL)),
  CHECK (role = 'org_handler' OR scope_region_code IS NOT NULL)
);

CREATE TABLE staff_session (
  token_hash bytea PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES staff_account (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE FUNCTION refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'LEDGER_APPEND_ONLY: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END
$fn$;
CREATE TRIGGER evaluation_append_only BEFORE UPDATE OR DELETE ON evaluation FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER evaluation_no_truncate BEFORE TRUNCATE ON evaluation FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER evaluation_event_append_only BEFORE UPDATE OR DELETE ON evaluation_event FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER evaluation_event_no_truncate BEFORE TRUNCATE ON evaluation_event FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER pii_access_log_append_only BEFORE UPDATE OR DELETE ON pii_access_log FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER pii_access_log_no_truncate BEFORE TRUNCATE ON pii_access_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
`).execute(db);

  // The first indicator set (provincial practice: online 办事效率/办事指南精确度/办事便捷度/平台操作性,
  // offline 服务效率/服务水平/服务态度). Later versions are added as new rows, never edits.
  const good = [4, 5];
  const middling = [3];
  const bad = [1, 2];
  const rows: Array<[string, string, string, string, number[]]> = [
    ['101', '办事效率高', 'Efficient handling', 'online', good],
    ['102', '办事指南准确', 'Accurate service guide', 'online', good],
    ['103', '办事便捷', 'Convenient to apply', 'online', good],
    ['104', '平台操作简便', 'Easy-to-use platform', 'online', good],
    ['105', '服务效率高', 'Quick service', 'offline', good],
    ['106', '服务水平高', 'Competent staff', 'offline', good],
    ['107', '服务态度好', 'Friendly staff', 'offline', good],
    ['301', '办事效率一般', 'Handling speed could improve', 'online', middling],
    ['302', '办事指南不够清晰', 'Service guide could be clearer', 'online', middling],
    ['303', '办事便捷度一般', 'Could be more convenient', 'online', middling],
    ['304', '平台操作一般', 'Platform could be easier', 'online', middling],
    ['305', '等候时间较长', 'Waiting took a while', 'offline', middling],
    ['306', '业务解答一般', 'Answers could be clearer', 'offline', middling],
    ['307', '服务态度一般', 'Attitude could be warmer', 'offline', middling],
    ['501', '办事效率低', 'Slow handling', 'online', bad],
    ['502', '办事指南不准确', 'Inaccurate service guide', 'online', bad],
    ['503', '办事不便捷、多次跑动', 'Inconvenient, repeated trips', 'online', bad],
    ['504', '平台操作困难', 'Platform hard to use', 'online', bad],
    ['505', '服务效率低、等候时间长', 'Slow service, long waits', 'offline', bad],
    ['506', '业务不熟练、解答不清', 'Staff unfamiliar with the service', 'offline', bad],
    ['507', '服务态度差', 'Unfriendly staff', 'offline', bad],
    ['508', '要求提供不必要的材料', 'Asked for unnecessary documents', 'any', bad],
    ['509', '其他问题', 'Other problem', 'any', bad],
  ];
  for (const [code, nameZh, nameEn, scope, levels] of rows) {
    await sql`INSERT INTO indicator (version, code, name_zh, name_en, scope, levels)
              VALUES ('2026.1', ${code}, ${nameZh}, ${nameEn}, ${scope}, ${levels}::smallint[])`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(_db: Kysely<any>): Promise<void> {
  throw new Error('The initial migration cannot be reverted: the ledger is append-only.');
}
