// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  // Aborts the statement it is called in, undoing every part of it: the intake fast path writes
  // claims and rows in one statement and calls this when any claim did not go as expected.
  await sql.raw(`
CREATE FUNCTION intake_require(passed boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF passed IS NOT TRUE THEN
    RAISE EXCEPTION 'INTAKE_FAST_PATH_CONFLICT' USING ERRCODE = 'HC001';
  END IF;
  RETURN true;
END
$fn$;
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION intake_require(boolean)`.execute(db);
}
