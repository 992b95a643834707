// Staff accounts: who may sign in to the console, in which role, over which region or org.
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB, StaffRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import { recordAdminChange, type AdminActor } from './admin-audit.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { mayManageAccount, type Placement } from './policy.ts';
import { isUniqueViolation } from './unique-violation.ts';

export const STAFF_ROLES: readonly StaffRole[] = ['province_admin', 'city_admin', 'org_handler', 'supervisor'];
export const USERNAME_PATTERN = /^[a-z0-9_.@-]{3,64}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewStaffAccount {
  username: string;
  password: string;
  displayName: string;
  role: StaffRole;
  /** Required for every role except org_handler. */
  scopeRegionCode?: string | null;
  /** Required for org_handler, refused for the others. */
  scopeOrgId?: string | null;
  /** A password someone else knows (generated and printed): its holder must choose their own first. */
  mustChangePassword?: boolean;
}

export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  scopeRegionCode: string | null;
  /** Path of the scope region ('510000/510100/'); null for org handlers. */
  regionPath: string | null;
  scopeOrgId: string | null;
  active: boolean;
  /** Signed in, the account may do nothing but change its password (src/auth/guard.ts). */
  mustChangePassword: boolean;
  createdAt: Date;
}

/**
 * Usernames are compared case-insensitively (stored lowercased), so 'Zhang.San' and
 * 'zhang.san' cannot be two accounts that look alike on screen.
 */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function isStaffRole(value: string): value is StaffRole {
  return STAFF_ROLES.some((role) => role === value);
}

export async function createStaffAccount(db: Kysely<DB>, input: NewStaffAccount, now: Date): Promise<StaffAccount> {
  const username = normaliseUsername(input.username);
  if (!USERNAME_PATTERN.test(username)) throw new AppError('VALIDATION_FAILED', { field: 'username', reason: '3-64 characters of a-z 0-9 _ . @ -' });
  const displayName = input.displayName.trim();
  if (displayName.length < 1 || displayName.length > 100) throw new AppError('VALIDATION_FAILED', { field: 'displayName', reason: '1-100 characters' });
  if (!isStaffRole(input.role)) throw new AppError('VALIDATION_FAILED', { field: 'role', allowed: STAFF_ROLES });
  const refusal = checkPasswordPolicy(input.password, username);
  if (refusal) throw new AppError(refusal.code, refusal.details);

  const regionCode = input.scopeRegionCode ?? null;
  const orgId = input.scopeOrgId ?? null;
  // One scope per account, the one its role works on, so that policy never has to choose.
  const fits = input.role === 'org_handler' ? orgId !== null && regionCode === null : regionCode !== null && orgId === null;
  if (!fits) throw new AppError('AUTH_ACCOUNT_SCOPE_INVALID', { role: input.role, scopeRegionCode: regionCode, scopeOrgId: orgId });

  let regionPath: string | null = null;
  if (regionCode !== null) {
    const region = /^[0-9]{6}([0-9]{6})?$/.test(regionCode)
      ? await db.selectFrom('region').select('path').where('code', '=', regionCode).executeTakeFirst()
      : undefined;
    if (!region) throw new AppError('REGION_UNKNOWN', { regionCode });
    regionPath = region.path;
  }
  if (orgId !== null) {
    const org = UUID_PATTERN.test(orgId) ? await db.selectFrom('org').select('id').where('id', '=', orgId).executeTakeFirst() : undefined;
    if (!org) throw new AppError('ORG_UNKNOWN', { orgId });
  }

  const account: StaffAccount = {
    id: uuidv7(),
    username,
    displayName,
    role: input.role,
    scopeRegionCode: regionCode,
    regionPath,
    scopeOrgId: orgId,
    active: true,
    mustChangePassword: input.mustChangePassword ?? false,
    createdAt: now,
  };
  const passwordHash = await hashPassword(input.password);
  try {
    await db
      .insertInto('staff_account')
      .values({
        id: account.id,
        username,
        password_hash: passwordHash,
        display_name: displayName,
        role: account.role,
        scope_region_code: regionCode,
        scope_org_id: orgId,
        active: true,
        must_change_password: account.mustChangePassword,
        created_at: now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE_KEY', { username });
    throw error;
  }
  return account;
}

/** The account with its scope region's path, or null. Inactive accounts are returned too. */
export async function findStaffAccount(db: Kysely<DB>, by: { id: string } | { username: string }): Promise<(StaffAccount & { passwordHash: string }) | null> {
  let query = db
    .selectFrom('staff_account')
    .leftJoin('region', 'region.code', 'staff_account.scope_region_code')
    .select([
      'staff_account.id',
      'staff_account.username',
      'staff_account.password_hash',
      'staff_account.display_name',
      'staff_account.role',
      'staff_account.scope_region_code',
      'staff_account.scope_org_id',
      'staff_account.active',
      'staff_account.must_change_password',
      'staff_account.created_at',
      'region.path',
    ]);
  if ('id' in by) {
    if (!UUID_PATTERN.test(by.id)) return null;
    query = query.where('staff_account.id', '=', by.id);
  } else {
    query = query.where('staff_account.username', '=', normaliseUsername(by.username));
  }
  const row = await query.executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    displayName: row.display_name,
    role: row.role,
    scopeRegionCode: row.scope_region_code,
    regionPath: row.path,
    scopeOrgId: row.scope_org_id,
    active: row.active,
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at,
  };
}

export interface AccountActiveChange {
  username: string;
  active: boolean;
  actor: AdminActor;
  /** The staff member asking, whom policy must allow; null for the command line (the operator). */
  caller: StaffCaller | null;
}

/**
 * Disables or enables an account. Disabling ends its sessions at once and it can no longer sign
 * in (AUTH_ACCOUNT_DISABLED); a real change is recorded in admin_audit with the change itself.
 */
export async function setStaffAccountActive(db: Kysely<DB>, change: AccountActiveChange, now: Date): Promise<StaffAccount> {
  return db.transaction().execute(async (trx) => {
    const found = await findStaffAccount(trx, { username: change.username });
    if (!found) throw new AppError('STAFF_ACCOUNT_NOT_FOUND', { username: change.username });
    const { passwordHash: _secret, ...account } = found;
    if (change.caller !== null) {
      if (change.caller.accountId === account.id) throw new AppError('AUTH_FORBIDDEN', { reason: 'not your own account' });
      if (!mayManageAccount(change.caller, { accountId: account.id, placement: await accountPlacement(trx, account) })) {
        throw new AppError('AUTH_OUT_OF_SCOPE', { username: account.username });
      }
    }
    // Only a real change is recorded; the condition makes two concurrent requests record one.
    const updated = await trx.updateTable('staff_account').set({ active: change.active }).where('id', '=', account.id).where('active', '!=', change.active).executeTakeFirst();
    if (!change.active) await trx.deleteFrom('staff_session').where('account_id', '=', account.id).execute();
    if (updated.numUpdatedRows > 0n) {
      await recordAdminChange(
        trx,
        { actor: change.actor, action: change.active ? 'staff_account.enable' : 'staff_account.disable', targetKind: 'staff_account', targetId: account.id, details: { username: account.username } },
        now,
      );
    }
    return { ...account, active: change.active };
  });
}

/** Where an account works: its scope region, or its org's region and the org. */
async function accountPlacement(db: Kysely<DB>, account: StaffAccount): Promise<Placement> {
  if (account.scopeOrgId === null) return { regionPath: account.regionPath ?? '', orgId: null };
  const org = await db.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select('region.path').where('org.id', '=', account.scopeOrgId).executeTakeFirst();
  return { regionPath: org?.path ?? '', orgId: account.scopeOrgId };
}
