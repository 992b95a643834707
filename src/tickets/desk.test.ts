import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import { beijingMinute } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { StaffRole } from '../db/schema.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, makeStaff, makeWindow, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { NEXT_DUE } from './desk-queries.ts';
import { nextDeadline } from './desk-rules.ts';
import { STAFF_STEPS, type StepName } from './step-rules.ts';
import { ticketFromRow } from './store.ts';

const PASSWORD = 'desk-test-password';

interface Item {
  id: string;
  receiptNo: string;
  state: string;
  version: number;
  openedAt: string;
  orgId: string;
  nextDeadline: { name: string; dueAt: string; workingDaysLeft: number; hoursLeft: number; status: string } | null;
  extension: { state: string } | null;
  [key: string]: unknown;
}

describeOnEngines('ticket desk', (database) => {
  // Friday 20 November 2026, 10:00 Beijing.
  const clock = testClock('2026-11-20T02:00:00.000Z');
  let config: Config;
  let system: System;
  let integrator: TestIntegrator;
  let orgA: { id: string; region_code: string; name: string };
  let orgB: { id: string; region_code: string; name: string };
  let orgC: { id: string; region_code: string; name: string };
  let itemA: { task_code: string; name: string };
  let itemB: { task_code: string };
  let itemC: { task_code: string };
  let windowA: { id: string; code: string; name: string };
  let staffA: { staff_no: string; name: string };
  const tokens: Record<string, string> = {};
  const accounts: Record<string, string> = {};
  const t = { A1: '', A2: '', A3: '', A4: '', A5: '', A6: '', A7: '', B1: '', C1: '' };

  const db = () => database().db;
  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const list = async (who: string, query = ''): Promise<Item[]> => {
    const response = await as(who, 'GET', `/api/v1/tickets?limit=200${query}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().next).toBeNull();
    return response.json().items;
  };
  const ids = (items: Array<{ id: string }>) => items.map((i) => i.id).sort();
  const named = (...names: Array<keyof typeof t>) => names.map((n) => t[n]).sort();
  const step = (who: string, ticketId: string, body: Record<string, unknown>) => as(who, 'POST', `/api/v1/tickets/${ticketId}/steps`, body);
  const ok = async (who: string, ticketId: string, body: Record<string, unknown>) => {
    const response = await step(who, ticketId, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().ticket;
  };

  async function account(username: string, role: StaffRole, scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    const created = await createStaffAccount(db(), { username, displayName: `${username}（姓名）`, role, password: PASSWORD, ...scope }, clock());
    accounts[username] = created.id;
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    tokens[username] = login.json().token;
  }

  /** A bad rating through the real intake; returns the ticket id. */
  async function badRating(item: { task_code: string }, overrides: Record<string, unknown> = {}, caseOverrides: Record<string, unknown> = {}): Promise<string> {
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00', caseOverrides);
    const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', {
      projectNo,
      level: 1,
      indicators: ['507'],
      comment: '窗口人员态度很差',
      channel: 'mobile',
      assessedAt: new Date(clock().getTime() - 60_000).toISOString(),
      ...overrides,
    });
    expect(response.statusCode, response.body).toBe(201);
    const ticket = await db().selectFrom('ticket').select('id').where('evaluation_id', '=', response.json().evaluation.id).executeTakeFirstOrThrow();
    return ticket.id;
  }

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720' });
    system = await startSystem(config, { database: database(), clock });
    orgA = await makeOrg(db(), { regionCode: '510104', name: '锦江区政务服务中心' });
    orgB = await makeOrg(db(), { regionCode: '510104' });
    orgC = await makeOrg(db(), { regionCode: '510105' });
    itemA = await makeItem(db(), orgA);
    itemB = await makeItem(db(), orgB);
    itemC = await makeItem(db(), orgC);
    windowA = await makeWindow(db(), orgA);
    staffA = await makeStaff(db(), orgA, windowA);
    integrator = await makeIntegrator(db(), config);
    await account('handler.a', 'org_handler', { scopeOrgId: orgA.id });
    await account('handler.b', 'org_handler', { scopeOrgId: orgB.id });
    await account('sup.county', 'supervisor', { scopeRegionCode: '510104' });
    await account('sup.other', 'supervisor', { scopeRegionCode: '510105' });
    await account('admin.city', 'city_admin', { scopeRegionCode: '510100' });
    await account('admin.province', 'province_admin', { scopeRegionCode: '510000' });

    const minute = () => clock.advance(60_000);
    t.A1 = await badRating(itemA, { comment: '窗口人员态度很差，有事请打13812345678', anonymous: false, rater: { name: '张三丰', phone: '13912345678' } }, { windowCode: windowA.code, staffNo: staffA.staff_no });
    minute();
    t.A2 = await badRating(itemA, { level: 2, comment: '等了100%_的时间', channel: 'pc' });
    minute();
    t.A3 = await badRating(itemA, { comment: '其他问题 100 percent' });
    await ok('handler.a', t.A3, { step: 'accept' });
    minute();
    t.A4 = await badRating(itemA);
    await ok('handler.a', t.A4, { step: 'accept' });
    await ok('handler.a', t.A4, { step: 'verified' });
    await ok('handler.a', t.A4, { step: 'request_extension', days: 5, reason: '需协调其他部门' });
    minute();
    t.A5 = await badRating(itemA);
    await ok('handler.a', t.A5, { step: 'accept' });
    await ok('handler.a', t.A5, { step: 'judge_invalid', kind: 'mistaken', reason: '评价人选错了办件' });
    minute();
    t.B1 = await badRating(itemB, { level: 2, comment: undefined, channel: 'qr' });
    minute();
    t.C1 = await badRating(itemC, {}, { projectNo: '510105-20261119-000777', areaCode: '510105' });
    minute();
    // Two at the same instant: the pages must order them by id.
    t.A6 = await badRating(itemA);
    t.A7 = await badRating(itemA);
  });
  beforeEach(() => clock.set('2026-11-20T02:10:00.000Z'));
  afterAll(async () => {
    await system.close();
  });

  it('filters by state, decisions, region, org, item, channel, level, day and comment text, within the caller’s scope', async () => {
    const all = await list('admin.province');
    expect(ids(all)).toEqual(named('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'B1', 'C1'));
    expect(ids(await list('admin.province', '&state=verifying'))).toEqual(named('A3'));
    expect(ids(await list('admin.province', '&state=appealing,rectifying'))).toEqual(named('A4', 'A5'));
    expect(ids(await list('admin.province', '&needsDecision=true'))).toEqual(named('A4', 'A5'));
    expect(ids(await list('admin.province', '&needsDecision=false'))).toEqual(named('A1', 'A2', 'A3', 'A6', 'A7', 'B1', 'C1'));
    expect(ids(await list('admin.province', '&regionCode=510105'))).toEqual(named('C1'));
    expect(ids(await list('admin.province', `&orgId=${orgB.id}`))).toEqual(named('B1'));
    expect(ids(await list('admin.province', `&taskCode=${itemB.task_code}`))).toEqual(named('B1'));
    expect(ids(await list('admin.province', '&channel=pc'))).toEqual(named('A2'));
    expect(ids(await list('admin.province', '&level=2'))).toEqual(named('A2', 'B1'));
    expect(ids(await list('admin.province', '&escalated=true'))).toEqual([]);
    expect(ids(await list('admin.province', '&from=2026-11-20&to=2026-11-20'))).toHaveLength(9);
    expect(ids(await list('admin.province', '&from=2026-11-21'))).toEqual([]);
    expect(ids(await list('admin.province', '&to=2026-11-19'))).toEqual([]);
    // % and _ are taken literally: "100 percent" does not match "100%_".
    expect(ids(await list('admin.province', `&q=${encodeURIComponent('100%_')}`))).toEqual(named('A2'));
    expect(ids(await list('admin.province', `&q=${encodeURIComponent('态度很差')}`))).toEqual(named('A1', 'A4', 'A5', 'A6', 'A7', 'C1'));
    expect(ids(await list('admin.province', `&q=${encodeURIComponent('态度')}&orgId=${orgA.id}&state=open`))).toEqual(named('A1', 'A6', 'A7'));
    // Scope always applies: a filter never reaches beyond it.
    expect(ids(await list('handler.a'))).toEqual(named('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7'));
    expect(ids(await list('handler.a', `&orgId=${orgB.id}`))).toEqual([]);
    expect(ids(await list('sup.county'))).toEqual(named('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'B1'));
    expect(ids(await list('sup.county', '&regionCode=510105'))).toEqual([]);
    expect(ids(await list('sup.other'))).toEqual(named('C1'));
    expect((await as('admin.province', 'GET', '/api/v1/tickets?regionCode=999999')).json().code).toBe('REGION_UNKNOWN');
    expect((await as('admin.province', 'GET', '/api/v1/tickets?state=nonsense')).statusCode).toBe(400);
  });

  it('enriches each item: names, the comment excerpt, indicators by name, the next deadline on the working-day calendar', async () => {
    const items = await list('handler.a');
    const a1 = items.find((i) => i.id === t.A1);
    expect(a1).toMatchObject({
      orgName: '锦江区政务服务中心',
      regionName: expect.stringContaining('锦江'),
      taskCode: itemA.task_code,
      itemName: itemA.name,
      windowName: windowA.name,
      staffName: staffA.name,
      commentExcerpt: '窗口人员态度很差，有事请打13812345678',
      // Received Friday 10:00: verify by the end of Monday, one working day left, a warning.
      nextDeadline: { name: 'verify', dueAt: '2026-11-23T15:59:59.999Z', workingDaysLeft: 1, status: 'warning' },
    });
    expect((a1?.indicatorNames as Array<{ zh: string }>)[0]?.zh).toMatch(/\p{Script=Han}/u);
    expect(items.find((i) => i.id === t.A4)?.nextDeadline).toMatchObject({ name: 'reply', status: 'normal' });
    expect(items.find((i) => i.id === t.A5)?.nextDeadline).toMatchObject({ name: 'appeal', dueAt: '2026-11-27T15:59:59.999Z', workingDaysLeft: 5, status: 'normal' });
    expect(items.find((i) => i.id === t.A2)).toMatchObject({ windowName: null, staffName: null, commentExcerpt: '等了100%_的时间' });
  });

  it('pages by keyset in every sort without duplicates or gaps, and refuses a cursor of another sort', async () => {
    const byOpened = (a: Item, b: Item) => a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id);
    const dueKey = (i: Item) => i.nextDeadline?.dueAt ?? '9999';
    const orders: Record<string, (a: Item, b: Item) => number> = {
      '-openedAt': (a, b) => byOpened(b, a),
      openedAt: byOpened,
      deadline: (a, b) => dueKey(a).localeCompare(dueKey(b)) || a.id.localeCompare(b.id),
    };
    for (const [sort, order] of Object.entries(orders)) {
      for (const filter of ['', '&state=open', `&orgId=${orgA.id}`]) {
        const whole = await list('admin.province', `&sort=${sort}${filter}`);
        expect(whole.map((i) => i.id)).toEqual([...whole].sort(order).map((i) => i.id));
        const paged: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 20; pages++) {
          const response = await as('admin.province', 'GET', `/api/v1/tickets?limit=2&sort=${sort}${filter}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(response.statusCode, response.body).toBe(200);
          paged.push(...response.json().items.map((i: Item) => i.id));
          cursor = response.json().next;
          if (cursor === null) break;
        }
        expect(paged, `${sort}${filter}`).toEqual(whole.map((i) => i.id));
      }
    }
    const first = (await as('admin.province', 'GET', '/api/v1/tickets?limit=2&sort=deadline')).json();
    const wrong = await as('admin.province', 'GET', `/api/v1/tickets?limit=2&sort=openedAt&cursor=${first.next}`);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('TICKET_CURSOR_INVALID');
    expect((await as('admin.province', 'GET', '/api/v1/tickets?cursor=bm9uc2Vuc2U')).json().code).toBe('TICKET_CURSOR_INVALID');
    const forged = Buffer.from(JSON.stringify(['-openedAt', 'not a time', t.A1])).toString('base64url');
    expect((await as('admin.province', 'GET', `/api/v1/tickets?cursor=${forged}`)).json().code).toBe('TICKET_CURSOR_INVALID');
  });

  it('counts what the list shows: per state, overdue, due soon, awaiting a decision', async () => {
    for (const [who, query] of [['admin.province', ''], ['handler.a', ''], ['sup.county', '&level=1'], ['admin.province', `&q=${encodeURIComponent('态度')}`]] as const) {
      const items = await list(who, query);
      const counts = await as(who, 'GET', `/api/v1/tickets/counts?${query.slice(1)}`);
      expect(counts.statusCode, counts.body).toBe(200);
      const byState: Record<string, number> = {};
      for (const i of items) byState[i.state] = (byState[i.state] ?? 0) + 1;
      expect(counts.json()).toEqual({
        total: items.length,
        byState,
        overdue: items.filter((i) => i.nextDeadline?.status === 'overdue').length,
        dueSoon: items.filter((i) => i.nextDeadline?.status === 'warning').length,
        needsDecision: items.filter((i) => ['appealing', 'cannot_fix_requested'].includes(i.state) || i.extension?.state === 'requested').length,
      });
    }
    expect((await as('admin.province', 'GET', '/api/v1/tickets/counts')).json()).toMatchObject({ total: 9, byState: { open: 6, verifying: 1, rectifying: 1, appealing: 1 }, needsDecision: 2, dueSoon: 7 });
  });

  it('filters overdue and due-soon tickets in SQL exactly as the pure rule judges them, at any moment; escalated ones too', async () => {
    const rows = await db().selectFrom('ticket').selectAll().select(sql<Date | null>`CASE WHEN ${NEXT_DUE} = 'infinity' THEN NULL ELSE ${NEXT_DUE} END`.as('next_due')).execute();
    // The SQL expression of the next deadline is nextDeadline's (the indexes are built on it).
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.next_due, row.state).toEqual(nextDeadline(ticketFromRow(row), clock(), chinaCalendar())?.dueAt ?? null);
    // Monday 18:00 Beijing (verify due tonight), Tuesday 10:00 (verify missed), a week later.
    for (const now of ['2026-11-20T02:10:00Z', '2026-11-23T10:00:00Z', '2026-11-24T02:00:00Z', '2026-12-01T02:00:00Z']) {
      clock.set(now);
      const all = await list('admin.province');
      expect(ids(await list('admin.province', '&due=overdue')), now).toEqual(ids(all.filter((i) => i.nextDeadline?.status === 'overdue')));
      expect(ids(await list('admin.province', '&due=due_soon')), now).toEqual(ids(all.filter((i) => i.nextDeadline?.status === 'warning')));
    }
    clock.set('2026-11-24T02:00:00Z');
    await runDueJobs(db(), system.jobHandlers, clock());
    const escalated = await list('admin.province', '&escalated=true');
    expect(ids(escalated)).toEqual(named('A1', 'A2', 'A3', 'A6', 'A7', 'B1', 'C1'));
    expect(ids(await list('admin.province', '&escalated=false'))).toEqual(named('A4', 'A5'));
  });

  it('exports the filtered list as a workbook: Chinese headers, Beijing times, personal data masked', async () => {
    const response = await as('sup.county', 'GET', '/api/v1/tickets/export.xlsx?sort=openedAt');
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="tickets-\d{12}\.xlsx"; filename\*=UTF-8''%E5%B7%AE%E8%AF%84%E5%B7%A5%E5%8D%95-\d{12}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('差评工单');
    if (!sheet) throw new Error('no sheet');
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    const [header, ...body] = rows;
    expect(header?.slice(0, 4)).toEqual(['回执号', '评价时间（北京时间）', '行政区划', '责任单位']);
    const items = await list('sup.county', '&sort=openedAt');
    expect(body.map((r) => r[0])).toEqual(items.map((i) => i.receiptNo));
    const col = (name: string) => header?.indexOf(name) ?? -1;
    const a1 = body.find((r) => r[0] === items.find((i) => i.id === t.A1)?.receiptNo) ?? [];
    expect(a1[col('评价时间（北京时间）')]).toBe(beijingMinute(new Date(items.find((i) => i.id === t.A1)?.openedAt ?? '')));
    expect(a1[col('评价人（已脱敏）')]).toBe('张** 139****5678');
    expect(a1[col('文字评价（已脱敏）')]).toContain('窗口人员态度很差');
    expect(a1[col('窗口')]).toBe(windowA.name);
    expect(a1[col('评价渠道')]).toMatch(/\p{Script=Han}/u);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('13912345678');
    expect(text).not.toContain('张三丰');
    // The same filters as the list; outside the scope, nothing.
    const filtered = await as('handler.b', 'GET', '/api/v1/tickets/export.xlsx?level=2');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(filtered.rawPayload as unknown as ArrayBuffer);
    expect(book.getWorksheet('差评工单')?.rowCount).toBe(2);
  });

  it('shows a ticket with its case, item, window, staff, indicators, who acted, and the steps the caller may take', async () => {
    const detail = await as('handler.a', 'GET', `/api/v1/tickets/${t.A1}`);
    expect(detail.statusCode, detail.body).toBe(200);
    const body = detail.json();
    expect(body.ticket).toMatchObject({ id: t.A1, orgName: orgA.name, nextDeadline: { name: 'verify' } });
    expect(body.case).toMatchObject({ projectNo: expect.any(String), projectName: itemA.name, completedAt: expect.any(String) });
    expect(body.item).toEqual({ taskCode: itemA.task_code, name: itemA.name });
    expect(body.window).toEqual({ id: windowA.id, name: windowA.name });
    expect(body.staff).toEqual({ name: staffA.name });
    expect(body.evaluation.indicators).toEqual([{ code: '507', name: { zh: expect.any(String), en: expect.any(String) } }]);
    expect(body.evaluation.rater).toEqual({ name: '张**', phone: '139****5678' });
    expect(JSON.stringify(body)).not.toContain('13912345678');
    expect(body.allowedSteps).toEqual(['accept']);
    const a5 = (await as('sup.county', 'GET', `/api/v1/tickets/${t.A5}`)).json();
    expect(a5.events.map((e: { actor: { displayName: string | null } }) => e.actor.displayName)).toEqual(['handler.a（姓名）', 'handler.a（姓名）']);
    expect(a5.allowedSteps).toEqual(['decide_appeal']);
    expect((await as('handler.b', 'GET', `/api/v1/tickets/${t.A1}`)).statusCode).toBe(404);
    expect((await as('sup.other', 'GET', `/api/v1/tickets/${t.A1}`)).json().code).toBe('TICKET_NOT_FOUND');
  });

  it('offers exactly the steps takeStep accepts, for every role and state along the workflow', async () => {
    const bodies: Record<StepName, Record<string, unknown>> = {
      accept: { step: 'accept' },
      verified: { step: 'verified' },
      judge_invalid: { step: 'judge_invalid', kind: 'mistaken', reason: '评价人选错了办件' },
      decide_appeal: { step: 'decide_appeal', upheld: false },
      request_extension: { step: 'request_extension', days: 3, reason: '需协调其他部门' },
      decide_extension: { step: 'decide_extension', granted: true },
      request_cannot_fix: { step: 'request_cannot_fix', reason: '涉及法律规定，无法整改' },
      decide_cannot_fix: { step: 'decide_cannot_fix', approved: true },
      reply: { step: 'reply', text: '已整改完毕，谢谢监督' },
      callback: { step: 'callback', outcome: 'satisfied' },
    };
    const h = (name: StepName): [string, StepName] => ['handler.a', name];
    const s = (name: StepName): [string, StepName] => ['sup.county', name];
    const paths: Record<string, Array<[string, StepName]>> = {
      open: [],
      verifying: [h('accept')],
      extension_asked: [h('accept'), h('request_extension')],
      rectifying: [h('accept'), h('verified')],
      appealing: [h('accept'), h('judge_invalid')],
      cannot_fix_requested: [h('accept'), h('verified'), h('request_cannot_fix')],
      cannot_fix_approved: [h('accept'), h('verified'), h('request_cannot_fix'), s('decide_cannot_fix')],
      replied: [h('accept'), h('verified'), h('reply')],
      closed: [h('accept'), h('verified'), h('reply'), h('callback')],
    };
    const callers = ['handler.a', 'handler.b', 'sup.county', 'sup.other', 'admin.city', 'admin.province'];
    const bring = async (path: Array<[string, StepName]>) => {
      const id = await badRating(itemA);
      for (const [who, name] of path) await ok(who, id, bodies[name]);
      return id;
    };
    for (const [state, path] of Object.entries(paths)) {
      const id = await bring(path);
      const allowed: Record<string, StepName[]> = {};
      for (const who of callers) {
        const detail = await as(who, 'GET', `/api/v1/tickets/${id}`);
        allowed[who] = detail.statusCode === 200 ? detail.json().allowedSteps : [];
        if (detail.statusCode !== 200) expect(detail.statusCode).toBe(404);
        const before = (await db().selectFrom('ticket').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;
        for (const name of STAFF_STEPS) {
          if (allowed[who]?.includes(name)) continue;
          const refused = await step(who, id, bodies[name]);
          expect(refused.statusCode, `${state} ${who} ${name}`).toBeGreaterThanOrEqual(400);
          expect(['AUTH_OUT_OF_SCOPE', 'TICKET_ACTOR_NOT_ALLOWED', 'TICKET_TRANSITION_INVALID', 'TICKET_EXTENSION_INVALID', 'TICKET_APPEAL_INVALID']).toContain(refused.json().code);
        }
        expect((await db().selectFrom('ticket').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version).toBe(before);
      }
      // Each step offered is accepted, on a ticket brought to the same state.
      for (const who of callers) {
        for (const name of allowed[who] ?? []) {
          const fresh = await bring(path);
          const taken = await step(who, fresh, bodies[name]);
          expect(taken.statusCode, `${state} ${who} ${name}: ${taken.body}`).toBe(200);
        }
      }
      if (state === 'open') expect(allowed).toMatchObject({ 'handler.a': ['accept'], 'sup.county': [], 'admin.province': [] });
      if (state === 'extension_asked') expect(allowed['sup.county']).toEqual(['decide_extension']);
      if (state === 'closed') expect(Object.values(allowed).flat()).toEqual([]);
    }
  });

  it('previews the exact reply SMS (one template with the real reply), with its length and parts', async () => {
    const id = await badRating(itemA, { anonymous: false, rater: { name: '李四', phone: '13600001111' } });
    await ok('handler.a', id, { step: 'accept' });
    await ok('handler.a', id, { step: 'verified' });
    const text = '您反映的窗口人员服务态度问题已核实，我中心已对相关人员进行批评教育，并加强了窗口服务规范培训。';
    const preview = await as('handler.a', 'POST', `/api/v1/tickets/${id}/reply-preview`, { text });
    expect(preview.statusCode, preview.body).toBe(200);
    const { sms, characters, segments, smsSent } = preview.json();
    expect(smsSent).toBe(true);
    expect(characters).toBe(sms.length);
    expect(segments).toBe(Math.ceil(sms.length / 67));
    await ok('handler.a', id, { step: 'reply', text });
    const sent = await db().selectFrom('outbound_message').select('body').where('purpose', '=', 'ticket-reply').where('body', 'like', `%${text}%`).executeTakeFirstOrThrow();
    const withoutToken = (body: string) => body.replace(/\/c\/[A-Za-z0-9_.-]+$/, '/c/TOKEN');
    expect(withoutToken(sms)).toBe(withoutToken(sent.body));
    expect(sms.length).toBe(sent.body.length);
    // The preview's link opens nothing.
    const token = /\/c\/([A-Za-z0-9_.-]+)$/.exec(sms)?.[1];
    expect((await system.app.inject({ method: 'GET', url: `/api/v1/callbacks/${token}` })).json().code).toBe('LINK_INVALID');
    // An anonymous rater gets no SMS; out of scope is unknown.
    expect((await as('handler.a', 'POST', `/api/v1/tickets/${t.A2}/reply-preview`, { text: '已整改' })).json().smsSent).toBe(false);
    expect((await as('handler.b', 'POST', `/api/v1/tickets/${id}/reply-preview`, { text: '已整改' })).statusCode).toBe(404);
  });

  it('reveals the rater with a reason to the org’s handlers and the supervisors above, logging each reveal; nobody else; anonymous has nothing', async () => {
    const reveal = (who: string, id: string, reason = '电话回访，核实诉求') => as(who, 'POST', `/api/v1/tickets/${id}/rater`, { reason });
    const handler = await reveal('handler.a', t.A1);
    expect(handler.statusCode, handler.body).toBe(200);
    expect(handler.json()).toEqual({ name: '张三丰', phone: '13912345678', certNo: null });
    expect((await reveal('sup.county', t.A1)).statusCode).toBe(200);
    expect((await reveal('admin.province', t.A1, '督办抽查')).statusCode).toBe(200);
    const log = await db().selectFrom('pii_access_log').selectAll().where('subject_table', '=', 'evaluation').orderBy('at').orderBy('id').execute();
    expect(log.map((l) => [l.actor, l.actor_role])).toEqual([
      [accounts['handler.a'], 'org_handler'],
      [accounts['sup.county'], 'supervisor'],
      [accounts['admin.province'], 'province_admin'],
    ]);
    expect(log[0]?.purpose).toContain('电话回访，核实诉求');
    expect(log[0]?.purpose).toContain(t.A1);
    expect(log[2]?.purpose).toContain('督办抽查');
    expect(log[0]?.fields.sort()).toEqual(['name', 'phone']);
    // A city admin covers it but may not unseal; other orgs and regions do not see it at all.
    expect((await reveal('admin.city', t.A1)).json().code).toBe('AUTH_FORBIDDEN');
    expect((await reveal('handler.b', t.A1)).json().code).toBe('TICKET_NOT_FOUND');
    expect((await reveal('sup.other', t.A1)).statusCode).toBe(404);
    expect((await reveal('handler.a', t.A2)).json().code).toBe('TICKET_RATER_ANONYMOUS');
    expect((await reveal('handler.a', t.A1, 'x')).statusCode).toBe(400);
    expect(await db().selectFrom('pii_access_log').select('id').execute()).toHaveLength(3);
  });

  it('answers a conflict with the ticket’s current version and state', async () => {
    const id = await badRating(itemA);
    await ok('handler.a', id, { step: 'accept', version: 0 });
    const late = await step('handler.a', id, { step: 'verified', version: 0 });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'TICKET_CONFLICT', details: { ticketId: id, version: 1, state: 'verifying' } });
  });
});
