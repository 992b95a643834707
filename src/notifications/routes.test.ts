import { afterAll, beforeAll, expect, it } from 'vitest';
import { login } from '../auth/sessions.ts';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { App } from '../http/app-type.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeIntegrator, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { notify } from './notifications.ts';

// The routes as src/http/app.ts registers them; the job loop is not needed here.
const config = testConfig({ JOBS_ENABLED: 'false' });
const START = new Date('2026-12-01T02:00:00.000Z');
const PASSWORD = 'sichuan-2026-good';

describeOnEngines('notification routes', (database) => {
  const clock = testClock(START);
  let system: System;
  let app: App;
  let integrator: TestIntegrator;
  const token: Record<'zhang' | 'li', string> = { zhang: '', li: '' };
  const mine: string[] = []; // zhang's, oldest first
  let others: string[] = []; // li's

  const as = (who: 'zhang' | 'li', method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token[who]}` }, ...(payload === undefined ? {} : { payload }) });
  const idsOf = async (accountId: string) => (await database().db.selectFrom('notification').select('id').where('account_id', '=', accountId).orderBy('id').execute()).map((r) => r.id);

  beforeAll(async () => {
    const { db } = database();
    system = await startSystem(config, { database: database(), clock });
    app = system.app;
    const org = await makeOrg(db);
    const zhang = await createStaffAccount(db, { username: 'zhang.handler', password: PASSWORD, displayName: '张', role: 'org_handler', scopeOrgId: org.id }, START);
    const li = await createStaffAccount(db, { username: 'li.handler', password: PASSWORD, displayName: '李', role: 'org_handler', scopeOrgId: org.id }, START);
    token.zhang = (await login(db, config, 'zhang.handler', PASSWORD, START)).token;
    token.li = (await login(db, config, 'li.handler', PASSWORD, START)).token;
    const kinds = ['ticket_opened', 'deadline_warning', 'callback_due'];
    for (const [i, kind] of kinds.entries()) {
      const before = new Set(await idsOf(zhang.id));
      await notify(db, { kind, ticketId: null, params: { receiptNo: `R-${i}`, level: 2 }, to: { accounts: [zhang.id] } }, new Date(START.getTime() + i * 60_000));
      mine.push(...(await idsOf(zhang.id)).filter((id) => !before.has(id)));
    }
    await notify(db, { kind: 'ticket_opened', ticketId: null, params: {}, to: { accounts: [li.id] } }, START);
    others = await idsOf(li.id);
    integrator = await makeIntegrator(db, config);
  });
  afterAll(async () => {
    await system.close();
  });

  it('lists the caller’s own notifications, newest first, with their text', async () => {
    const response = await as('zhang', 'GET', '/api/v1/notifications');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.items.map((n: { id: string }) => n.id)).toEqual([...mine].reverse());
    expect(body.unreadCount).toBe(3);
    expect(body.next).toBeNull();
    expect(body.items[2]).toEqual({
      id: mine[0],
      kind: 'ticket_opened',
      ticketId: null,
      params: { receiptNo: 'R-0', level: 2 },
      text: { zh: expect.stringContaining('评价回执号 R-0'), en: expect.stringContaining('receipt R-0') },
      createdAt: START.toISOString(),
      readAt: null,
    });
    expect((await as('li', 'GET', '/api/v1/notifications')).json().items.map((n: { id: string }) => n.id)).toEqual(others);
  });

  it('pages with before', async () => {
    const first = (await as('zhang', 'GET', '/api/v1/notifications?limit=2')).json();
    expect(first.items.map((n: { id: string }) => n.id)).toEqual([mine[2], mine[1]]);
    expect(first.next).toBe(mine[1]);
    const second = (await as('zhang', 'GET', `/api/v1/notifications?limit=2&before=${first.next}`)).json();
    expect(second.items.map((n: { id: string }) => n.id)).toEqual([mine[0]]);
    expect(second.next).toBeNull();
    // Another account's id as the cursor reveals nothing.
    expect((await as('zhang', 'GET', `/api/v1/notifications?before=${others[0]}`)).json().items).toEqual([]);
  });

  it('marks only the caller’s own notifications as read, and counts what it marked', async () => {
    const { db } = database();
    clock.set('2026-12-01T03:00:00.000Z');
    const marked = await as('zhang', 'POST', '/api/v1/notifications/read', { ids: [mine[0], others[0]] });
    expect([marked.statusCode, marked.json()]).toEqual([200, { marked: 1 }]);
    const liRow = await db.selectFrom('notification').select('read_at').where('id', '=', others[0] ?? '').executeTakeFirstOrThrow();
    expect(liRow.read_at).toBeNull();
    expect((await as('zhang', 'POST', '/api/v1/notifications/read', { ids: [mine[0]] })).json()).toEqual({ marked: 0 });
    expect((await as('zhang', 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 2 });
    expect((await as('li', 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 1 });

    const listed = (await as('zhang', 'GET', '/api/v1/notifications')).json();
    expect(listed.items.find((n: { id: string }) => n.id === mine[0]).readAt).toBe('2026-12-01T03:00:00.000Z');
    const unread = (await as('zhang', 'GET', '/api/v1/notifications?unread=true')).json();
    expect(unread.items.map((n: { id: string }) => n.id)).toEqual([mine[2], mine[1]]);

    expect((await as('zhang', 'POST', '/api/v1/notifications/read', { all: true })).json()).toEqual({ marked: 2 });
    expect((await as('zhang', 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 0 });
    expect((await as('li', 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 1 });
  });

  it('validates the body', async () => {
    const tooMany = Array.from({ length: 501 }, () => mine[0]);
    for (const payload of [{ ids: tooMany }, { ids: ['not-a-uuid'] }, { ids: [mine[0]], all: true }, { all: false }, {}]) {
      const response = await as('zhang', 'POST', '/api/v1/notifications/read', payload);
      expect([response.statusCode, response.json().code], JSON.stringify(payload).slice(0, 60)).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('is for staff: integrator apps are refused, anonymous callers asked to sign in', async () => {
    for (const [method, url, body] of [
      ['GET', '/api/v1/notifications', undefined],
      ['GET', '/api/v1/notifications/unread-count', undefined],
      ['POST', '/api/v1/notifications/read', { all: true }],
    ] as const) {
      const signed = await signedInject(app, integrator, clock(), method, url, body);
      expect([signed.statusCode, signed.json().code], url).toEqual([403, 'AUTH_FORBIDDEN']);
      const anonymous = await app.inject({ method, url, ...(body ? { payload: body } : {}) });
      expect([anonymous.statusCode, anonymous.json().code], url).toEqual([401, 'AUTH_REQUIRED']);
    }
  });

  it('documents the routes: tag, Chinese-first summary, staff security, error responses', () => {
    const document = app.swagger() as unknown as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[]; responses: Record<string, unknown> }>> };
    const operations = [
      document.paths['/api/v1/notifications']?.['get'],
      document.paths['/api/v1/notifications/unread-count']?.['get'],
      document.paths['/api/v1/notifications/read']?.['post'],
    ];
    for (const operation of operations) {
      expect(operation).toMatchObject({ tags: ['notifications'], security: [{ staffSession: [] }] });
      expect(operation?.summary).toMatch(/^[\u4e00-\u9fff].*\/ [A-Z]/);
      expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    }
  });
});
