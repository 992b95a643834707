import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import type { App } from '../http/app-type.ts';
import { adminChangesOf } from './admin-audit.ts';
import { createIntegratorApp } from './integrator-apps.ts';
import { newNonce, signRequest } from './signature.ts';
import { createStaffAccount, findStaffAccount } from './staff-accounts.ts';
import { buildAuthTestApp, manualClock, places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig({ SESSION_TTL_HOURS: '8' });
const start = new Date('2026-12-07T02:00:00Z');
const password = 'sichuan-2026-good';

describeOnEngines('disabling accounts and apps', (database) => {
  const clock = manualClock(start);
  let app: App;
  let cityApp: { appId: string; secret: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const { db } = database();
    await seedPlaces(db);
    const accounts = [
      { username: 'sc.admin', displayName: '省管理员', role: 'province_admin', scopeRegionCode: places.province },
      { username: 'cd.admin', displayName: '成都市管理员', role: 'city_admin', scopeRegionCode: places.chengdu },
      { username: 'cd.supervisor', displayName: '成都督查', role: 'supervisor', scopeRegionCode: places.chengdu },
      { username: 'jj.handler', displayName: '锦江经办', role: 'org_handler', scopeOrgId: places.jinjiangOrgId },
      { username: 'my.handler', displayName: '绵阳经办', role: 'org_handler', scopeOrgId: places.mianyangOrgId },
    ] as const;
    for (const account of accounts) ids[account.username] = (await createStaffAccount(db, { ...account, password }, start)).id;
    cityApp = { appId: 'cd-platform', secret: (await createIntegratorApp(db, config, { appId: 'cd-platform', name: '成都', regionCode: places.chengdu, channelProfile: 'national' }, start)).secret };
    app = await buildAuthTestApp(database(), config, clock);
  });
  afterAll(async () => {
    await app.close();
  });

  const codeOf = (response: { json(): unknown }) => (response.json() as { code?: string }).code;
  const signIn = (username: string, pw = password) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: pw } });
  async function tokenOf(username: string): Promise<string> {
    const response = await signIn(username);
    expect(response.statusCode).toBe(200);
    return (response.json() as { token: string }).token;
  }
  const post = (token: string, url: string) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });
  const me = (token: string) => app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
  const signedMe = (signer: { appId: string; secret: string }) =>
    app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: signRequest({ ...signer, method: 'GET', path: '/api/v1/auth/me', timestamp: clock().getTime(), nonce: newNonce() }) });

  it('lets a province admin disable an account: its sessions end at once and it cannot sign in until enabled again', async () => {
    const admin = await tokenOf('sc.admin');
    const victim = await tokenOf('cd.supervisor');
    expect((await me(victim)).statusCode).toBe(200);

    const disabled = await post(admin, '/api/v1/staff-accounts/cd.supervisor/disable');
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toEqual({ username: 'cd.supervisor', displayName: '成都督查', role: 'supervisor', scopeRegionCode: places.chengdu, scopeOrgId: null, active: false });
    const after = await me(victim);
    expect([after.statusCode, codeOf(after)]).toEqual([401, 'AUTH_SESSION_EXPIRED']);
    const refused = await signIn('cd.supervisor');
    expect([refused.statusCode, codeOf(refused)]).toEqual([403, 'AUTH_ACCOUNT_DISABLED']);
    const wrong = await signIn('cd.supervisor', 'not-the-password-1');
    expect(codeOf(wrong)).toBe('AUTH_LOGIN_FAILED');

    clock.advance(60_000);
    const enabled = await post(admin, '/api/v1/staff-accounts/cd.supervisor/enable');
    expect((enabled.json() as { active: boolean }).active).toBe(true);
    expect((await signIn('cd.supervisor')).statusCode).toBe(200);

    const log = await adminChangesOf(database().db, 'staff_account', ids['cd.supervisor'] ?? '');
    expect(log.map((e) => [e.action, e.actor, e.at])).toEqual([
      ['staff_account.disable', { id: ids['sc.admin'], name: 'sc.admin', role: 'province_admin' }, start],
      ['staff_account.enable', { id: ids['sc.admin'], name: 'sc.admin', role: 'province_admin' }, new Date(start.getTime() + 60_000)],
    ]);
  });

  it('lets a city admin manage accounts within its region only, and nobody their own', async () => {
    const city = await tokenOf('cd.admin');
    const inRegion = await post(city, '/api/v1/staff-accounts/jj.handler/disable');
    expect([inRegion.statusCode, (inRegion.json() as { active: boolean }).active]).toEqual([200, false]);
    expect((await post(city, '/api/v1/staff-accounts/jj.handler/enable')).statusCode).toBe(200);

    for (const outside of ['my.handler', 'sc.admin']) {
      const refused = await post(city, `/api/v1/staff-accounts/${outside}/disable`);
      expect([refused.statusCode, codeOf(refused)]).toEqual([403, 'AUTH_OUT_OF_SCOPE']);
    }
    const own = await post(city, '/api/v1/staff-accounts/cd.admin/disable');
    expect([own.statusCode, codeOf(own)]).toEqual([403, 'AUTH_FORBIDDEN']);
    const handler = await post(await tokenOf('my.handler'), '/api/v1/staff-accounts/jj.handler/disable');
    expect([handler.statusCode, codeOf(handler)]).toEqual([403, 'AUTH_FORBIDDEN']);
    const unknown = await post(city, '/api/v1/staff-accounts/nobody.here/disable');
    expect([unknown.statusCode, codeOf(unknown)]).toEqual([404, 'STAFF_ACCOUNT_NOT_FOUND']);
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/staff-accounts/jj.handler/disable' });
    expect([anonymous.statusCode, codeOf(anonymous)]).toEqual([401, 'AUTH_REQUIRED']);

    const { db } = database();
    for (const name of ['my.handler', 'sc.admin', 'cd.admin']) expect((await findStaffAccount(db, { username: name }))?.active).toBe(true);
    expect(await adminChangesOf(db, 'staff_account', ids['my.handler'] ?? '')).toEqual([]);
  });

  it('lets a province admin disable an app: its signed requests are refused at once, and accepted again once enabled', async () => {
    // Read once, so that the app sits in the guard's cache.
    expect((await signedMe(cityApp)).statusCode).toBe(200);
    const admin = await tokenOf('sc.admin');
    const disabled = await post(admin, '/api/v1/integrator-apps/cd-platform/disable');
    expect(disabled.json()).toEqual({ appId: 'cd-platform', name: '成都', regionCode: places.chengdu, orgId: null, channelProfile: 'national', active: false });
    const refused = await signedMe(cityApp);
    expect([refused.statusCode, codeOf(refused)]).toEqual([401, 'AUTH_APP_UNKNOWN']);
    expect((refused.json() as { message: string }).message).toContain('已停用');

    const city = await post(await tokenOf('cd.admin'), '/api/v1/integrator-apps/cd-platform/enable');
    expect([city.statusCode, codeOf(city)]).toEqual([403, 'AUTH_FORBIDDEN']);
    expect((await post(admin, '/api/v1/integrator-apps/cd-platform/enable')).statusCode).toBe(200);
    expect((await signedMe(cityApp)).statusCode).toBe(200);
    const unknown = await post(admin, '/api/v1/integrator-apps/no-such-app/disable');
    expect([unknown.statusCode, codeOf(unknown)]).toEqual([404, 'INTEGRATOR_APP_NOT_FOUND']);

    const log = await adminChangesOf(database().db, 'integrator_app', 'cd-platform');
    expect(log.map((e) => [e.action, e.actor.name])).toEqual([
      ['integrator_app.disable', 'sc.admin'],
      ['integrator_app.enable', 'sc.admin'],
    ]);
  });
});
