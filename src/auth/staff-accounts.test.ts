import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { verifyPassword } from './passwords.ts';
import { adminChangesOf, cliActor } from './admin-audit.ts';
import { createStaffAccount, findStaffAccount, setStaffAccountActive } from './staff-accounts.ts';
import { places, seedPlaces } from './testing.ts';

const now = new Date('2026-12-01T02:00:00Z');
const password = 'sichuan-2026-good';

describeOnEngines('staff accounts', (database) => {
  beforeAll(async () => {
    await seedPlaces(database().db);
  });

  it('creates a city admin scoped to a region, with a hashed password', async () => {
    const account = await createStaffAccount(database().db, { username: 'CD.Admin', password, displayName: '成都市管理员', role: 'city_admin', scopeRegionCode: places.chengdu }, now);
    expect(account).toMatchObject({ username: 'cd.admin', role: 'city_admin', scopeRegionCode: places.chengdu, regionPath: '510000/510100/', scopeOrgId: null, active: true });
    const stored = await findStaffAccount(database().db, { username: 'cd.admin' });
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(stored?.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, stored?.passwordHash ?? '')).toBe(true);
    expect((await findStaffAccount(database().db, { id: account.id }))?.username).toBe('cd.admin');
  });

  it('creates an org handler scoped to an org', async () => {
    const account = await createStaffAccount(database().db, { username: 'jj.handler', password, displayName: '锦江经办', role: 'org_handler', scopeOrgId: places.jinjiangOrgId }, now);
    expect(account).toMatchObject({ role: 'org_handler', scopeOrgId: places.jinjiangOrgId, scopeRegionCode: null, regionPath: null });
  });

  it('needs an org for org handlers and a region, not an org, for the other roles', async () => {
    const { db } = database();
    const base = { password, displayName: 'X' };
    await expect(createStaffAccount(db, { ...base, username: 'h1x', role: 'org_handler' }, now)).rejects.toMatchObject({ code: 'AUTH_ACCOUNT_SCOPE_INVALID' });
    await expect(createStaffAccount(db, { ...base, username: 'h2x', role: 'org_handler', scopeRegionCode: places.chengdu }, now)).rejects.toMatchObject({ code: 'AUTH_ACCOUNT_SCOPE_INVALID' });
    await expect(createStaffAccount(db, { ...base, username: 's1x', role: 'supervisor' }, now)).rejects.toMatchObject({ code: 'AUTH_ACCOUNT_SCOPE_INVALID' });
    await expect(createStaffAccount(db, { ...base, username: 's2x', role: 'province_admin', scopeRegionCode: places.province, scopeOrgId: places.jinjiangOrgId }, now)).rejects.toMatchObject({
      code: 'AUTH_ACCOUNT_SCOPE_INVALID',
    });
  });

  it('checks that the region or org exists', async () => {
    const { db } = database();
    const base = { password, displayName: 'X' };
    await expect(createStaffAccount(db, { ...base, username: 'r1x', role: 'city_admin', scopeRegionCode: '511100' }, now)).rejects.toMatchObject({ code: 'REGION_UNKNOWN' });
    await expect(createStaffAccount(db, { ...base, username: 'r2x', role: 'city_admin', scopeRegionCode: 'chengdu' }, now)).rejects.toMatchObject({ code: 'REGION_UNKNOWN' });
    await expect(createStaffAccount(db, { ...base, username: 'o1x', role: 'org_handler', scopeOrgId: '0190a5b0-0000-7000-8000-0000000000ff' }, now)).rejects.toMatchObject({ code: 'ORG_UNKNOWN' });
    await expect(createStaffAccount(db, { ...base, username: 'o2x', role: 'org_handler', scopeOrgId: 'org-1' }, now)).rejects.toMatchObject({ code: 'ORG_UNKNOWN' });
  });

  it('refuses weak passwords, malformed usernames and duplicates, whatever their case', async () => {
    const { db } = database();
    const base = { displayName: 'X', role: 'supervisor', scopeRegionCode: places.province } as const;
    await expect(createStaffAccount(db, { ...base, username: 'weak.pw', password: 'short' }, now)).rejects.toMatchObject({ code: 'AUTH_PASSWORD_TOO_WEAK' });
    await expect(createStaffAccount(db, { ...base, username: 'same.as.name', password: 'Same.As.Name' }, now)).rejects.toMatchObject({ code: 'AUTH_PASSWORD_TOO_WEAK' });
    await expect(createStaffAccount(db, { ...base, username: 'ab', password }, now)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(createStaffAccount(db, { ...base, username: '张三', password }, now)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await createStaffAccount(db, { ...base, username: 'province.sup', password }, now);
    await expect(createStaffAccount(db, { ...base, username: 'Province.Sup', password }, now)).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
  });

  it('disables and enables an account, recording each real change with who and when', async () => {
    const { db } = database();
    const account = await createStaffAccount(db, { username: 'leaving', password, displayName: 'L', role: 'supervisor', scopeRegionCode: places.province }, now);
    const operator = cliActor('ops');
    const later = new Date(now.getTime() + 60_000);
    expect((await setStaffAccountActive(db, { username: 'Leaving', active: false, actor: operator, caller: null }, now)).active).toBe(false);
    expect((await findStaffAccount(db, { username: 'leaving' }))?.active).toBe(false);
    // Disabling again changes nothing and records nothing.
    await setStaffAccountActive(db, { username: 'leaving', active: false, actor: operator, caller: null }, now);
    await setStaffAccountActive(db, { username: 'leaving', active: true, actor: operator, caller: null }, later);
    expect((await findStaffAccount(db, { username: 'leaving' }))?.active).toBe(true);
    expect(await adminChangesOf(db, 'staff_account', account.id)).toEqual([
      { at: now, actor: { id: 'cli', name: 'ops', role: 'cli' }, action: 'staff_account.disable', targetKind: 'staff_account', targetId: account.id, details: { username: 'leaving' } },
      { at: later, actor: { id: 'cli', name: 'ops', role: 'cli' }, action: 'staff_account.enable', targetKind: 'staff_account', targetId: account.id, details: { username: 'leaving' } },
    ]);
    await expect(setStaffAccountActive(db, { username: 'nobody-here', active: false, actor: operator, caller: null }, now)).rejects.toMatchObject({ code: 'STAFF_ACCOUNT_NOT_FOUND' });
    // The log is append-only.
    await expect(db.deleteFrom('admin_audit').execute()).rejects.toThrow(/LEDGER_APPEND_ONLY/);
  });
});
