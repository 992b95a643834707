// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  // Counters behind the fraud notes of public ratings: how often the same comment was seen on a
  // day, and how many ratings one source (a keyed hash of its address, never the address) made
  // in a 10-minute bucket. Old rows may be pruned; the notes they led to are in evaluation_event.
  await sql.raw(`
CREATE TABLE text_fingerprint (
  hash bytea NOT NULL,
  day date NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (hash, day)
);
CREATE TABLE source_activity (
  source_hash bytea NOT NULL,
  bucket timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (source_hash, bucket)
);
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE source_activity; DROP TABLE text_fingerprint`.execute(db);
}
