// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- Pruning (src/jobs/pruning.ts) deletes old rows in small batches by these moments: each batch
-- must find its rows through an index, not by scanning the table.
CREATE INDEX staff_session_expires_idx ON staff_session (expires_at);
CREATE INDEX scheduled_job_done_idx ON scheduled_job (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX text_fingerprint_day_idx ON text_fingerprint (day);
CREATE INDEX source_activity_bucket_idx ON source_activity (bucket);

-- Administrative changes (an account or app disabled or enabled, and later others): who, when,
-- what, append-only like the other logs. actor is a staff account id, or 'cli' for the command line.
CREATE TABLE admin_audit (
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  actor_name text NOT NULL,
  actor_role text NOT NULL,
  action text NOT NULL,
  target_kind text NOT NULL,
  target_id text NOT NULL,
  details jsonb NOT NULL
);
CREATE INDEX admin_audit_target_idx ON admin_audit (target_kind, target_id, at);
CREATE INDEX admin_audit_at_idx ON admin_audit (at);
CREATE TRIGGER admin_audit_append_only BEFORE UPDATE OR DELETE ON admin_audit FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
DROP TABLE admin_audit;
DROP INDEX source_activity_bucket_idx;
DROP INDEX text_fingerprint_day_idx;
DROP INDEX scheduled_job_done_idx;
DROP INDEX staff_session_expires_idx;
`).execute(db);
}
