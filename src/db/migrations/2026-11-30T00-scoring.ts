// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

const APPEND_ONLY = ['stage_completion', 'scoring_scheme', 'inspection_template', 'inspection', 'score_snapshot', 'signing_key', 'bulletin', 'bulletin_response'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- A stage's completion as scoring attributes it (未评率), written once when the stage first completes.
CREATE TABLE stage_completion (
  case_stage_id uuid PRIMARY KEY REFERENCES case_stage (id),
  completed_day date NOT NULL,
  region_code text NOT NULL,
  org_id uuid NOT NULL,
  item_id uuid NOT NULL,
  window_id uuid,
  staff_id uuid,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX stage_completion_day_idx ON stage_completion (completed_day);

-- Figures per unit and Beijing day, maintained as events arrive (the live score ledger's sums).
-- Regions are kept at the evaluation's own region code; higher levels add up their subtree.
CREATE TABLE score_tally (
  unit_kind text NOT NULL CHECK (unit_kind IN ('region', 'org', 'item', 'window', 'staff')),
  unit_id text NOT NULL,
  day date NOT NULL,
  active_1 bigint NOT NULL DEFAULT 0,
  active_2 bigint NOT NULL DEFAULT 0,
  active_3 bigint NOT NULL DEFAULT 0,
  active_4 bigint NOT NULL DEFAULT 0,
  active_5 bigint NOT NULL DEFAULT 0,
  default_1 bigint NOT NULL DEFAULT 0,
  default_2 bigint NOT NULL DEFAULT 0,
  default_3 bigint NOT NULL DEFAULT 0,
  default_4 bigint NOT NULL DEFAULT 0,
  default_5 bigint NOT NULL DEFAULT 0,
  stages_completed bigint NOT NULL DEFAULT 0,
  stages_rated bigint NOT NULL DEFAULT 0,
  tickets bigint NOT NULL DEFAULT 0,
  replied bigint NOT NULL DEFAULT 0,
  replied_on_time bigint NOT NULL DEFAULT 0,
  replied_late bigint NOT NULL DEFAULT 0,
  called_back bigint NOT NULL DEFAULT 0,
  callback_satisfied bigint NOT NULL DEFAULT 0,
  inspections bigint NOT NULL DEFAULT 0,
  inspection_points bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (unit_kind, unit_id, day)
);
CREATE INDEX score_tally_kind_day_idx ON score_tally (unit_kind, day);
-- The same sums per calendar month (month = its first day), kept with the daily rows, so that a
-- quarter's or a year's rankings read twelve rows per unit, not 365.
CREATE TABLE score_tally_month (LIKE score_tally INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE score_tally_month RENAME COLUMN day TO month;
ALTER TABLE score_tally_month ADD PRIMARY KEY (unit_kind, unit_id, month);
CREATE INDEX score_tally_month_kind_idx ON score_tally_month (unit_kind, month);

CREATE TABLE score_channel_tally (
  unit_kind text NOT NULL,
  unit_id text NOT NULL,
  day date NOT NULL,
  channel text NOT NULL,
  evaluations bigint NOT NULL DEFAULT 0,
  good bigint NOT NULL DEFAULT 0,
  active bigint NOT NULL DEFAULT 0,
  active_good bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (unit_kind, unit_id, day, channel)
);

-- Tickets by the day they opened (a period's ticket figures) and those still unanswered (overdue counts).
CREATE INDEX ticket_opened_day_idx ON ticket (opened_day);
CREATE INDEX ticket_unanswered_idx ON ticket (reply_due_at) WHERE reply_done_at IS NULL;

-- How far the score feed has folded each ledger chain into the tallies.
CREATE TABLE score_feed_cursor (
  chain_id integer PRIMARY KEY,
  seq bigint NOT NULL
);

-- Scoring schemes: versioned data, never edited; a period is scored by the version in force on its first day.
CREATE TABLE scoring_scheme (
  version text PRIMARY KEY CHECK (version ~ '^[A-Za-z0-9._-]{1,40}$'),
  effective_from date NOT NULL UNIQUE,
  definition jsonb NOT NULL,
  note text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

-- 调查暗访: checklist templates (versioned) and scored inspections.
CREATE TABLE inspection_template (
  id uuid PRIMARY KEY,
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,40}$'),
  version integer NOT NULL CHECK (version >= 1),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  items jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (code, version)
);

CREATE TABLE inspection (
  id uuid PRIMARY KEY,
  template_id uuid NOT NULL REFERENCES inspection_template (id),
  org_id uuid NOT NULL REFERENCES org (id),
  region_code text NOT NULL REFERENCES region (code),
  window_id uuid REFERENCES service_window (id),
  method text NOT NULL CHECK (method IN ('visit', 'mystery_shopper', 'phone', 'online')),
  inspected_at timestamptz NOT NULL,
  inspected_day date NOT NULL,
  score_points integer NOT NULL CHECK (score_points BETWEEN 0 AND 10000),
  results jsonb NOT NULL,
  findings text,
  attachments jsonb NOT NULL DEFAULT '[]',
  inspector text NOT NULL,
  recorded_at timestamptz NOT NULL
);
COMMENT ON COLUMN inspection.score_points IS 'the 100-point score times 100 (two decimals, exact)';
CREATE INDEX inspection_org_idx ON inspection (org_id, inspected_day);
CREATE INDEX inspection_day_idx ON inspection (inspected_day);

-- SM2 public keys that snapshots were signed with.
CREATE TABLE signing_key (
  key_id text PRIMARY KEY,
  algorithm text NOT NULL CHECK (algorithm = 'SM2'),
  public_key_pem text NOT NULL,
  created_at timestamptz NOT NULL
);

-- A closed period: the signed document (exact bytes), its scheme and the ledger checkpoint inside it.
CREATE TABLE score_snapshot (
  id uuid PRIMARY KEY,
  period_kind text NOT NULL CHECK (period_kind IN ('day', 'week', 'month', 'quarter', 'year')),
  period_key text NOT NULL,
  from_day date NOT NULL,
  to_day date NOT NULL,
  scheme_version text NOT NULL REFERENCES scoring_scheme (version),
  cut_at timestamptz NOT NULL,
  document text NOT NULL,
  digest bytea NOT NULL,
  signature bytea NOT NULL,
  key_id text NOT NULL REFERENCES signing_key (key_id),
  closed_by text NOT NULL,
  closed_at timestamptz NOT NULL,
  UNIQUE (period_kind, period_key)
);

-- 通报 and the accountability list: a bulletin names units; each unit's response is a sequence of events.
CREATE TABLE bulletin (
  id uuid PRIMARY KEY,
  period_kind text NOT NULL,
  period_key text NOT NULL,
  unit_class text NOT NULL,
  bottom_n integer NOT NULL CHECK (bottom_n >= 1),
  consecutive integer NOT NULL CHECK (consecutive >= 1),
  snapshot_ids uuid[] NOT NULL,
  document text NOT NULL,
  digest bytea NOT NULL,
  issued_by text NOT NULL,
  issued_at timestamptz NOT NULL,
  UNIQUE (period_kind, period_key, unit_class)
);

CREATE TABLE bulletin_response (
  bulletin_id uuid NOT NULL REFERENCES bulletin (id),
  unit_kind text NOT NULL,
  unit_id text NOT NULL,
  seq integer NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'submitted', 'returned', 'accepted')),
  text text,
  attachments jsonb NOT NULL DEFAULT '[]',
  actor text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (bulletin_id, unit_kind, unit_id, seq)
);
`).execute(db);

  for (const table of APPEND_ONLY) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();`,
      )
      .execute(db);
  }

  // The first scheme (see docs/scoring.md). Later versions are new rows with a later effective_from.
  const definition = {
    levelPoints: { '1': 0, '2': 40, '3': 60, '4': 80, '5': 100 },
    countDefaultsInSatisfaction: false,
    metricWeights: { satisfactionScore: 0.6, goodRate: 0.2, activeGoodRate: 0.1, ratedRate: 0.1 },
    ticketWeights: { replyRate: 0.3, onTimeRate: 0.3, callbackRate: 0.2, callbackSatisfactionRate: 0.2 },
    partWeights: { evaluation: 0.7, tickets: 0.2, inspection: 0.1 },
    minimumVolume: 30,
    bulletin: { bottomN: 3, consecutivePeriods: 2 },
    closeAfterDays: 20,
  };
  await sql`INSERT INTO scoring_scheme (version, effective_from, definition, note, created_by, created_at)
    VALUES ('2026.1', DATE '2000-01-01', ${JSON.stringify(definition)}::jsonb, '初始计分方案 / initial scheme', 'migration', now())`.execute(db);
}
