// Every state-changing route of the app, present and future, walked from its own route list: a
// request authenticated by the session cookie without the X-Hcp-Csrf token is refused with
// AUTH_CSRF_INVALID wherever a session is needed, and is treated as anonymous everywhere else.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { routesOf } from '../http/route-list.ts';
import { startSystem, type System } from '../system.ts';
import { UNSAFE_METHODS } from './csrf.ts';
import { createStaffAccount } from './staff-accounts.ts';

describeOnEngines('CSRF on every cookie-authenticated state change', (database) => {
  const clock = testClock('2026-12-08T02:00:00Z');
  let system: System;
  let session = { token: '', csrfToken: '' };
  let requests = 0;

  beforeAll(async () => {
    system = await startSystem(testConfig({ JOBS_ENABLED: 'false' }), { database: database(), clock });
    await createStaffAccount(database().db, { username: 'csrf.admin', password: 'csrf-walk-password', displayName: '省管理员', role: 'province_admin', scopeRegionCode: '510000' }, clock());
    session = (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'csrf.admin', password: 'csrf-walk-password' } })).json();
  });
  afterAll(async () => {
    await system?.close();
  });

  /** Whether the OpenAPI document says the route needs credentials (hidden routes say nothing). */
  function declaresCredentials(method: string, url: string): boolean {
    const document = system.app.swagger() as unknown as { paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>> };
    const security = document.paths[url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()]?.security;
    return Array.isArray(security) && security.length > 0 && security.every((entry) => Object.keys(entry).length > 0);
  }

  async function send(method: string, url: string, headers: Record<string, string>) {
    // Each request from another address, so that rate limits of the public edge never answer first.
    const n = ++requests;
    const remoteAddress = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const response = await system.app.inject({ method: method as 'POST', url, remoteAddress, payload: '{}', headers: { 'content-type': 'application/json', ...headers } });
    const body = response.body.length > 0 ? (response.json() as { code?: string }) : {};
    return { status: response.statusCode, code: body.code ?? null };
  }

  it('refuses the cookie without the token on every route that needs a session, and changes nothing for the public ones', async () => {
    const routes = routesOf(system.app).filter((route) => UNSAFE_METHODS.has(route.method));
    expect(routes.length).toBeGreaterThan(30);
    const cookie = { cookie: `hcp_session=${session.token}` };
    let refused = 0;
    for (const route of routes) {
      const url = route.url.replace(/:kind/g, 'window').replace(/:[A-Za-z0-9_]+|\*/g, 'x0190a5b0');
      const what = `${route.method} ${route.url}`;
      const withoutToken = await send(route.method, url, cookie);
      if (declaresCredentials(route.method, route.url)) {
        expect(withoutToken, what).toEqual({ status: 403, code: 'AUTH_CSRF_INVALID' });
        refused += 1;
      } else {
        // As if anonymous; where anonymous callers are told to authenticate, this one is told why not.
        const anonymous = await send(route.method, url, {});
        expect(withoutToken, what).toEqual(anonymous.code === 'AUTH_REQUIRED' ? { status: 403, code: 'AUTH_CSRF_INVALID' } : anonymous);
      }
      // With the token the guard lets the session through (signing out would end it: not here).
      if (route.url !== '/api/v1/auth/logout') {
        const withToken = await send(route.method, url, { ...cookie, 'x-hcp-csrf': session.csrfToken });
        expect(withToken.code, what).not.toBe('AUTH_CSRF_INVALID');
        expect(withToken.code, what).not.toBe('AUTH_REQUIRED');
      }
    }
    // The staff routes of the contract, and the public ones beside them.
    expect(refused).toBeGreaterThan(20);
  });
});
