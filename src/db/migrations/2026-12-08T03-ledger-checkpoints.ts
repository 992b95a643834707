// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- Signed checkpoints of the heads of all ledger chains (src/ledger/checkpoints.ts): ledger_chain
-- must stay writable (every append moves its head), so rows removed from the end of a chain with
-- the head moved back would pass the chain check alone. verify holds the ledger to every checkpoint.
-- document is the exact signed text (chain, seq, hash of each head and the time); append-only.
CREATE TABLE ledger_checkpoint (
  id uuid PRIMARY KEY,
  taken_at timestamptz NOT NULL,
  reason text NOT NULL CHECK (reason IN ('scheduled', 'period_close')),
  document text NOT NULL,
  signature bytea NOT NULL,
  key_id text NOT NULL
);
CREATE TRIGGER ledger_checkpoint_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoint FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER ledger_checkpoint_no_truncate BEFORE TRUNCATE ON ledger_checkpoint FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`DROP TABLE ledger_checkpoint;`).execute(db);
}
