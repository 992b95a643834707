// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- 差评工单: one per bad evaluation, opened in the same statement as the evaluation. The columns
-- after "projection" are the fold of the ticket's events (src/tickets/state-machine.ts replay),
-- kept beside them for lists, deadlines and figures; the events are the record.
CREATE TABLE ticket (
  id uuid PRIMARY KEY,
  evaluation_id uuid NOT NULL UNIQUE,
  receipt_no text NOT NULL,
  case_stage_id uuid,
  org_id uuid NOT NULL REFERENCES org (id),
  region_code text NOT NULL REFERENCES region (code),
  region_path text NOT NULL,
  level smallint NOT NULL CHECK (level IN (1, 2)),
  channel text NOT NULL,
  evaluated_at timestamptz NOT NULL,
  opened_day date NOT NULL,
  opened_verify_due_at timestamptz NOT NULL,
  opened_reply_due_at timestamptz NOT NULL,
  -- projection
  state text NOT NULL,
  version integer NOT NULL,
  verify_due_at timestamptz NOT NULL,
  verify_done_at timestamptz,
  reply_due_at timestamptz NOT NULL,
  reply_done_at timestamptz,
  extension_state text,
  extension_days integer,
  appeal_kind text CHECK (appeal_kind IN ('mistaken', 'malicious')),
  appeal_state text CHECK (appeal_state IN ('pending', 'upheld', 'refused')),
  appeal_due_at timestamptz,
  appeal_decided_at timestamptz,
  escalated text[] NOT NULL,
  reopen_count integer NOT NULL,
  last_callback text,
  callback_at timestamptz,
  last_reply_at timestamptz,
  updated_at timestamptz NOT NULL,
  -- what the ticket's watch (scheduled check) has already done: warnings sent, reminders given
  watch_done text[] NOT NULL
);
COMMENT ON COLUMN ticket.region_path IS 'path of the assigned org''s region: supervisors of any prefix see the ticket';
COMMENT ON COLUMN ticket.opened_day IS 'Beijing day the evaluation was received: the period the ticket counts in';
CREATE INDEX ticket_org_idx ON ticket (org_id, opened_day);
CREATE INDEX ticket_region_path_idx ON ticket (region_path text_pattern_ops, opened_day);
CREATE INDEX ticket_receipt_idx ON ticket (receipt_no);

-- Every step of a ticket, append-only. (ticket_id, seq) is the concurrency guard: two people
-- acting on the same version both try to write seq = version + 1, and one of them loses.
CREATE TABLE ticket_event (
  ticket_id uuid NOT NULL REFERENCES ticket (id),
  seq integer NOT NULL CHECK (seq >= 1),
  type text NOT NULL,
  payload jsonb NOT NULL,
  actor_role text NOT NULL CHECK (actor_role IN ('handler', 'supervisor', 'system', 'rater')),
  actor_id text NOT NULL,
  at timestamptz NOT NULL,
  note text,
  attachments jsonb NOT NULL,
  PRIMARY KEY (ticket_id, seq)
);
CREATE TRIGGER ticket_event_append_only BEFORE UPDATE OR DELETE ON ticket_event FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER ticket_event_no_truncate BEFORE TRUNCATE ON ticket_event FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- Scheduled work (deadline checks, warnings, escalations, reminders, deliveries): rows with a due
-- time, taken with FOR UPDATE SKIP LOCKED and done in the same transaction as their effects.
CREATE TABLE scheduled_job (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  subject_id uuid NOT NULL,
  due_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  done_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX scheduled_job_due_idx ON scheduled_job (due_at) WHERE done_at IS NULL;
-- At most one pending job of a kind per subject: rescheduling moves it.
CREATE UNIQUE INDEX scheduled_job_pending_idx ON scheduled_job (kind, subject_id) WHERE done_at IS NULL;

-- In-app notifications to staff accounts.
CREATE TABLE notification (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES staff_account (id),
  kind text NOT NULL,
  ticket_id uuid,
  params jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notification_account_idx ON notification (account_id, created_at DESC);
CREATE INDEX notification_unread_idx ON notification (account_id) WHERE read_at IS NULL;

-- Messages leaving the system (SMS, e-mail), written with the fact that causes them and handed
-- to the gateway by a scheduled job. The recipient is a reference, never a copy of personal data:
-- a rater's phone is unsealed (and the read logged) only when the message is sent.
CREATE TABLE outbound_message (
  id uuid PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  recipient_kind text NOT NULL CHECK (recipient_kind IN ('rater', 'account')),
  recipient_id uuid NOT NULL,
  purpose text NOT NULL,
  subject text,
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  gateway_ref text,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX outbound_message_pending_idx ON outbound_message (created_at) WHERE status = 'pending';

-- Work e-mail for notifications (a work address, not personal data in the sense of DESIGN §4).
ALTER TABLE staff_account ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+$');
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
ALTER TABLE staff_account DROP COLUMN email;
DROP TABLE outbound_message; DROP TABLE notification; DROP TABLE scheduled_job;
DROP TABLE ticket_event; DROP TABLE ticket;`).execute(db);
}
