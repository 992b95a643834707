// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- Evidence files of ticket steps (photos, scans, PDFs), kept in the database and addressed by
-- their content: digest is the SM3 of the bytes, so the same bytes are one row and a row can never
-- be changed (an event naming a digest names those bytes for good). uploaded_by/at: the first upload.
CREATE TABLE evidence_file (
  digest text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  media_type text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  size integer NOT NULL CHECK (size > 0),
  bytes bytea NOT NULL,
  uploaded_by uuid NOT NULL REFERENCES staff_account (id),
  uploaded_at timestamptz NOT NULL,
  CHECK (size = octet_length(bytes))
);
-- JPEG, PNG and PDF are compressed already: stored out of line without another attempt.
ALTER TABLE evidence_file ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE TRIGGER evidence_file_unchanged BEFORE UPDATE ON evidence_file FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();

-- Who uploaded which file under which name: the uploader may look at it and attach it to a step
-- before any ticket names it. One row per account and file; an upload again renames it.
CREATE TABLE evidence_upload (
  account_id uuid NOT NULL REFERENCES staff_account (id),
  digest text NOT NULL REFERENCES evidence_file (digest),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  uploaded_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, digest)
);
CREATE INDEX evidence_upload_digest ON evidence_upload (digest);
`).execute(db);
}
