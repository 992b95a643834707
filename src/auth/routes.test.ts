import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import type { App } from '../http/app-type.ts';
import { createIntegratorApp } from './integrator-apps.ts';
import { newNonce, signRequest } from './signature.ts';
import { createStaffAccount } from './staff-accounts.ts';
import { buildAuthTestApp, manualClock, places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig({ SESSION_TTL_HOURS: '8' });
const start = new Date('2026-12-01T02:00:00Z');
const password = 'sichuan-2026-good';

describeOnEngines('auth routes', (database) => {
  const clock = manualClock(start);
  let app: App;

  beforeAll(async () => {
    const { db } = database();
    await seedPlaces(db);
    await createStaffAccount(db, { username: 'cd.admin', password, displayName: '成都市管理员', role: 'city_admin', scopeRegionCode: places.chengdu }, start);
    app = await buildAuthTestApp(database(), config, clock);
  });
  afterAll(async () => {
    await app.close();
  });

  const signIn = (username: string, pw: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: pw }, headers });

  it('signs in, answering with the token, its expiry and the account, and setting a strict cookie', async () => {
    const response = await signIn('CD.Admin', password);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: '2026-12-01T10:00:00.000Z',
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      mustChangePassword: false,
      account: { username: 'cd.admin', displayName: '成都市管理员', role: 'city_admin', scope: { regionCode: places.chengdu, regionPath: '510000/510100/', orgId: null } },
    });
    expect(response.headers['set-cookie']).toBe(`hcp_session=${body.token}; Path=/; Max-Age=28800; HttpOnly; SameSite=Strict`);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('marks the cookie Secure when the platform is served over HTTPS', async () => {
    const https = await buildAuthTestApp(database(), testConfig({ PUBLIC_BASE_URL: 'https://hcp.sc.gov.cn' }), clock);
    try {
      const response = await https.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'cd.admin', password } });
      expect(String(response.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await https.close();
    }
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const unknown = await signIn('no.such.user', password);
    const wrong = await signIn('cd.admin', 'wrong-password-123');
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json()).toMatchObject({ code: 'AUTH_LOGIN_FAILED', message: '用户名或密码错误' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('validates the body', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'cd.admin' } });
    expect(response.statusCode).toBe(400);
  });

  it('lets a browser holding an expired cookie sign in again', async () => {
    const stale = (await signIn('cd.admin', password)).json().token as string;
    clock.advance(9 * 3_600_000);
    try {
      const again = await signIn('cd.admin', password, { cookie: `hcp_session=${stale}` });
      expect(again.statusCode).toBe(200);
    } finally {
      clock.set(start);
    }
  });

  it('tells staff who they are', async () => {
    const signedIn = (await signIn('cd.admin', password)).json() as { token: string; csrfToken: string };
    clock.advance(3_600_000);
    try {
      const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${signedIn.token}` } });
      expect(me.json()).toEqual({
        kind: 'staff',
        account: { username: 'cd.admin', displayName: '成都市管理员', role: 'city_admin', scope: { regionCode: places.chengdu, regionPath: '510000/510100/', orgId: null } },
        // The same token as at sign-in; the expiry is fixed at sign-in and not moved by use.
        csrfToken: signedIn.csrfToken,
        mustChangePassword: false,
        sessionExpiresAt: '2026-12-01T10:00:00.000Z',
        serverTime: start.getTime() + 3_600_000,
      });
    } finally {
      clock.set(start);
    }
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'AUTH_REQUIRED']);
  });

  it('tells a signed app who it is and what time the server has', async () => {
    const { secret } = await createIntegratorApp(database().db, config, { appId: 'cd-platform', name: '成都', regionCode: places.chengdu, channelProfile: 'national' }, start);
    const headers = signRequest({ appId: 'cd-platform', secret, method: 'GET', path: '/api/v1/auth/me', timestamp: clock().getTime(), nonce: newNonce() });
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
    expect(me.json()).toEqual({ kind: 'app', appId: 'cd-platform', regionPath: '510000/510100/', orgId: null, channelProfile: 'national', serverTime: start.getTime() });
  });

  it('signs out: the token stops working and the cookie is cleared; signing out again is fine', async () => {
    const { token, csrfToken } = (await signIn('cd.admin', password)).json() as { token: string; csrfToken: string };
    // A browser: the cookie, and the CSRF token every state change carries.
    const cookie = { cookie: `hcp_session=${token}`, 'x-hcp-csrf': csrfToken };
    const out = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: cookie });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    expect(out.headers['set-cookie']).toBe('hcp_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: cookie });
    expect(me.json().code).toBe('AUTH_SESSION_EXPIRED');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: cookie })).statusCode).toBe(204);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
  });

  it('documents the routes for the OpenAPI file: tag, Chinese-first summary, security, error responses', async () => {
    const document = app.swagger() as unknown as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[]; responses: Record<string, unknown> }>> };
    const login = document.paths['/api/v1/auth/login']?.['post'];
    const logout = document.paths['/api/v1/auth/logout']?.['post'];
    const me = document.paths['/api/v1/auth/me']?.['get'];
    expect(login).toMatchObject({ tags: ['auth'], summary: '工作人员登录 / Staff sign-in', security: [] });
    expect(logout).toMatchObject({ tags: ['auth'], security: [{ staffSession: [] }] });
    expect(me).toMatchObject({ tags: ['auth'], security: [{ staffSession: [] }, { appSignature: [] }] });
    expect(Object.keys(login?.responses ?? {})).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    expect(Object.keys(document.paths).filter((p) => p.startsWith('/test/'))).toEqual([]);
  });
});
