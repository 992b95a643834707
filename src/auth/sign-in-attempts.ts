// Sign-in attempts kept in the database, so that every process (HTTP_WORKERS, several servers)
// counts the same failures. An attempt is recorded before the password is checked and deleted
// when it was right: what is left are failures. Recording first, under a transaction-scoped
// advisory lock per account name and per address, means that a burst of parallel guesses cannot
// all pass the check before any of them has failed: exactly N reach the password check.
// Account names are counted as typed (normalised), whether an account has that name or not, so
// that neither the answer nor the lock tells which names exist. Rows are pruned by the upkeep job
// (src/jobs/pruning.ts) once the rule can no longer use them.
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Config } from '../config/config.ts';
import { hmacSm3 } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { lockedUntil, retryAfterSeconds, signInSourceOf } from './sign-in-rule.ts';
import { normaliseUsername } from './staff-accounts.ts';

/** The address counted for callers that have none (the command line, tests calling login directly). */
export const NO_ADDRESS = 'local';

export interface AttemptSubject {
  username: string;
  /** The client's address (request.ip). */
  address: string;
}

const accountHashOf = (config: Config, username: string) => hmacSm3(config.pii.lookupKey, 'sign-in-account', normaliseUsername(username));
const addressHashOf = (config: Config, address: string) => hmacSm3(config.pii.lookupKey, 'sign-in-address', signInSourceOf(address));
/** A 64-bit advisory lock key from a keyed hash. */
const lockKeyOf = (hash: Buffer) => hash.readBigInt64BE(0);

/**
 * Refuses with AUTH_SIGN_IN_LOCKED (details.retryAfterSeconds) while the account name or the
 * address is locked; otherwise records the attempt and returns its id, for attemptSucceeded.
 */
export async function beginSignInAttempt(db: Kysely<DB>, config: Config, subject: AttemptSubject, now: Date): Promise<string> {
  const accountHash = accountHashOf(config, subject.username);
  const addressHash = addressHashOf(config, subject.address);
  const { account: accountLimit, address: addressLimit } = config.auth.signIn;
  return db.transaction().execute(async (trx) => {
    // In a fixed order, so that two attempts never wait on each other's second lock.
    for (const key of [lockKeyOf(accountHash), lockKeyOf(addressHash)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      await sql`SELECT pg_advisory_xact_lock(${key.toString()}::bigint)`.execute(trx);
    }
    const newest = async (column: 'account_hash' | 'address_hash', hash: Buffer, limit: number) =>
      (await trx.selectFrom('sign_in_attempt').select('at').where(column, '=', hash).orderBy('at', 'desc').limit(limit).execute()).map((row) => row.at);
    const locks = [
      lockedUntil(await newest('account_hash', accountHash, accountLimit.maxFailures), accountLimit, now),
      lockedUntil(await newest('address_hash', addressHash, addressLimit.maxFailures), addressLimit, now),
    ].filter((until): until is Date => until !== null);
    if (locks.length > 0) {
      const until = new Date(Math.max(...locks.map((lock) => lock.getTime())));
      throw new AppError('AUTH_SIGN_IN_LOCKED', { retryAfterSeconds: retryAfterSeconds(until, now) });
    }
    const id = uuidv7();
    await trx.insertInto('sign_in_attempt').values({ id, account_hash: accountHash, address_hash: addressHash, at: now }).execute();
    return id;
  });
}

/**
 * The password was right: this attempt was no failure, and the account name's earlier failures
 * are forgiven (its holder typed it right at last). The address keeps its other failures.
 */
export async function attemptSucceeded(db: Kysely<DB>, config: Config, username: string, attemptId: string): Promise<void> {
  const accountHash = accountHashOf(config, username);
  await db.deleteFrom('sign_in_attempt').where((eb) => eb.or([eb('id', '=', attemptId), eb('account_hash', '=', accountHash)])).execute();
}
