import { beforeAll, expect, it } from 'vitest';
import { sm3 } from '../crypto/sm.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { AppError } from '../errors.ts';
import { cliActor } from './admin-audit.ts';
import { hashPassword } from './passwords.ts';
import { login, logout, resolveSession } from './sessions.ts';
import { createStaffAccount, setStaffAccountActive } from './staff-accounts.ts';
import { places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig({ SESSION_TTL_HOURS: '12' });
const now = new Date('2026-12-01T02:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const HOUR = 3_600_000;
const password = 'sichuan-2026-good';

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal');
}

describeOnEngines('sessions', (database) => {
  beforeAll(async () => {
    const { db } = database();
    await seedPlaces(db);
    await createStaffAccount(db, { username: 'cd.admin', password, displayName: '成都市管理员', role: 'city_admin', scopeRegionCode: places.chengdu }, now);
    await createStaffAccount(db, { username: 'jj.handler', password, displayName: '锦江经办', role: 'org_handler', scopeOrgId: places.jinjiangOrgId }, now);
  });

  it('signs in and resolves the token to a staff caller with the region path', async () => {
    const session = await login(database().db, config, 'CD.Admin', password, now);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toEqual(later(12 * HOUR));
    expect(session.account).toMatchObject({ username: 'cd.admin', role: 'city_admin', regionPath: '510000/510100/' });
    const caller = await resolveSession(database().db, session.token, later(HOUR));
    expect(caller).toEqual({ kind: 'staff', accountId: session.account.id, username: 'cd.admin', role: 'city_admin', regionPath: '510000/510100/', orgId: null });
  });

  it('gives org handlers their org and no region', async () => {
    const session = await login(database().db, config, 'jj.handler', password, now);
    const caller = await resolveSession(database().db, session.token, now);
    expect(caller).toMatchObject({ role: 'org_handler', regionPath: null, orgId: places.jinjiangOrgId });
  });

  it('stores only the SM3 digest of the token', async () => {
    const session = await login(database().db, config, 'cd.admin', password, now);
    const rows = await database().db.selectFrom('staff_session').select('token_hash').execute();
    const digests = rows.map((r) => Buffer.from(r.token_hash).toString('hex'));
    expect(digests).toContain(sm3(session.token).toString('hex'));
    expect(digests.some((d) => d.includes(Buffer.from(session.token).toString('hex')))).toBe(false);
  });

  it('expires the session after the configured hours', async () => {
    const session = await login(database().db, config, 'cd.admin', password, now);
    await expect(resolveSession(database().db, session.token, later(12 * HOUR - 1))).resolves.toMatchObject({ username: 'cd.admin' });
    expect((await failure(resolveSession(database().db, session.token, later(12 * HOUR)))).code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('refuses unknown and malformed tokens as expired', async () => {
    expect((await failure(resolveSession(database().db, 'A'.repeat(43), now))).code).toBe('AUTH_SESSION_EXPIRED');
    expect((await failure(resolveSession(database().db, 'not a token', now))).code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('ends a session at logout, and logging out twice is harmless', async () => {
    const session = await login(database().db, config, 'cd.admin', password, now);
    await logout(database().db, session.token);
    await logout(database().db, session.token);
    expect((await failure(resolveSession(database().db, session.token, now))).code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('gives one and the same answer for an unknown user and a wrong password', async () => {
    const unknown = await failure(login(database().db, config, 'no.such.user', password, now));
    const wrong = await failure(login(database().db, config, 'cd.admin', 'wrong-password-123', now));
    const malformed = await failure(login(database().db, config, '张三', password, now));
    expect(unknown).toEqual({ code: 'AUTH_LOGIN_FAILED', message: wrong.message, details: undefined });
    expect(wrong).toEqual(unknown);
    expect(malformed).toEqual(unknown);
  });

  it('does the password work for unknown users too', async () => {
    const time = async (username: string) => {
      const t = performance.now();
      await failure(login(database().db, config, username, 'wrong-password-123', now));
      return performance.now() - t;
    };
    // Warm up once, then compare: with the dummy check both take one scrypt (~0.1 s); without
    // it an unknown user would answer in a few milliseconds.
    await time('cd.admin');
    const [unknown, known] = [await time('no.such.user'), await time('cd.admin')];
    expect(unknown).toBeGreaterThan(known / 3);
  });

  it('refuses a deactivated account, and ends its sessions at once', async () => {
    const { db } = database();
    await createStaffAccount(db, { username: 'leaving', password, displayName: 'L', role: 'supervisor', scopeRegionCode: places.province }, now);
    const session = await login(db, config, 'leaving', password, now);
    await setStaffAccountActive(db, { username: 'leaving', active: false, actor: cliActor('operator'), caller: null }, now);
    expect((await failure(resolveSession(db, session.token, now))).code).toBe('AUTH_SESSION_EXPIRED');
    // The session row itself is gone, not only refused.
    expect(await db.selectFrom('staff_session').select('token_hash').where('token_hash', '=', sm3(session.token)).execute()).toEqual([]);
    // Its holder (right password) is told the account is disabled; anyone else learns nothing.
    expect((await failure(login(db, config, 'leaving', password, now))).code).toBe('AUTH_ACCOUNT_DISABLED');
    expect((await failure(login(db, config, 'leaving', 'a-wrong-password-1', now))).code).toBe('AUTH_LOGIN_FAILED');
    // Enabled again, it signs in as before.
    await setStaffAccountActive(db, { username: 'leaving', active: true, actor: cliActor('operator'), caller: null }, now);
    expect((await login(db, config, 'leaving', password, now)).account.username).toBe('leaving');
  });

  it('upgrades a hash made with weaker parameters at sign-in', async () => {
    const { db } = database();
    const account = await createStaffAccount(db, { username: 'old.hash', password, displayName: 'O', role: 'supervisor', scopeRegionCode: places.province }, now);
    await db.updateTable('staff_account').set({ password_hash: await hashPassword(password, { N: 1024, r: 8, p: 1 }) }).where('id', '=', account.id).execute();
    await login(db, config, 'old.hash', password, now);
    const row = await db.selectFrom('staff_account').select('password_hash').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    await login(db, config, 'old.hash', password, now);
  });
});
