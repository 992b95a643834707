// A staff member changes their own password: the current one first (a wrong one counts toward
// the sign-in lock like a failed sign-in, so a session left open is no way to guess it), then the
// policy; the account's other sessions end and the demand to change it (a generated password) is
// lifted. Recorded in the admin audit log.
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import { recordAdminChange, staffActor } from './admin-audit.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import { attemptSucceeded, beginSignInAttempt } from './sign-in-attempts.ts';
import { findStaffAccount } from './staff-accounts.ts';

export interface PasswordChange {
  caller: StaffCaller;
  currentPassword: string;
  newPassword: string;
  /** SM3 of the session's token the change is made in: that session stays, the others end. */
  keepSessionHash: Uint8Array | null;
  /** The client's address (request.ip), counted like a sign-in's. */
  address: string;
}

export async function changePassword(db: Kysely<DB>, config: Config, change: PasswordChange, now: Date): Promise<void> {
  const username = change.caller.username;
  const attemptId = await beginSignInAttempt(db, config, { username, address: change.address }, now);
  const account = await findStaffAccount(db, { id: change.caller.accountId });
  // Disabled or deleted since the guard let the request in: as good as a session ended.
  if (!account || !account.active) throw new AppError('AUTH_SESSION_EXPIRED');
  if (!(await verifyPassword(change.currentPassword, account.passwordHash))) throw new AppError('AUTH_PASSWORD_WRONG');
  await attemptSucceeded(db, config, username, attemptId);

  const refusal = checkPasswordPolicy(change.newPassword, account.username);
  if (refusal) throw new AppError(refusal.code, refusal.details);
  if (change.newPassword.normalize('NFC') === change.currentPassword.normalize('NFC')) {
    throw new AppError('AUTH_PASSWORD_TOO_WEAK', { reason: 'same as the current password' });
  }
  const passwordHash = await hashPassword(change.newPassword);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_account').set({ password_hash: passwordHash, must_change_password: false }).where('id', '=', account.id).execute();
    let others = trx.deleteFrom('staff_session').where('account_id', '=', account.id);
    if (change.keepSessionHash !== null) others = others.where('token_hash', '!=', Buffer.from(change.keepSessionHash));
    const ended = await others.executeTakeFirst();
    await recordAdminChange(
      trx,
      {
        actor: staffActor(change.caller),
        action: 'staff_account.password_change',
        targetKind: 'staff_account',
        targetId: account.id,
        details: { username: account.username, otherSessionsEnded: Number(ended.numDeletedRows), wasRequired: account.mustChangePassword },
      },
      now,
    );
  });
}
