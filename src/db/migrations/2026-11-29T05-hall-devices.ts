// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- A device in a service hall bound to one window: the evaluator (评价器) on the counter or a
-- self-service terminal. It authenticates with its id and a random secret shown once; only the
-- SM3 hash of the secret is kept.
CREATE TABLE hall_device (
  id uuid PRIMARY KEY,
  window_id uuid NOT NULL REFERENCES service_window (id),
  kind text NOT NULL CHECK (kind IN ('evaluator', 'terminal')),
  name text NOT NULL,
  secret_hash bytea NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz
);
CREATE INDEX hall_device_window_idx ON hall_device (window_id);

-- A case stage completed at a window, announced to the processes that push rating screens to
-- that window's devices. NOTIFY is delivered on commit, so a rolled-back completion is never
-- announced; a listener that was away catches up from the table.
CREATE FUNCTION hcp_notify_stage_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hcp_stage_completed', json_build_object('stageId', NEW.id, 'windowId', NEW.window_id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER case_stage_completed_insert AFTER INSERT ON case_stage
  FOR EACH ROW WHEN (NEW.status = 3 AND NEW.window_id IS NOT NULL)
  EXECUTE FUNCTION hcp_notify_stage_completed();
CREATE TRIGGER case_stage_completed_update AFTER UPDATE OF status, window_id ON case_stage
  FOR EACH ROW WHEN (NEW.status = 3 AND NEW.window_id IS NOT NULL AND (OLD.status <> 3 OR OLD.window_id IS DISTINCT FROM NEW.window_id))
  EXECUTE FUNCTION hcp_notify_stage_completed();
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
DROP TRIGGER case_stage_completed_update ON case_stage;
DROP TRIGGER case_stage_completed_insert ON case_stage;
DROP FUNCTION hcp_notify_stage_completed();
DROP TABLE hall_device;`).execute(db);
}
