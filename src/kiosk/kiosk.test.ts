// Hall devices on both engines: registration by an admin in scope, the device credential, and the
// event stream — a completion at the device's window is pushed at once (from the database trigger
// through LISTEN), another window's is not, and a device that reconnects gets what it missed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeWindow } from '../../test/factories.ts';
import { createSseParser } from './client/sse.ts';
import { parseStageCompleted } from './stage-listener.ts';

const NOW = '2026-11-20T02:00:00.000Z'; // 10:00 Beijing

interface Stream {
  /** The next event that satisfies `match`, or null after `ms`. */
  next(match: (event: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown> | null>;
  close(): void;
  /** Settles when the server ends the stream (or close() aborts it). */
  ended: Promise<void>;
}

async function openStream(base: string, credential: string): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/v1/kiosk/events`, { headers: { authorization: `Device ${credential}` }, signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  const parse = createSseParser((data) => {
    events.push(JSON.parse(data) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  const body = response.body;
  if (!body) throw new Error('no body');
  const ended = (async () => {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parse(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted by close()
    }
  })();
  let seen = 0;
  return {
    async next(match, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        while (seen < events.length) {
          const event = events[seen++];
          if (event && match(event)) return event;
        }
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    close: () => controller.abort(),
    ended,
  };
}

describe('stage notifications', () => {
  it('are read only when well formed', () => {
    const stageId = '0190a5b0-0000-7000-8000-000000000001';
    const windowId = '0190a5b0-0000-7000-8000-000000000002';
    expect(parseStageCompleted(JSON.stringify({ stageId, windowId }))).toEqual({ stageId, windowId });
    expect(parseStageCompleted('{"stageId":"x","windowId":"y"}')).toBeNull();
    expect(parseStageCompleted('not json')).toBeNull();
    expect(parseStageCompleted(undefined)).toBeNull();
  });
});

describeOnEngines('hall devices and the kiosk event stream', (database) => {
  const clock = testClock(NOW);
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let system: System;
  let base: string;
  let org: { id: string; region_code: string };
  let item: { task_code: string };
  let window: { id: string; code: string; name: string };
  let otherWindow: { id: string; code: string };
  let adminToken: string;
  let credential: string;
  let deviceId: string;
  const streams: Stream[] = [];

  const db = () => database().db;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const device = (value: string) => ({ authorization: `Device ${value}` });

  async function signIn(username: string, role: 'province_admin' | 'city_admin' | 'org_handler', scope: { scopeRegionCode?: string; scopeOrgId?: string }) {
    await createStaffAccount(db(), { username, displayName: username, role, password: `${username}-password`, ...scope }, clock());
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: `${username}-password` } });
    expect(login.statusCode, login.body).toBe(200);
    return login.json().token as string;
  }

  const register = (token: string, windowId: string, kind = 'evaluator') =>
    system.app.inject({ method: 'POST', url: `/api/v1/catalog/windows/${windowId}/devices`, headers: bearer(token), payload: { kind, name: '3号窗口评价器' } });

  async function stream(value = credential) {
    const opened = await openStream(base, value);
    streams.push(opened);
    return opened;
  }

  const rateOn = (value: string, token: string, body: Record<string, unknown>) =>
    system.app.inject({ method: 'POST', url: `/api/v1/kiosk/ratings/${token}`, headers: device(value), payload: { level: 5, indicators: [], anonymous: true, ...body } });

  const stageOf = async (projectNo: string) =>
    (await db().selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    org = await makeOrg(db(), { name: '锦江区政务服务中心' });
    item = await makeItem(db(), org);
    window = await makeWindow(db(), org);
    otherWindow = await makeWindow(db(), org);
    adminToken = await signIn('kiosk.admin', 'city_admin', { scopeRegionCode: '510100' });
    const created = await register(adminToken, window.id);
    expect(created.statusCode, created.body).toBe(201);
    credential = created.json().credential;
    deviceId = created.json().id;
  });
  beforeEach(() => clock.set(NOW));
  let closed = false;
  afterAll(async () => {
    for (const s of streams) s.close();
    if (!closed) await system.close();
  });

  it('registers a device for an admin of the window’s region and shows its secret once, in the fragment of the setup link', async () => {
    const created = await register(adminToken, window.id, 'terminal');
    expect(created.json()).toMatchObject({ kind: 'terminal', windowId: window.id, name: '3号窗口评价器' });
    const { id, credential: value, setupUrl } = created.json();
    expect(value).toMatch(new RegExp(`^${id}\\.[A-Za-z0-9_-]{43}$`));
    expect(setupUrl).toBe(`${config.http.publicBaseUrl}/kiosk#device=${value}`);
    const row = await db().selectFrom('hall_device').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // Only a hash is kept: the secret appears nowhere in the row.
    expect(Buffer.from(row.secret_hash).toString('latin1')).not.toContain(value.split('.')[1]);
    expect(row.secret_hash.length).toBe(32);
    const listed = await system.app.inject({ method: 'GET', url: `/api/v1/catalog/windows/${window.id}/devices`, headers: bearer(adminToken) });
    expect(listed.json().devices.map((d: { id: string }) => d.id)).toContain(id);
    expect(listed.body).not.toContain(value.split('.')[1]);
  });

  it('refuses registration to handlers, admins of other regions and anonymous callers', async () => {
    const handler = await signIn('kiosk.handler', 'org_handler', { scopeOrgId: org.id });
    expect((await register(handler, window.id)).statusCode).toBe(403);
    const elsewhere = await signIn('kiosk.mianyang', 'city_admin', { scopeRegionCode: '510700' });
    expect((await register(elsewhere, window.id)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    const anonymous = await system.app.inject({ method: 'POST', url: `/api/v1/catalog/windows/${window.id}/devices`, payload: { kind: 'evaluator', name: 'x' } });
    expect(anonymous.statusCode).toBe(401);
    expect((await register(adminToken, '0190a5b0-0000-7000-8000-00000000dead')).json().code).toBe('WINDOW_UNKNOWN');
  });

  it('knows the device by its credential and refuses a wrong secret, a malformed header and a stopped device alike', async () => {
    const me = await system.app.inject({ method: 'GET', url: '/api/v1/kiosk/device', headers: device(credential) });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ id: deviceId, kind: 'evaluator', channel: 'hall_tablet', windowName: window.name, orgName: '锦江区政务服务中心' });
    const seen = await db().selectFrom('hall_device').select('last_seen_at').where('id', '=', deviceId).executeTakeFirstOrThrow();
    expect(seen.last_seen_at?.toISOString()).toBe(NOW);

    const wrongSecret = `${deviceId}.${'A'.repeat(43)}`;
    for (const headers of [device(wrongSecret), device('nonsense'), { authorization: `Bearer ${credential}` }, {}]) {
      const refused = await system.app.inject({ method: 'GET', url: '/api/v1/kiosk/device', headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().code).toBe('KIOSK_DEVICE_AUTH_FAILED');
    }
    const events = await system.app.inject({ method: 'GET', url: '/api/v1/kiosk/events', headers: device(wrongSecret) });
    expect(events.statusCode).toBe(401);

    const spare = (await register(adminToken, window.id)).json();
    expect((await system.app.inject({ method: 'GET', url: '/api/v1/kiosk/device', headers: device(spare.credential) })).statusCode).toBe(200);
    const stopped = await system.app.inject({ method: 'POST', url: `/api/v1/hall-devices/${spare.id}/deactivate`, headers: bearer(adminToken) });
    expect(stopped.statusCode, stopped.body).toBe(204);
    const after = await system.app.inject({ method: 'GET', url: '/api/v1/kiosk/device', headers: device(spare.credential) });
    expect(after.json().code).toBe('KIOSK_DEVICE_AUTH_FAILED');
  });

  it('pushes the rating screen of a stage completed at its window at once, and nothing of another window', async () => {
    const events = await stream();
    const hello = await events.next((e) => e.type === 'hello');
    expect(hello).toMatchObject({ device: { id: deviceId, windowName: window.name } });

    await makeCompletedCase(db(), config, item, '2026-11-20 09:50:00', { windowCode: otherWindow.code });
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 09:58:00', { windowCode: window.code });
    const stageId = await stageOf(projectNo);
    const push = await events.next((e) => e.type === 'rate');
    expect(push).toMatchObject({ type: 'rate', stageId, itemName: expect.stringMatching(/^测试事项/), completedAt: '2026-11-20T01:58:00.000Z' });
    expect(String(push?.url)).toBe(`${config.http.publicBaseUrl}/rate/${String(push?.token)}`);
    // The other window's completion came first and was not sent here.
    expect(await events.next((e) => e.type === 'rate', 300)).toBeNull();

    // The link rates that stage on this device, on the evaluator's channel; no public page opens it.
    const shown = await system.app.inject({ method: 'GET', url: `/api/v1/kiosk/ratings/${String(push?.token)}`, headers: device(credential) });
    expect(shown.json()).toMatchObject({ status: 'open', channel: 'hall_tablet' });
    const open = await system.app.inject({ method: 'GET', url: `/api/v1/public/ratings/${String(push?.token)}` });
    expect(open.statusCode).toBe(403);
    expect(open.json().code).toBe('KIOSK_LINK_DEVICE_BOUND');
    events.close();
  });

  it('gives a device that reconnects the latest unrated completion of the last minutes, with the same link, and nothing once it is rated', async () => {
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 09:59:00', { windowCode: window.code });
    const stageId = await stageOf(projectNo);
    const first = await stream();
    const pushed = await first.next((e) => e.type === 'rate' && e.stageId === stageId);
    expect(pushed).not.toBeNull();
    first.close();

    // Back after a network cut: the screen it should be showing comes again, on the same link.
    const again = await stream();
    const caughtUp = await again.next((e) => e.type === 'rate');
    expect(caughtUp).toMatchObject({ stageId, token: pushed?.token });
    again.close();

    const rated = await rateOn(credential, String(pushed?.token), { clientId: 'kiosk-test-0001', madeAt: clock().toISOString() });
    expect(rated.statusCode, rated.body).toBe(201);
    const later = await stream();
    expect(await later.next((e) => e.type === 'hello')).not.toBeNull();
    // The catch-up offers the latest *unrated* completion: the one before, not this one.
    expect((await later.next((e) => e.type === 'rate', 500))?.stageId).not.toBe(stageId);
    // Nor anything completed before the catch-up window.
    later.close();
    clock.set('2026-11-20T02:30:00.000Z');
    await makeCompletedCase(db(), config, item, '2026-11-20 10:05:00', { windowCode: window.code });
    const stale = await stream();
    expect(await stale.next((e) => e.type === 'hello')).not.toBeNull();
    expect(await stale.next((e) => e.type === 'rate', 500)).toBeNull();
    stale.close();
  });

  it('is never pushed a stage completed long ago, even when the business system marks it completed only now', async () => {
    clock.set('2026-11-20T02:40:00.000Z');
    const events = await stream();
    expect(await events.next((e) => e.type === 'hello')).not.toBeNull();
    // Completed (by its own record) two days ago, registered now: the trigger fires, nothing is pushed.
    const old = await makeCompletedCase(db(), config, item, '2026-11-18 10:30:00', { windowCode: window.code });
    expect(await events.next((e) => e.type === 'rate', 700)).toBeNull();
    // Six minutes old is already too old (KIOSK_PUSH_WITHIN_MINUTES = 5).
    await makeCompletedCase(db(), config, item, '2026-11-20 10:34:00', { windowCode: window.code });
    expect(await events.next((e) => e.type === 'rate', 700)).toBeNull();
    const fresh = await makeCompletedCase(db(), config, item, '2026-11-20 10:38:00', { windowCode: window.code });
    expect(await events.next((e) => e.type === 'rate', 3000)).toMatchObject({ stageId: await stageOf(fresh) });
    events.close();
    expect(await db().selectFrom('rating_link').select('id').where('case_stage_id', '=', await stageOf(old)).execute()).toEqual([]);
  });

  it('binds a pushed link to its device: another device and the public page are refused; a rating is made within minutes, and an offline one says when', async () => {
    clock.set('2026-11-20T03:00:00.000Z');
    const other = (await register(adminToken, window.id)).json();
    const events = await stream();
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 10:59:30', { windowCode: window.code });
    const push = await events.next((e) => e.type === 'rate' && e.stageId !== undefined);
    events.close();
    const token = String(push?.token);
    const link = await db().selectFrom('rating_link').select(['proof', 'device_id', 'rate_by']).where('case_stage_id', '=', await stageOf(projectNo)).executeTakeFirstOrThrow();
    expect(link).toEqual({ proof: 'device', device_id: deviceId, rate_by: new Date('2026-11-20T03:05:00.000Z') });

    const stolen = await rateOn(other.credential, token, { clientId: 'kiosk-other-01', madeAt: clock().toISOString() });
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().code).toBe('KIOSK_LINK_DEVICE_BOUND');
    expect((await system.app.inject({ method: 'GET', url: `/api/v1/kiosk/ratings/${token}`, headers: device(other.credential) })).json().code).toBe('KIOSK_LINK_DEVICE_BOUND');
    const open = await system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${token}`, payload: { clientId: 'kiosk-public-1', level: 1, indicators: ['507'], anonymous: true } });
    expect(open.json().code).toBe('KIOSK_LINK_DEVICE_BOUND');
    expect((await rateOn(credential, token, { clientId: 'kiosk-future-1', madeAt: '2026-11-20T03:30:00.000Z' })).json().code).toBe('KIOSK_MADE_AT_INVALID');
    expect((await rateOn(credential, token, { clientId: 'kiosk-before-1', madeAt: '2026-11-20T02:00:00.000Z' })).json().code).toBe('KIOSK_MADE_AT_INVALID');

    // Arrives an hour later from the outbox: made two minutes after the push, so it counts, dated then.
    clock.set('2026-11-20T04:00:00.000Z');
    const late = await rateOn(credential, token, { clientId: 'kiosk-late-001', madeAt: '2026-11-20T03:06:00.000Z' });
    expect(late.statusCode).toBe(410);
    expect(late.json().code).toBe('KIOSK_RATING_TOO_LATE');
    const offline = await rateOn(credential, token, { clientId: 'kiosk-offline-1', madeAt: '2026-11-20T03:02:00.000Z' });
    expect(offline.statusCode, offline.body).toBe(201);
    const stored = await db()
      .selectFrom('evaluation as e')
      .innerJoin('rating_proof as p', 'p.evaluation_id', 'e.id')
      .select(['e.assessed_at', 'e.channel', 'p.proof', 'p.origin', 'p.device_id', 'p.made_at', 'p.recorded_at'])
      .where('e.receipt_no', '=', offline.json().receiptNo)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      assessed_at: new Date('2026-11-20T03:02:00.000Z'),
      channel: 'hall_tablet',
      proof: 'device',
      origin: 'kiosk',
      device_id: deviceId,
      made_at: new Date('2026-11-20T03:02:00.000Z'),
      recorded_at: new Date('2026-11-20T04:00:00.000Z'),
    });
  });

  it('ends open streams when the app closes', async () => {
    const open = await stream();
    expect(await open.next((e) => e.type === 'hello')).not.toBeNull();
    // The server ends the stream itself: this test never aborts it from the client.
    closed = true;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
    expect(await Promise.race([system.close().then(() => open.ended).then(() => 'ended' as const), timeout])).toBe('ended');
  });
});
