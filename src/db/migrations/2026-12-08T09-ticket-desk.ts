// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- The ticket desk pages through tickets by keyset, (sort key, id), never OFFSET: newest first
-- (the default), oldest first, and next deadline first. The next deadline is the expression of
-- src/tickets/desk-sql.ts (the running deadline due first; 'infinity' when none runs), which must
-- stay identical to this index's for the index to serve it.
CREATE INDEX ticket_desk_opened_idx ON ticket (evaluated_at, id);
CREATE INDEX ticket_desk_org_opened_idx ON ticket (org_id, evaluated_at, id);
CREATE INDEX ticket_desk_next_due_idx ON ticket ((COALESCE(LEAST(
  CASE WHEN verify_done_at IS NULL AND state IN ('open', 'verifying') THEN verify_due_at END,
  CASE WHEN reply_done_at IS NULL AND state NOT IN ('closed', 'closed_invalid', 'closed_cannot_fix', 'voided') THEN reply_due_at END,
  CASE WHEN state = 'appealing' AND appeal_decided_at IS NULL THEN appeal_due_at END
), 'infinity'::timestamptz)), id);
CREATE INDEX ticket_desk_org_next_due_idx ON ticket (org_id, (COALESCE(LEAST(
  CASE WHEN verify_done_at IS NULL AND state IN ('open', 'verifying') THEN verify_due_at END,
  CASE WHEN reply_done_at IS NULL AND state NOT IN ('closed', 'closed_invalid', 'closed_cannot_fix', 'voided') THEN reply_due_at END,
  CASE WHEN state = 'appealing' AND appeal_decided_at IS NULL THEN appeal_due_at END
), 'infinity'::timestamptz)), id);
`).execute(db);
}
