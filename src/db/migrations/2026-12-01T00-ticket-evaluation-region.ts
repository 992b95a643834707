// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- The region a ticket's evaluation counts in (the case's area; region_code is the assigned org's).
-- Live rankings count the open overdue tickets per region from the ticket alone, without a lookup
-- into the evaluation ledger per ticket.
ALTER TABLE ticket ADD COLUMN evaluation_region_code text;
UPDATE ticket t SET evaluation_region_code = e.region_code FROM evaluation e WHERE e.id = t.evaluation_id;
ALTER TABLE ticket ALTER COLUMN evaluation_region_code SET NOT NULL;
COMMENT ON COLUMN ticket.evaluation_region_code IS 'region of the evaluation (the case''s area), which the figures count the ticket in';
-- The unanswered tickets of a period with all that the overdue count reads: an index-only scan.
CREATE INDEX ticket_open_overdue_idx ON ticket (opened_day) INCLUDE (reply_due_at, appeal_state, evaluation_region_code, org_id, evaluation_id) WHERE reply_done_at IS NULL;
`).execute(db);
}
