import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { adminChangesOf } from './admin-audit.ts';
import { createIntegratorAppCommand, createStaffAccountCommand, setIntegratorAppActiveCommand, setStaffAccountActiveCommand } from './auth-cli.ts';
import { loadIntegratorApp } from './integrator-apps.ts';
import { login, resolveSession } from './sessions.ts';
import { places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig();
const now = new Date('2026-12-01T02:00:00Z');

describeOnEngines('auth CLI commands', (database) => {
  beforeAll(async () => {
    await seedPlaces(database().db);
  });

  it('creates a staff account with a generated password shown once, which then signs in', async () => {
    const lines: string[] = [];
    const account = await createStaffAccountCommand(database().db, { username: 'prov.admin', displayName: '省级管理员', role: 'province_admin', scopeRegionCode: places.province }, now, (l) => lines.push(l));
    expect(account.role).toBe('province_admin');
    const password = lines[lines.findIndex((l) => l.includes('Initial password')) + 1]?.trim() ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Someone else has seen it: its holder must choose their own at the first sign-in.
    await expect(login(database().db, config, 'prov.admin', password, now)).resolves.toMatchObject({ account: { username: 'prov.admin', mustChangePassword: true } });
    expect(lines.join('\n')).toContain('must be changed at the first sign-in');
  });

  it('does not print a password the operator chose', async () => {
    const lines: string[] = [];
    await createStaffAccountCommand(database().db, { username: 'jj.handler', password: 'chosen-password-1', displayName: '锦江经办', role: 'org_handler', scopeOrgId: places.jinjiangOrgId }, now, (l) => lines.push(l));
    expect(lines.join('\n')).not.toContain('chosen-password-1');
    await expect(login(database().db, config, 'jj.handler', 'chosen-password-1', now)).resolves.toMatchObject({ account: { mustChangePassword: false } });
    expect(lines.join('\n')).toContain(places.jinjiangOrgId);
  });

  it('refuses an unknown role with a stable code', async () => {
    await expect(createStaffAccountCommand(database().db, { username: 'x.admin', displayName: 'X', role: 'root', scopeRegionCode: places.province }, now, () => {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('creates an integrator app and prints its secret exactly once', async () => {
    const lines: string[] = [];
    const app = await createIntegratorAppCommand(database().db, config, { appId: 'cd-platform', name: '成都市政务服务平台', regionCode: places.chengdu }, now, (l) => lines.push(l));
    expect(app.channelProfile).toBe('national');
    const stored = await loadIntegratorApp(database().db, config, 'cd-platform');
    const secret = stored?.secret ?? 'missing';
    expect(lines.filter((l) => l.includes(secret))).toHaveLength(1);
  });

  it('refuses an unknown channel profile', async () => {
    await expect(createIntegratorAppCommand(database().db, config, { appId: 'x-platform', name: 'X', regionCode: places.chengdu, channelProfile: 'sms' }, now, () => {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('disables and enables an account and an app as the operator, recorded under the OS user', async () => {
    const { db } = database();
    await createStaffAccountCommand(db, { username: 'cli.leaver', password: 'chosen-password-2', displayName: '离职人员', role: 'supervisor', scopeRegionCode: places.province }, now, () => {});
    const session = await login(db, config, 'cli.leaver', 'chosen-password-2', now);
    const lines: string[] = [];
    const account = await setStaffAccountActiveCommand(db, { username: 'cli.leaver', active: false }, 'ops-wang', now, (l) => lines.push(l));
    expect(account.active).toBe(false);
    expect(lines.join('\n')).toContain('Staff account disabled');
    await expect(resolveSession(db, session.token, now)).rejects.toMatchObject({ code: 'AUTH_SESSION_EXPIRED' });
    await expect(login(db, config, 'cli.leaver', 'chosen-password-2', now)).rejects.toMatchObject({ code: 'AUTH_ACCOUNT_DISABLED' });
    await setStaffAccountActiveCommand(db, { username: 'cli.leaver', active: true }, 'ops-wang', now, () => {});
    await expect(login(db, config, 'cli.leaver', 'chosen-password-2', now)).resolves.toMatchObject({ account: { username: 'cli.leaver' } });
    const accountLog = await adminChangesOf(db, 'staff_account', account.id);
    expect(accountLog.map((e) => [e.action, e.actor])).toEqual([
      ['staff_account.disable', { id: 'cli', name: 'ops-wang', role: 'cli' }],
      ['staff_account.enable', { id: 'cli', name: 'ops-wang', role: 'cli' }],
    ]);

    await createIntegratorAppCommand(db, config, { appId: 'cli-app', name: '测试平台', regionCode: places.chengdu }, now, () => {});
    expect((await setIntegratorAppActiveCommand(db, { appId: 'cli-app', active: false }, 'ops-wang', now, () => {})).active).toBe(false);
    expect((await loadIntegratorApp(db, config, 'cli-app'))?.active).toBe(false);
    expect((await adminChangesOf(db, 'integrator_app', 'cli-app')).map((e) => e.action)).toEqual(['integrator_app.disable']);
    await expect(setIntegratorAppActiveCommand(db, { appId: 'nope-app', active: false }, 'ops-wang', now, () => {})).rejects.toMatchObject({ code: 'INTEGRATOR_APP_NOT_FOUND' });
  });
});
