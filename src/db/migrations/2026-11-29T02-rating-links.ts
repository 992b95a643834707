// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- A rating link for one case stage, issued to a business system (or printed as a QR code). The URL
-- carries a signed token naming this row, never a case number; the short code is for SMS. Whether
-- the link may still be used is the stage's evaluation slots (one rating plus one follow-up).
CREATE TABLE rating_link (
  id uuid PRIMARY KEY,
  short_code text NOT NULL UNIQUE CHECK (short_code ~ '^[0-9a-hjkmnp-tv-z]{10}$'),
  case_stage_id uuid NOT NULL REFERENCES case_stage (id),
  staff_id uuid REFERENCES staff (id),
  channel text NOT NULL,
  source_app text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX rating_link_stage_idx ON rating_link (case_stage_id);
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE rating_link`.execute(db);
}
