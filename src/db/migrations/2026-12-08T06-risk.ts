// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- Where a rating made on our own web pages came from, for the risk engine: keyed hashes of the
-- browser's install id and of the network (/24 or /64), never the address itself. (How it was
-- proven, and on which device, is in rating_proof.)
-- Pruned after RETENTION_FRAUD_SIGNALS_DAYS (src/jobs/pruning.ts): what the engine concluded stays
-- in risk_assessment.
CREATE TABLE rating_context (
  evaluation_id uuid PRIMARY KEY,
  install_key bytea,
  network_key bytea,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX rating_context_install_idx ON rating_context (install_key) WHERE install_key IS NOT NULL;
CREATE INDEX rating_context_network_idx ON rating_context (network_key) WHERE network_key IS NOT NULL;
CREATE INDEX rating_context_recorded_idx ON rating_context (recorded_at);

-- Every assessment the risk engine made, append-only: a rating's risk is its latest row.
CREATE TABLE risk_assessment (
  id uuid PRIMARY KEY,
  evaluation_id uuid NOT NULL REFERENCES evaluation (id),
  policy_version text NOT NULL,
  score real NOT NULL CHECK (score >= 0 AND score <= 1),
  reasons jsonb NOT NULL,
  held boolean NOT NULL,
  assessed_at timestamptz NOT NULL
);
CREATE INDEX risk_assessment_evaluation_idx ON risk_assessment (evaluation_id, assessed_at);
CREATE TRIGGER risk_assessment_append_only BEFORE UPDATE OR DELETE ON risk_assessment FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER risk_assessment_no_truncate BEFORE TRUNCATE ON risk_assessment FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- How far the assessor has read each ledger chain.
CREATE TABLE risk_cursor (
  chain_id integer PRIMARY KEY,
  seq bigint NOT NULL
);

-- Reviewers' decisions, append-only: each with who, why and optional evidence.
CREATE TABLE risk_review (
  id uuid PRIMARY KEY,
  evaluation_id uuid NOT NULL REFERENCES evaluation (id),
  reviewer text NOT NULL,
  -- The case's round when cast: a vote counts only in the round it was cast in.
  round integer NOT NULL,
  decision text NOT NULL CHECK (decision IN ('confirm', 'clear')),
  reason text NOT NULL,
  evidence jsonb NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX risk_review_evaluation_idx ON risk_review (evaluation_id, at);
CREATE TRIGGER risk_review_append_only BEFORE UPDATE OR DELETE ON risk_review FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER risk_review_no_truncate BEFORE TRUNCATE ON risk_review FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- The review queue: one row per rating held or reported, kept with the facts above (a projection,
-- rebuilt from them if lost).
CREATE TABLE risk_case (
  evaluation_id uuid PRIMARY KEY REFERENCES evaluation (id),
  status text NOT NULL CHECK (status IN ('held', 'confirmed', 'cleared')),
  -- Goes up each time the standing changes (a decision, a new hold): votes of earlier rounds are spent.
  round integer NOT NULL DEFAULT 1,
  score real NOT NULL,
  reason_codes text[] NOT NULL,
  path text NOT NULL,
  region_code text NOT NULL,
  region_path text NOT NULL,
  org_id uuid NOT NULL,
  level smallint NOT NULL,
  assessed_day date NOT NULL,
  opened_at timestamptz NOT NULL,
  decided_at timestamptz
);
CREATE INDEX risk_case_queue_idx ON risk_case (status, score DESC, opened_at);
CREATE INDEX risk_case_region_idx ON risk_case (region_path text_pattern_ops);

-- A held rating is set apart from the figures (待核查) until a reviewer decides; a rating the
-- verified applicant replaced (superseded) stays in the ledger, out of every figure.
ALTER TABLE evaluation_event DROP CONSTRAINT evaluation_event_kind_check;
ALTER TABLE evaluation_event ADD CONSTRAINT evaluation_event_kind_check
  CHECK (kind IN ('appeal_upheld', 'fraud_suspected', 'fraud_confirmed', 'fraud_cleared', 'risk_held', 'superseded'));

-- The edge counters of the first fraud notes are replaced by the engine.
DROP TABLE text_fingerprint;
DROP TABLE source_activity;
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
CREATE TABLE text_fingerprint (hash bytea NOT NULL, day date NOT NULL, count integer NOT NULL, PRIMARY KEY (hash, day));
CREATE TABLE source_activity (source_hash bytea NOT NULL, bucket timestamptz NOT NULL, count integer NOT NULL, PRIMARY KEY (source_hash, bucket));
CREATE INDEX text_fingerprint_day_idx ON text_fingerprint (day);
CREATE INDEX source_activity_bucket_idx ON source_activity (bucket);
ALTER TABLE evaluation_event DROP CONSTRAINT evaluation_event_kind_check;
ALTER TABLE evaluation_event ADD CONSTRAINT evaluation_event_kind_check CHECK (kind IN ('appeal_upheld', 'fraud_suspected', 'fraud_confirmed', 'fraud_cleared'));
DROP TABLE risk_case; DROP TABLE risk_review; DROP TABLE risk_cursor; DROP TABLE risk_assessment; DROP TABLE rating_context;
`).execute(db);
}
