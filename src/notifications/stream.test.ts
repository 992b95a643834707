// The live notification stream over a real HTTP connection, on both engines: the unread count at
// connect, each new notification of the caller (from notify() and from the fan-out inside the
// intake statement, through the database triggers and LISTEN), never another account's, nothing of
// a rolled-back write, and the count again after marking read.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { login } from '../auth/sessions.ts';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { notify } from './notifications.ts';
import { parseNotificationSignal } from './stream.ts';

const START = new Date('2026-12-01T02:00:00.000Z');
const PASSWORD = 'sichuan-2026-stream';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

interface Reader {
  /** The next event, or null after `ms`. */
  next(ms?: number): Promise<SseEvent | null>;
  close(): void;
  comments: number;
  /** Settles when the server ends the stream (or close() aborts it). */
  ended: Promise<void>;
}

/** A minimal SSE reader over fetch: keeps each event's name and its JSON data. */
async function openStream(url: string, headers: Record<string, string>): Promise<{ status: number; contentType: string | null; reader: Reader | null; body: string }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (response.status !== 200 || !response.body) return { status: response.status, contentType: response.headers.get('content-type'), reader: null, body: await response.text() };
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended: () => void = () => undefined;
  const reader: Reader = {
    comments: 0,
    ended: new Promise<void>((resolve) => {
      ended = resolve;
    }),
    async next(ms = 5000) {
      const deadline = Date.now() + ms;
      while (events.length === 0) {
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
      return events.shift() ?? null;
    },
    close: () => controller.abort(),
  };
  const body = response.body.getReader();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    let name = 'message';
    let data: string[] = [];
    try {
      for (;;) {
        const { done, value } = await body.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data.length > 0) events.push({ event: name, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
            for (const wake of waiters) wake();
            name = 'message';
            data = [];
          } else if (line.startsWith(':')) reader.comments++;
          else if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
      }
    } catch {
      // aborted by close()
    }
    ended();
  })();
  return { status: 200, contentType: response.headers.get('content-type'), reader, body: '' };
}

describe('notification signals', () => {
  it('are read only when well formed', () => {
    const accountId = '0190a5b0-0000-7000-8000-000000000001';
    const id = '0190a5b0-0000-7000-8000-000000000002';
    expect(parseNotificationSignal(JSON.stringify({ accountId, id }))).toEqual({ accountId, id });
    expect(parseNotificationSignal(JSON.stringify({ accountId }))).toEqual({ accountId, id: null });
    expect(parseNotificationSignal(JSON.stringify({ accountId, id: 'x' }))).toBeNull();
    expect(parseNotificationSignal('{"accountId":"x"}')).toBeNull();
    expect(parseNotificationSignal('not json')).toBeNull();
    expect(parseNotificationSignal(undefined)).toBeNull();
  });
});

describeOnEngines('the live notification stream', (database) => {
  const clock = testClock(START);
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let system: System;
  let base: string;
  let integrator: TestIntegrator;
  let item: { task_code: string };
  const account: Record<'zhang' | 'li', { id: string; token: string }> = { zhang: { id: '', token: '' }, li: { id: '', token: '' } };
  const readers: Reader[] = [];
  const db = () => database().db;

  async function stream(headers: Record<string, string>) {
    const opened = await openStream(`${base}/api/v1/notifications/stream`, headers);
    if (opened.reader) readers.push(opened.reader);
    return opened;
  }
  const bearer = (who: 'zhang' | 'li') => ({ authorization: `Bearer ${account[who].token}` });
  const note = (who: 'zhang' | 'li', receiptNo: string) => {
    clock.advance(1000);
    return notify(db(), { kind: 'ticket_opened', ticketId: null, params: { receiptNo, level: 1 }, to: { accounts: [account[who].id] } }, clock());
  };

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    const org = await makeOrg(db());
    item = await makeItem(db(), org);
    integrator = await makeIntegrator(db(), config);
    for (const who of ['zhang', 'li'] as const) {
      const created = await createStaffAccount(db(), { username: `${who}.stream`, password: PASSWORD, displayName: who, role: 'org_handler', scopeOrgId: org.id }, START);
      account[who] = { id: created.id, token: (await login(db(), config, `${who}.stream`, PASSWORD, START)).token };
    }
    // Something unread already, so that the first count is not 0.
    await note('zhang', 'R-OLD');
  });
  afterAll(async () => {
    for (const r of readers) r.close();
    await system.close();
  });

  it('is for signed-in staff only', async () => {
    const anonymous = await stream({});
    expect([anonymous.status, JSON.parse(anonymous.body).code]).toEqual([401, 'AUTH_REQUIRED']);
    const expired = await stream({ authorization: 'Bearer not-a-session-token-at-all-0000000000000' });
    expect(expired.status).toBe(401);
    const signed = await signedInject(system.app, integrator, clock(), 'GET', '/api/v1/notifications/stream');
    expect([signed.statusCode, signed.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
  });

  it('tells the unread count at once, then each new notification of the caller (never another account’s) and the new count', async () => {
    const opened = await stream(bearer('zhang'));
    expect(opened.contentType).toMatch(/^text\/event-stream/);
    const events = opened.reader;
    if (!events) throw new Error('no stream');
    expect(await events.next()).toEqual({ event: 'unread', data: { count: 1 } });

    await note('li', 'R-LI');
    await note('zhang', 'R-1');
    const first = await events.next();
    expect(first?.event).toBe('notification');
    // The same view as the list.
    const listed = (await system.app.inject({ method: 'GET', url: '/api/v1/notifications?limit=1', headers: bearer('zhang') })).json();
    expect(first?.data).toEqual(listed.items[0]);
    expect(first?.data).toMatchObject({ kind: 'ticket_opened', params: { receiptNo: 'R-1' }, readAt: null, text: { zh: expect.stringContaining('R-1') } });
    expect(await events.next()).toEqual({ event: 'unread', data: { count: 2 } });

    // A write that rolls back is never announced.
    await db()
      .transaction()
      .execute(async (trx) => {
        await notify(trx, { kind: 'ticket_opened', ticketId: null, params: { receiptNo: 'R-ROLLED-BACK' }, to: { accounts: [account.zhang.id] } }, clock());
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await note('zhang', 'R-2');
    expect((await events.next())?.data).toMatchObject({ params: { receiptNo: 'R-2' } });
    expect(await events.next()).toEqual({ event: 'unread', data: { count: 3 } });
    // Li's notification and the rolled-back one never came; nothing else is pending.
    expect(await events.next(300)).toBeNull();
  });

  it('tells the new count when notifications are marked read, also to the account’s other streams, and nothing to another account', async () => {
    const tab1 = (await stream(bearer('zhang'))).reader;
    const tab2 = (await stream({ cookie: `hcp_session=${account.zhang.token}` })).reader;
    const other = (await stream(bearer('li'))).reader;
    if (!tab1 || !tab2 || !other) throw new Error('no stream');
    expect(await tab1.next()).toEqual({ event: 'unread', data: { count: 3 } });
    expect(await tab2.next()).toEqual({ event: 'unread', data: { count: 3 } });
    expect(await other.next()).toEqual({ event: 'unread', data: { count: 1 } });

    const [oldest] = (await system.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: bearer('zhang') })).json().items.slice(-1);
    const marked = await system.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: bearer('zhang'), payload: { ids: [oldest.id] } });
    expect(marked.json()).toEqual({ marked: 1 });
    expect(await tab1.next()).toEqual({ event: 'unread', data: { count: 2 } });
    expect(await tab2.next()).toEqual({ event: 'unread', data: { count: 2 } });
    await system.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: bearer('zhang'), payload: { all: true } });
    expect(await tab1.next()).toEqual({ event: 'unread', data: { count: 0 } });
    expect(await tab2.next()).toEqual({ event: 'unread', data: { count: 0 } });
    // Marking nothing changes no count: nothing is sent.
    await system.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: bearer('zhang'), payload: { all: true } });
    expect(await tab1.next(300)).toBeNull();
    expect(await other.next(300)).toBeNull();
  });

  it('hears the notices the intake statement fans out to the org’s handlers with each 差评', async () => {
    const events = (await stream(bearer('li'))).reader;
    if (!events) throw new Error('no stream');
    expect(await events.next()).toEqual({ event: 'unread', data: { count: 1 } });
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-30 10:00:00');
    const rated = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', {
      projectNo, level: 1, indicators: ['507'], comment: '等了很久', channel: 'mobile', assessedAt: '2026-12-01 09:00:00',
    });
    expect(rated.statusCode, rated.body).toBe(201);
    const ticket = await db().selectFrom('ticket').select(['id', 'receipt_no']).where('evaluation_id', '=', rated.json().evaluation.id).executeTakeFirstOrThrow();
    const pushed = await events.next();
    expect(pushed).toMatchObject({ event: 'notification', data: { kind: 'ticket_opened', ticketId: ticket.id, params: { receiptNo: ticket.receipt_no } } });
    expect(await events.next()).toEqual({ event: 'unread', data: { count: 2 } });
  });

  it('sends a heartbeat comment every 25 seconds, and ends the stream at the first one after its session ended', async () => {
    await createStaffAccount(db(), { username: 'wang.stream', password: PASSWORD, displayName: 'wang', role: 'org_handler', scopeOrgId: (await makeOrg(db())).id }, START);
    const token = (await login(db(), config, 'wang.stream', PASSWORD, START)).token;
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const events = (await stream({ authorization: `Bearer ${token}` })).reader;
      if (!events) throw new Error('no stream');
      expect(await events.next()).toEqual({ event: 'unread', data: { count: 0 } });
      vi.advanceTimersByTime(25_000);
      await expect.poll(() => events.comments).toBe(1);
      let over = false;
      void events.ended.then(() => (over = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(over).toBe(false);
      const out = await system.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
      expect(out.statusCode, out.body).toBeLessThan(300);
      vi.advanceTimersByTime(25_000);
      await expect.poll(() => over, { timeout: 5000 }).toBe(true);
      expect(events.comments).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends open streams when the server closes', async () => {
    const opened = await openStream(`${base}/api/v1/notifications/stream`, bearer('zhang'));
    expect(opened.reader).not.toBeNull();
    const started = Date.now();
    // Every stream still open (this one and those above) must not hold the server.
    await system.close();
    expect(Date.now() - started).toBeLessThan(5000);
    opened.reader?.close();
    // afterAll closes again: a second close is harmless.
  });
});
