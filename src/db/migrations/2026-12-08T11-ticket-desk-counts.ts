// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- The desk's counts per state of a scope (src/tickets/desk-queries.ts deskCounts), read from the index
-- alone; at the province's scale (10^5 tickets and more, nearly all closed) a scan of the table was the
-- slowest request of the desk.
CREATE INDEX ticket_desk_scope_state_idx ON ticket (region_path text_pattern_ops, state);
-- The running tickets (not closed, not voided: UNWATCHED_STATES of src/tickets/state-machine.ts) of a
-- scope, with every column their next deadline and "waiting for a decision" read, so that the
-- workbench and the due and decision counts never visit the closed ones nor the table.
CREATE INDEX ticket_desk_running_idx ON ticket (region_path text_pattern_ops)
  INCLUDE (state, extension_state, verify_due_at, verify_done_at, reply_due_at, reply_done_at, appeal_due_at, appeal_decided_at, org_id)
  WHERE state NOT IN ('closed', 'closed_invalid', 'closed_cannot_fix', 'voided');
`).execute(db);
}
