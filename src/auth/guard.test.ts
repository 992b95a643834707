import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import type { App } from '../http/app-type.ts';
import { cliActor } from './admin-audit.ts';
import { createIntegratorApp, setIntegratorAppActive } from './integrator-apps.ts';
import { login } from './sessions.ts';
import { newNonce, signRequest } from './signature.ts';
import { createStaffAccount } from './staff-accounts.ts';
import { buildAuthTestApp, manualClock, places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig({ SIGNATURE_MAX_AGE_SECONDS: '300', SESSION_TTL_HOURS: '12' });
const start = new Date('2026-12-01T02:00:00Z');
const password = 'sichuan-2026-good';

describeOnEngines('request guard', (database) => {
  const clock = manualClock(start);
  let app: App;
  let cityApp: { appId: string; secret: string };
  let hallApp: { appId: string; secret: string };

  beforeAll(async () => {
    const { db } = database();
    await seedPlaces(db);
    cityApp = { appId: 'cd-platform', secret: (await createIntegratorApp(db, config, { appId: 'cd-platform', name: '成都', regionCode: places.chengdu, channelProfile: 'sms-six' }, start)).secret };
    hallApp = {
      appId: 'jj-hall',
      secret: (await createIntegratorApp(db, config, { appId: 'jj-hall', name: '锦江', regionCode: places.jinjiang, orgId: places.jinjiangOrgId, channelProfile: 'national' }, start)).secret,
    };
    await createStaffAccount(db, { username: 'cd.admin', password, displayName: '成都市管理员', role: 'city_admin', scopeRegionCode: places.chengdu }, start);
    await createStaffAccount(db, { username: 'jj.handler', password, displayName: '锦江经办', role: 'org_handler', scopeOrgId: places.jinjiangOrgId }, start);
    app = await buildAuthTestApp(database(), config, clock);
  });
  afterAll(async () => {
    await app.close();
  });

  type Signer = { appId: string; secret: string };
  function signed(signer: Signer, method: 'GET' | 'POST', url: string, body?: string, overrides: { timestamp?: number; nonce?: string } = {}) {
    const headers = signRequest({ ...signer, method, path: url, body, timestamp: overrides.timestamp ?? clock().getTime(), nonce: overrides.nonce ?? newNonce() });
    return { method, url, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: body }) };
  }
  const codeOf = (response: { json(): unknown }) => (response.json() as { code?: string }).code;

  it('leaves a request without credentials anonymous', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/caller' });
    expect(response.json()).toEqual({ caller: null });
    const refused = await app.inject({ method: 'GET', url: '/test/staff-only' });
    expect([refused.statusCode, codeOf(refused)]).toEqual([401, 'AUTH_REQUIRED']);
  });

  it('identifies a signed GET as the app, with its region, org and channel profile', async () => {
    const city = await app.inject(signed(cityApp, 'GET', '/test/caller?page=2&size=10'));
    expect(city.json()).toEqual({ caller: { kind: 'app', appId: 'cd-platform', regionPath: '510000/510100/', orgId: null, channelProfile: 'sms-six' } });
    const hall = await app.inject(signed(hallApp, 'GET', '/test/caller'));
    expect(hall.json()).toEqual({ caller: { kind: 'app', appId: 'jj-hall', regionPath: '510000/510100/510104/', orgId: places.jinjiangOrgId, channelProfile: 'national' } });
  });

  it('verifies the body bytes of a signed POST', async () => {
    const body = JSON.stringify({ projectNo: '510104-20261201-000123', satisfaction: 5, comment: '办事快，态度好' });
    const ok = await app.inject(signed(cityApp, 'POST', '/test/caller', body));
    expect(ok.json()).toMatchObject({ caller: { appId: 'cd-platform' } });

    const tampered = signed(cityApp, 'POST', '/test/caller', body);
    const altered = await app.inject({ ...tampered, payload: body.replace('"satisfaction":5', '"satisfaction":1') });
    expect([altered.statusCode, codeOf(altered)]).toEqual([401, 'AUTH_SIGNATURE_INVALID']);

    // The same JSON value re-serialised (here with a space) is different bytes: refused.
    const respaced = await app.inject({ ...signed(cityApp, 'POST', '/test/caller', body), payload: body.replace(',', ', ') });
    expect(codeOf(respaced)).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('verifies a POST without a body against the digest of nothing', async () => {
    const response = await app.inject(signed(cityApp, 'POST', '/test/caller'));
    expect(response.json()).toMatchObject({ caller: { appId: 'cd-platform' } });
  });

  it('refuses a signed request for another path or query', async () => {
    const request = signed(cityApp, 'GET', '/test/caller?page=1');
    const response = await app.inject({ ...request, url: '/test/caller?page=2' });
    expect(codeOf(response)).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('refuses a replayed request, and lets exactly one of two simultaneous copies through', async () => {
    const request = signed(cityApp, 'GET', '/test/caller');
    expect((await app.inject(request)).statusCode).toBe(200);
    const replay = await app.inject(request);
    expect([replay.statusCode, codeOf(replay)]).toEqual([401, 'AUTH_NONCE_REPLAYED']);

    const twin = signed(cityApp, 'GET', '/test/caller');
    const results = await Promise.all([app.inject(twin), app.inject(twin)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('does not spend a nonce on a request whose signature fails', async () => {
    const nonce = newNonce();
    const forged = signed({ appId: cityApp.appId, secret: 'f'.repeat(64) }, 'GET', '/test/caller', undefined, { nonce });
    expect(codeOf(await app.inject(forged))).toBe('AUTH_SIGNATURE_INVALID');
    expect((await app.inject(signed(cityApp, 'GET', '/test/caller', undefined, { nonce }))).statusCode).toBe(200);
  });

  it('refuses stale and future timestamps beyond the window', async () => {
    const now = clock().getTime();
    const stale = await app.inject(signed(cityApp, 'GET', '/test/caller', undefined, { timestamp: now - 301_000 }));
    expect([stale.statusCode, codeOf(stale)]).toEqual([401, 'AUTH_TIMESTAMP_SKEW']);
    const future = await app.inject(signed(cityApp, 'GET', '/test/caller', undefined, { timestamp: now + 301_000 }));
    expect(codeOf(future)).toBe('AUTH_TIMESTAMP_SKEW');
    const edge = await app.inject(signed(cityApp, 'GET', '/test/caller', undefined, { timestamp: now - 299_000 }));
    expect(edge.statusCode).toBe(200);
  });

  it('refuses unknown apps, disabled apps and malformed headers', async () => {
    const unknown = await app.inject(signed({ appId: 'nobody-app', secret: cityApp.secret }, 'GET', '/test/caller'));
    expect([unknown.statusCode, codeOf(unknown)]).toEqual([401, 'AUTH_APP_UNKNOWN']);

    const { db } = database();
    const { secret } = await createIntegratorApp(db, config, { appId: 'off-app', name: 'Off', regionCode: places.chengdu, channelProfile: 'national' }, start);
    await setIntegratorAppActive(db, { appId: 'off-app', active: false, actor: cliActor('ops') }, start);
    expect(codeOf(await app.inject(signed({ appId: 'off-app', secret }, 'GET', '/test/caller')))).toBe('AUTH_APP_UNKNOWN');

    const request = signed(cityApp, 'GET', '/test/caller');
    const { 'X-Hcp-Signature': _dropped, ...unsigned } = request.headers;
    const noSignature = await app.inject({ ...request, headers: unsigned });
    expect([noSignature.statusCode, codeOf(noSignature)]).toEqual([401, 'AUTH_SIGNATURE_INVALID']);
    const badNonce = await app.inject({ ...request, headers: { ...request.headers, 'X-Hcp-Nonce': 'short' } });
    expect(codeOf(badNonce)).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('never falls back from a failed signature to a session', async () => {
    const session = await login(database().db, config, 'cd.admin', password, clock());
    const request = signed({ appId: cityApp.appId, secret: 'f'.repeat(64) }, 'GET', '/test/caller');
    const response = await app.inject({ ...request, headers: { ...request.headers, authorization: `Bearer ${session.token}` } });
    expect(codeOf(response)).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('identifies staff by bearer token or by cookie', async () => {
    const session = await login(database().db, config, 'cd.admin', password, clock());
    const expected = { kind: 'staff', accountId: session.account.id, username: 'cd.admin', role: 'city_admin', regionPath: '510000/510100/', orgId: null };
    const bearer = await app.inject({ method: 'GET', url: '/test/caller', headers: { authorization: `Bearer ${session.token}` } });
    expect(bearer.json()).toEqual({ caller: expected });
    const cookie = await app.inject({ method: 'GET', url: '/test/caller', headers: { cookie: `theme=dark; hcp_session=${session.token}; lang=zh` } });
    expect(cookie.json()).toEqual({ caller: expected });

    const handler = await login(database().db, config, 'jj.handler', password, clock());
    const org = await app.inject({ method: 'GET', url: '/test/caller', headers: { authorization: `Bearer ${handler.token}` } });
    expect(org.json()).toMatchObject({ caller: { role: 'org_handler', regionPath: null, orgId: places.jinjiangOrgId } });
  });

  it('lets an expired session through as anonymous, and says it expired where a session is needed', async () => {
    const session = await login(database().db, config, 'cd.admin', password, clock());
    clock.advance(12 * 3_600_000);
    try {
      const headers = { cookie: `hcp_session=${session.token}` };
      expect((await app.inject({ method: 'GET', url: '/test/caller', headers })).json()).toEqual({ caller: null });
      const refused = await app.inject({ method: 'GET', url: '/test/staff-only', headers });
      expect([refused.statusCode, codeOf(refused)]).toEqual([401, 'AUTH_SESSION_EXPIRED']);
      const garbage = await app.inject({ method: 'GET', url: '/test/staff-only', headers: { authorization: 'Bearer nonsense' } });
      expect(codeOf(garbage)).toBe('AUTH_SESSION_EXPIRED');
    } finally {
      clock.set(start);
    }
  });

  it('keeps apps out of staff routes, staff out of app routes, and roles out of others’ routes', async () => {
    const session = await login(database().db, config, 'cd.admin', password, clock());
    const bearer = { authorization: `Bearer ${session.token}` };
    expect((await app.inject({ method: 'GET', url: '/test/staff-only', headers: bearer })).json()).toEqual({ username: 'cd.admin' });
    const wrongRole = await app.inject({ method: 'GET', url: '/test/province-only', headers: bearer });
    expect([wrongRole.statusCode, codeOf(wrongRole)]).toEqual([403, 'AUTH_FORBIDDEN']);
    const staffOnAppRoute = await app.inject({ method: 'GET', url: '/test/app-only', headers: bearer });
    expect(codeOf(staffOnAppRoute)).toBe('AUTH_FORBIDDEN');
    const appOnStaffRoute = await app.inject(signed(cityApp, 'GET', '/test/staff-only'));
    expect(codeOf(appOnStaffRoute)).toBe('AUTH_FORBIDDEN');
    expect((await app.inject(signed(cityApp, 'GET', '/test/app-only'))).json()).toEqual({ appId: 'cd-platform' });
    expect(codeOf(await app.inject({ method: 'GET', url: '/test/app-only' }))).toBe('AUTH_REQUIRED');
  });
});
