import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { createIntegratorAppCommand, createStaffAccountCommand } from './auth-cli.ts';
import { loadIntegratorApp } from './integrator-apps.ts';
import { login } from './sessions.ts';
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
    await expect(login(database().db, config, 'prov.admin', password, now)).resolves.toMatchObject({ account: { username: 'prov.admin' } });
  });

  it('does not print a password the operator chose', async () => {
    const lines: string[] = [];
    await createStaffAccountCommand(database().db, { username: 'jj.handler', password: 'chosen-password-1', displayName: '锦江经办', role: 'org_handler', scopeOrgId: places.jinjiangOrgId }, now, (l) => lines.push(l));
    expect(lines.join('\n')).not.toContain('chosen-password-1');
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
});
