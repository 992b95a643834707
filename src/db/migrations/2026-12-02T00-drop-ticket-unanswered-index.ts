// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- The overdue count reads ticket_open_overdue_idx (2026-12-01T00) now; nothing reads the index of the
-- unanswered tickets by deadline any more, and every ticket write paid for it.
DROP INDEX IF EXISTS ticket_unanswered_idx;
`).execute(db);
}
