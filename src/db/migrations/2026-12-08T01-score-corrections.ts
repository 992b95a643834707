// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- A change to a published period's figures after it was closed (an appeal upheld, fraud confirmed or
-- cleared later): attached to the snapshot as a visible correction, never an edit of it. Per
-- snapshot the corrections form a chain: each document names the digest of the one before, and
-- digest is the SM3 of document (src/scoring/corrections.ts).
CREATE TABLE score_correction (
  id uuid PRIMARY KEY,
  snapshot_id uuid NOT NULL REFERENCES score_snapshot (id),
  seq integer NOT NULL CHECK (seq >= 1),
  evaluation_id uuid NOT NULL REFERENCES evaluation (id),
  flag_id uuid NOT NULL REFERENCES evaluation_event (id),
  document text NOT NULL,
  digest bytea NOT NULL,
  recorded_at timestamptz NOT NULL,
  UNIQUE (snapshot_id, seq),
  UNIQUE (snapshot_id, flag_id)
);
CREATE TRIGGER score_correction_append_only BEFORE UPDATE OR DELETE ON score_correction FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER score_correction_no_truncate BEFORE TRUNCATE ON score_correction FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`DROP TABLE score_correction;`).execute(db);
}
