// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- The State Council's yearly holiday notices entered by an operator (npm run cli -- calendar
-- import), for the years after those the code ships with (src/calendar/). A year, once entered,
-- is final: append-only like the other logs. holidays: [{ name, from, to }]; workdays: [day].
CREATE TABLE calendar_notice (
  year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2099),
  title text NOT NULL,
  published text NOT NULL,
  url text,
  holidays jsonb NOT NULL,
  workdays jsonb NOT NULL,
  entered_by text NOT NULL,
  entered_at timestamptz NOT NULL
);
CREATE TRIGGER calendar_notice_append_only BEFORE UPDATE OR DELETE ON calendar_notice FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER calendar_notice_no_truncate BEFORE TRUNCATE ON calendar_notice FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- The end of the known calendar was told to the admins, once per last covered year.
CREATE TABLE calendar_warning (
  last_year integer PRIMARY KEY,
  warned_at timestamptz NOT NULL,
  accounts integer NOT NULL
);

-- Which of a ticket's working-day deadlines (verify, appeal) were counted beyond the known
-- calendar, on the statutory holidays alone: recomputed when the year's notice is entered.
ALTER TABLE ticket ADD COLUMN provisional_deadlines text[] NOT NULL DEFAULT '{}';
CREATE INDEX ticket_provisional_idx ON ticket (id) WHERE provisional_deadlines <> '{}';
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
DROP INDEX ticket_provisional_idx;
ALTER TABLE ticket DROP COLUMN provisional_deadlines;
DROP TABLE calendar_warning;
DROP TABLE calendar_notice;
`).execute(db);
}
