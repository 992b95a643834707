// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- How the holder of a rating link proved to be the stage's applicant: the link itself, issued to
-- the business system that served them (signed_link); the code on their receipt or the counter
-- screen (receipt_code); a code sent by SMS to the phone on the case (sms_code); the hall device
-- the stage was pushed to (device); nothing (none: the links posters used to hand out to anyone).
ALTER TABLE rating_link ADD COLUMN proof text NOT NULL DEFAULT 'signed_link'
  CHECK (proof IN ('signed_link', 'receipt_code', 'sms_code', 'device', 'none'));
-- A device's link is usable with that device's credential only, for a rating made by rate_by.
ALTER TABLE rating_link ADD COLUMN device_id uuid REFERENCES hall_device (id);
ALTER TABLE rating_link ADD COLUMN rate_by timestamptz;
-- Links made before: the poster handed its links to whoever asked; a device's were its own.
UPDATE rating_link SET proof = 'none' WHERE source_app = 'hcp-rating-page';
UPDATE rating_link l SET proof = 'device', device_id = d.id
  FROM hall_device d WHERE l.source_app LIKE 'hcp-kiosk:%' AND d.id::text = substr(l.source_app, 11);
ALTER TABLE rating_link ADD CONSTRAINT rating_link_device_proof CHECK ((proof = 'device') = (device_id IS NOT NULL));

-- How each rating made on our own pages was proven, and where it was made (a rating link, a
-- poster's rating of the place itself, a hall device), for the risk engine. Append-only. made_at:
-- when a hall device says the rating was made (one kept offline arrives later).
CREATE TABLE rating_proof (
  evaluation_id uuid PRIMARY KEY REFERENCES evaluation (id),
  proof text NOT NULL CHECK (proof IN ('signed_link', 'receipt_code', 'sms_code', 'device', 'none')),
  origin text NOT NULL CHECK (origin IN ('link', 'poster', 'kiosk')),
  rating_link_id uuid REFERENCES rating_link (id),
  device_id uuid REFERENCES hall_device (id),
  made_at timestamptz,
  recorded_at timestamptz NOT NULL
);
CREATE TRIGGER rating_proof_append_only BEFORE UPDATE OR DELETE ON rating_proof FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER rating_proof_no_truncate BEFORE TRUNCATE ON rating_proof FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- An SMS code asked for at a poster. The phone typed is kept only as its keyed hash; the code only
-- as a keyed hash. case_stage_ids: the stages at the place whose case carries that phone; empty
-- when there are none (then no SMS went out, and the answer was the same).
CREATE TABLE applicant_challenge (
  id uuid PRIMARY KEY,
  place_kind text NOT NULL CHECK (place_kind IN ('window', 'staff')),
  place_id uuid NOT NULL,
  phone_lookup bytea NOT NULL,
  code_hash bytea NOT NULL,
  case_stage_ids uuid[] NOT NULL,
  message_id uuid,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX applicant_challenge_phone_idx ON applicant_challenge (phone_lookup, created_at);
CREATE INDEX applicant_challenge_expires_idx ON applicant_challenge (expires_at);

-- Wrong codes (receipt or SMS) typed from one source (a keyed hash of the address) per hour.
CREATE TABLE proof_failure (
  source_hash bytea NOT NULL,
  bucket timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (source_hash, bucket)
);
CREATE INDEX proof_failure_bucket_idx ON proof_failure (bucket);
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
DROP TABLE proof_failure;
DROP TABLE applicant_challenge;
DROP TABLE rating_proof;
ALTER TABLE rating_link DROP CONSTRAINT rating_link_device_proof;
ALTER TABLE rating_link DROP COLUMN rate_by;
ALTER TABLE rating_link DROP COLUMN device_id;
ALTER TABLE rating_link DROP COLUMN proof;
`).execute(db);
}
