// Staff sessions: an opaque random token held by the browser (cookie) or client (bearer); the
// database keeps only its SM3 digest, so a leaked table does not let anyone sign in.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import { sm3 } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { attemptSucceeded, beginSignInAttempt, NO_ADDRESS } from './sign-in-attempts.ts';
import { findStaffAccount, normaliseUsername, USERNAME_PATTERN, type StaffAccount } from './staff-accounts.ts';

const TOKEN_BYTES = 32;
// 32 bytes in base64url without padding.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  token: string;
  /** SM3 of the token: what the database keeps, and what the CSRF token is derived from. */
  tokenHash: Buffer;
  expiresAt: Date;
  account: StaffAccount;
}

/** A session as the guard finds it: who, until when, and whether the password must change first. */
export interface ResolvedSession {
  caller: StaffCaller;
  tokenHash: Buffer;
  expiresAt: Date;
  mustChangePassword: boolean;
}

export function sessionTokenHash(token: string): Buffer {
  return sm3(token);
}

/**
 * Signs in. Unknown user and wrong password both give AUTH_LOGIN_FAILED after the same scrypt
 * work, so neither the answer nor its timing reveals which usernames exist. A disabled account
 * gives AUTH_ACCOUNT_DISABLED, but only with its right password: only its holder learns it.
 * Before any of that, repeated failures of the name or the address (`address`: request.ip) lock
 * them for a while (AUTH_SIGN_IN_LOCKED, src/auth/sign-in-attempts.ts), known names or not.
 */
export async function login(db: Kysely<DB>, config: Config, username: string, password: string, now: Date, address: string = NO_ADDRESS): Promise<Session> {
  const name = normaliseUsername(username);
  const attemptId = await beginSignInAttempt(db, config, { username: name, address }, now);
  const found = USERNAME_PATTERN.test(name) ? await findStaffAccount(db, { username: name }) : null;
  const verified = found ? await verifyPassword(password, found.passwordHash) : await verifyAgainstDummy(password);
  if (!found || !verified) throw new AppError('AUTH_LOGIN_FAILED');
  await attemptSucceeded(db, config, name, attemptId);
  if (!found.active) throw new AppError('AUTH_ACCOUNT_DISABLED');
  const { passwordHash, ...account } = found;

  // The only moment the plain password is at hand: upgrade hashes made with older parameters.
  if (needsRehash(passwordHash)) {
    await db.updateTable('staff_account').set({ password_hash: await hashPassword(password) }).where('id', '=', account.id).execute();
  }

  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const expiresAt = new Date(now.getTime() + config.auth.sessionTtlHours * 3_600_000);
  // Expired sessions are pruned by the upkeep job (src/jobs/pruning.ts).
  const hash = sessionTokenHash(token);
  await db.insertInto('staff_session').values({ token_hash: hash, account_id: account.id, created_at: now, expires_at: expiresAt }).execute();
  return { token, tokenHash: hash, expiresAt, account };
}

/** The session a token stands for; AUTH_SESSION_EXPIRED for an unknown, expired or disabled one. */
export async function resolveStaffSession(db: Kysely<DB>, token: string, now: Date): Promise<ResolvedSession> {
  if (!TOKEN_PATTERN.test(token)) throw new AppError('AUTH_SESSION_EXPIRED');
  const hash = sessionTokenHash(token);
  const row = await db
    .selectFrom('staff_session')
    .innerJoin('staff_account', 'staff_account.id', 'staff_session.account_id')
    .leftJoin('region', 'region.code', 'staff_account.scope_region_code')
    .select(['staff_account.id', 'staff_account.username', 'staff_account.role', 'staff_account.scope_org_id', 'staff_account.must_change_password', 'region.path', 'staff_session.expires_at'])
    .where('staff_session.token_hash', '=', hash)
    .where('staff_session.expires_at', '>', now)
    .where('staff_account.active', '=', true)
    .executeTakeFirst();
  if (!row) throw new AppError('AUTH_SESSION_EXPIRED');
  return {
    caller: {
      kind: 'staff',
      accountId: row.id,
      username: row.username,
      role: row.role,
      // Org handlers act on their org, not on a region subtree (see policy.ts callerCovers).
      regionPath: row.role === 'org_handler' ? null : row.path,
      orgId: row.scope_org_id,
    },
    tokenHash: hash,
    expiresAt: row.expires_at,
    mustChangePassword: row.must_change_password,
  };
}

/** The caller a token stands for; AUTH_SESSION_EXPIRED for an unknown, expired or disabled one. */
export async function resolveSession(db: Kysely<DB>, token: string, now: Date): Promise<StaffCaller> {
  return (await resolveStaffSession(db, token, now)).caller;
}

/** Ends the session of this token; a no-op for an unknown one, so logging out twice is harmless. */
export async function logout(db: Kysely<DB>, token: string): Promise<void> {
  if (!TOKEN_PATTERN.test(token)) return;
  await db.deleteFrom('staff_session').where('token_hash', '=', sessionTokenHash(token)).execute();
}
