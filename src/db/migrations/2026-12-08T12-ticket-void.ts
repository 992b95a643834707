// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- A ticket whose rating is confirmed as fraud, or superseded, is voided; restoring puts it back where
-- it stood. These columns were first added by an edit of 2026-12-08T06-risk (since undone: migrations
-- are frozen), so a database migrated by that edit has them already.
ALTER TABLE ticket ADD COLUMN IF NOT EXISTS voided_from text, ADD COLUMN IF NOT EXISTS voided_at timestamptz;
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`ALTER TABLE ticket DROP COLUMN voided_from, DROP COLUMN voided_at;`).execute(db);
}
