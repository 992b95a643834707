// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- Accounts given a generated password (the CLI prints it once) must choose their own before
-- anything else (src/auth/guard.ts).
ALTER TABLE staff_account ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Sign-in attempts that have not succeeded (src/auth/sign-in-attempts.ts): recorded before the
-- password is checked, deleted when it was right, so what is left are failures (and attempts
-- still being checked). Counted per account name and per client address, both kept only as keyed
-- hashes (a name typed may be a password typed in the wrong box; an address is personal data).
CREATE TABLE sign_in_attempt (
  id uuid PRIMARY KEY,
  account_hash bytea NOT NULL,
  address_hash bytea NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX sign_in_attempt_account_idx ON sign_in_attempt (account_hash, at);
CREATE INDEX sign_in_attempt_address_idx ON sign_in_attempt (address_hash, at);
CREATE INDEX sign_in_attempt_at_idx ON sign_in_attempt (at);
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
DROP TABLE sign_in_attempt;
ALTER TABLE staff_account DROP COLUMN must_change_password;
`).execute(db);
}
