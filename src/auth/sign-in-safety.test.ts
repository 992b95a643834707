// Sign-in safety over HTTP: the lock, changing one's password, the forced change of a generated
// password, and the CSRF token of cookie sessions (src/auth/guard.ts).
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeOnEngines } from '../../test/engines.ts';
import type { App } from '../http/app-type.ts';
import { adminChangesOf } from './admin-audit.ts';
import { createStaffAccountCommand } from './auth-cli.ts';
import { createIntegratorApp } from './integrator-apps.ts';
import { newNonce, signRequest } from './signature.ts';
import { createStaffAccount } from './staff-accounts.ts';
import { buildAuthTestApp, manualClock, places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig({ SIGN_IN_ACCOUNT_MAX_FAILURES: '3', SIGN_IN_ACCOUNT_LOCK_MINUTES: '15', SIGN_IN_ADDRESS_MAX_FAILURES: '6', SIGN_IN_ADDRESS_LOCK_MINUTES: '30' });
const start = new Date('2026-12-08T02:00:00Z');
const password = 'sichuan-2026-good';

interface SignedIn {
  token: string;
  csrfToken: string;
  mustChangePassword: boolean;
}

describeOnEngines('sign-in safety over HTTP', (database) => {
  const clock = manualClock(start);
  let app: App;
  let address = 0;
  /** A fresh client address per test, so that one test's failures do not lock the next. */
  let ip = '';

  beforeAll(async () => {
    const { db } = database();
    await seedPlaces(db);
    for (const username of ['cd.admin', 'cd.changer', 'cd.csrf']) {
      await createStaffAccount(db, { username, password, displayName: username, role: 'city_admin', scopeRegionCode: places.chengdu }, start);
    }
    app = await buildAuthTestApp(database(), config, clock);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    clock.set(start);
    ip = `203.0.113.${++address}`;
    await sql`DELETE FROM sign_in_attempt`.execute(database().db);
  });

  const signIn = (username: string, pw: string, remoteAddress = ip) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: pw }, remoteAddress });
  const signedIn = async (username: string, pw = password): Promise<SignedIn> => {
    const response = await signIn(username, pw);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const bearer = (session: SignedIn) => ({ authorization: `Bearer ${session.token}` });
  const browser = (session: SignedIn) => ({ cookie: `hcp_session=${session.token}`, 'x-hcp-csrf': session.csrfToken });
  const codeOf = (response: { json(): unknown }) => (response.json() as { code?: string }).code;

  it('locks an account after repeated failures, with Retry-After, even for the right password', async () => {
    for (let i = 0; i < 3; i++) expect(codeOf(await signIn('cd.admin', 'wrong-password-123'))).toBe('AUTH_LOGIN_FAILED');
    clock.advance(60_000);
    const locked = await signIn('cd.admin', password);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'AUTH_SIGN_IN_LOCKED', message: expect.stringContaining('锁定'), details: { retryAfterSeconds: 14 * 60 } });
    expect(locked.headers['retry-after']).toBe(String(14 * 60));
    expect(locked.headers['set-cookie']).toBeUndefined();
    clock.advance(14 * 60_000);
    expect((await signIn('cd.admin', password)).statusCode).toBe(200);
  });

  it('locks a name nobody has exactly as it locks an existing one', async () => {
    const answers = [];
    for (const username of ['cd.admin', 'nobody.here']) {
      ip = `198.51.100.${++address}`;
      for (let i = 0; i < 3; i++) await signIn(username, 'wrong-password-123');
      const locked = await signIn(username, 'wrong-password-123');
      answers.push([locked.statusCode, locked.headers['retry-after'], locked.json()]);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.[0]).toBe(429);
  });

  it('locks a client address that tries many names', async () => {
    for (let i = 0; i < 6; i++) expect(codeOf(await signIn(`guess.${i}`, 'wrong-password-123'))).toBe('AUTH_LOGIN_FAILED');
    const locked = await signIn('cd.admin', password);
    expect([locked.statusCode, codeOf(locked), locked.headers['retry-after']]).toEqual([429, 'AUTH_SIGN_IN_LOCKED', String(30 * 60)]);
    // The account itself is not locked: its holder signs in from elsewhere.
    expect((await signIn('cd.admin', password, '192.0.2.200')).statusCode).toBe(200);
  });

  it('changes the password: the current one first, then the policy; other sessions end, this one stays', async () => {
    const here = await signedIn('cd.changer');
    const elsewhere = await signedIn('cd.changer');
    const change = (session: SignedIn, body: object) => app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: browser(session), payload: body, remoteAddress: ip });

    const wrong = await change(here, { currentPassword: 'not-my-password', newPassword: 'chengdu-2027-better' });
    expect([wrong.statusCode, codeOf(wrong)]).toEqual([403, 'AUTH_PASSWORD_WRONG']);
    const weak = await change(here, { currentPassword: password, newPassword: 'short' });
    expect([weak.statusCode, codeOf(weak)]).toEqual([422, 'AUTH_PASSWORD_TOO_WEAK']);
    expect(codeOf(await change(here, { currentPassword: password, newPassword: password }))).toBe('AUTH_PASSWORD_TOO_WEAK');

    const changed = await change(here, { currentPassword: password, newPassword: 'chengdu-2027-better' });
    expect([changed.statusCode, changed.body]).toEqual([204, '']);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(here) })).statusCode).toBe(200);
    expect(codeOf(await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(elsewhere) }))).toBe('AUTH_SESSION_EXPIRED');
    expect(codeOf(await signIn('cd.changer', password))).toBe('AUTH_LOGIN_FAILED');
    await signedIn('cd.changer', 'chengdu-2027-better');
    const log = await adminChangesOf(database().db, 'staff_account', (await database().db.selectFrom('staff_account').select('id').where('username', '=', 'cd.changer').executeTakeFirstOrThrow()).id);
    expect(log.map((entry) => [entry.action, entry.details])).toEqual([['staff_account.password_change', { username: 'cd.changer', otherSessionsEnded: 1, wasRequired: false }]]);
  });

  it('counts a wrong current password toward the sign-in lock', async () => {
    const session = await signedIn('cd.admin');
    for (let i = 0; i < 3; i++) {
      const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: bearer(session), payload: { currentPassword: `guess-${i}-password`, newPassword: 'chengdu-2027-better' }, remoteAddress: ip });
      expect(codeOf(wrong)).toBe('AUTH_PASSWORD_WRONG');
    }
    const locked = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: bearer(session), payload: { currentPassword: password, newPassword: 'chengdu-2027-better' }, remoteAddress: ip });
    expect([locked.statusCode, codeOf(locked)]).toEqual([429, 'AUTH_SIGN_IN_LOCKED']);
    expect(codeOf(await signIn('cd.admin', password))).toBe('AUTH_SIGN_IN_LOCKED');
  });

  it('makes an account given a generated password change it before anything else', async () => {
    const lines: string[] = [];
    await createStaffAccountCommand(database().db, { username: 'cd.newcomer', displayName: '新同事', role: 'city_admin', scopeRegionCode: places.chengdu }, start, (line) => lines.push(line));
    const generated = lines[lines.findIndex((line) => line.includes('Initial password')) + 1]?.trim() ?? '';
    const session = await signedIn('cd.newcomer', generated);
    expect(session.mustChangePassword).toBe(true);

    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(session) });
    expect(me.json()).toMatchObject({ kind: 'staff', mustChangePassword: true });
    for (const request of [
      { method: 'GET' as const, url: '/test/staff-only', headers: bearer(session) },
      { method: 'POST' as const, url: '/test/staff-write', headers: browser(session), payload: { n: 1 } },
      // Refused before validation: the body does not matter.
      { method: 'POST' as const, url: '/test/staff-write', headers: bearer(session), payload: { wrong: true } },
    ]) {
      const refused = await app.inject(request);
      expect([refused.statusCode, codeOf(refused)], request.url).toEqual([403, 'AUTH_PASSWORD_CHANGE_REQUIRED']);
    }
    // Public routes go on as for anyone.
    expect((await app.inject({ method: 'GET', url: '/test/caller', headers: bearer(session) })).json()).toEqual({ caller: null });

    const changed = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: browser(session), payload: { currentPassword: generated, newPassword: 'my-own-password-2026' } });
    expect(changed.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(session) })).json()).toMatchObject({ mustChangePassword: false });
    expect((await app.inject({ method: 'GET', url: '/test/staff-only', headers: bearer(session) })).json()).toEqual({ username: 'cd.newcomer' });
    // Signing out stays possible all along.
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: browser(session) })).statusCode).toBe(204);
  });

  it('lets a forced account sign out before it changes anything', async () => {
    await createStaffAccount(database().db, { username: 'cd.forced', password, displayName: 'F', role: 'city_admin', scopeRegionCode: places.chengdu, mustChangePassword: true }, start);
    const session = await signedIn('cd.forced');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: browser(session) })).statusCode).toBe(204);
    expect(codeOf(await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(session) }))).toBe('AUTH_SESSION_EXPIRED');
  });

  it('refuses a cookie-authenticated state change without the session’s CSRF token', async () => {
    const session = await signedIn('cd.csrf');
    const other = await signedIn('cd.csrf');
    const cookie = { cookie: `hcp_session=${session.token}` };
    const write = (headers: Record<string, string>, payload: object = { n: 7 }) => app.inject({ method: 'POST', url: '/test/staff-write', headers, payload });

    for (const headers of [cookie, { ...cookie, 'x-hcp-csrf': other.csrfToken }, { ...cookie, 'x-hcp-csrf': session.csrfToken.slice(1) }, { ...cookie, 'x-hcp-csrf': session.token }]) {
      const refused = await write(headers);
      expect([refused.statusCode, codeOf(refused)]).toEqual([403, 'AUTH_CSRF_INVALID']);
    }
    // Refused before validation, before anything of the route is learned.
    expect(codeOf(await write(cookie, { wrong: true }))).toBe('AUTH_CSRF_INVALID');
    // Routes that check in their handler say so too; public ones treat the request as anonymous.
    expect(codeOf(await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: cookie }))).toBe('AUTH_CSRF_INVALID');
    expect((await app.inject({ method: 'POST', url: '/test/caller', headers: cookie, payload: {} })).json()).toEqual({ caller: null });
    // Signing in again from a browser that holds a session needs no token.
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: cookie, payload: { username: 'cd.csrf', password }, remoteAddress: ip })).statusCode).toBe(200);

    // With the token it goes through; reading needs none; bearer requests are not sent by browsers on their own.
    expect((await write(browser(session))).json()).toEqual({ username: 'cd.csrf', n: 7 });
    expect((await app.inject({ method: 'GET', url: '/test/staff-only', headers: cookie })).json()).toEqual({ username: 'cd.csrf' });
    expect((await write(bearer(session))).json()).toEqual({ username: 'cd.csrf', n: 7 });
    // /auth/me hands the same token to a page that reloads.
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: cookie })).json()).toMatchObject({ csrfToken: session.csrfToken });
  });

  it('does not ask signed integrator requests for a CSRF token, whatever cookie rides along', async () => {
    const { secret } = await createIntegratorApp(database().db, config, { appId: 'csrf-app', name: '成都', regionCode: places.chengdu, channelProfile: 'national' }, start);
    const session = await signedIn('cd.csrf');
    const body = JSON.stringify({ n: 1 });
    const headers = signRequest({ appId: 'csrf-app', secret, method: 'POST', path: '/test/caller', body, timestamp: clock().getTime(), nonce: newNonce() });
    const response = await app.inject({ method: 'POST', url: '/test/caller', headers: { ...headers, 'content-type': 'application/json', cookie: `hcp_session=${session.token}` }, payload: body });
    expect(response.json()).toMatchObject({ caller: { kind: 'app', appId: 'csrf-app' } });
  });
});
