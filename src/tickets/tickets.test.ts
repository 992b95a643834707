import { sql } from 'kysely';
import { appendEvaluationFlag } from '../scoring/footprint.ts';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { startGatewayDouble, type GatewayDouble } from '../outbound/gateway-double.ts';
import { qrSvg } from '../posters/qr.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { replayRow, ticketFromRow } from './store.ts';

const PASSWORD = 'ticket-test-password';
const GATEWAY = { appId: 'sms-gw', secret: 'gateway-secret-0123456789' };

describeOnEngines('bad-rating tickets', (database) => {
  // 2026-11-20 is a Friday; 2026-11-21/22 a weekend.
  const clock = testClock('2026-11-20T02:00:00.000Z');
  let gateway: GatewayDouble;
  let config: Config;
  let system: System;
  let integrator: TestIntegrator;
  let org: { id: string; region_code: string; name: string };
  let otherOrg: { id: string; region_code: string };
  let item: { task_code: string };
  const tokens: Record<string, string> = {};

  const db = () => database().db;
  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const runJobs = () => runDueJobs(db(), system.jobHandlers, clock());

  async function account(username: string, role: 'org_handler' | 'supervisor' | 'province_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }, email?: string) {
    const created = await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    if (email) await db().updateTable('staff_account').set({ email }).where('id', '=', created.id).execute();
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    tokens[username] = login.json().token;
  }

  /** A bad rating of a fresh case of `item`, through the real intake; returns the ticket. */
  async function badRating(overrides: Record<string, unknown> = {}, completedAt = '2026-11-19 10:00:00') {
    const projectNo = await makeCompletedCase(db(), config, item, completedAt);
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
    const evaluation = response.json().evaluation;
    const ticket = await db().selectFrom('ticket').selectAll().where('evaluation_id', '=', evaluation.id).executeTakeFirstOrThrow();
    return { evaluation, ticket };
  }

  const step = (who: string, ticketId: string, body: Record<string, unknown>) => as(who, 'POST', `/api/v1/tickets/${ticketId}/steps`, body);
  const ok = async (who: string, ticketId: string, body: Record<string, unknown>) => {
    const response = await step(who, ticketId, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().ticket;
  };

  async function expectReplayMatches(ticketId: string) {
    const row = await db().selectFrom('ticket').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow();
    const events = await db().selectFrom('ticket_event').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute();
    expect(replayRow(row, events)).toEqual(ticketFromRow(row));
  }

  beforeAll(async () => {
    gateway = await startGatewayDouble(GATEWAY);
    config = testConfig({ OUTBOUND_GATEWAY: 'http', OUTBOUND_GATEWAY_URL: gateway.url, OUTBOUND_GATEWAY_APP_ID: GATEWAY.appId, OUTBOUND_GATEWAY_SECRET: GATEWAY.secret, JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720' });
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(db(), { regionCode: '510104' });
    otherOrg = await makeOrg(db(), { regionCode: '510104' });
    item = await makeItem(db(), org);
    integrator = await makeIntegrator(db(), config);
    await account('handler.a', 'org_handler', { scopeOrgId: org.id }, 'handler.a@example.gov.cn');
    await account('handler.b', 'org_handler', { scopeOrgId: org.id });
    await account('handler.other', 'org_handler', { scopeOrgId: otherOrg.id });
    await account('sup.county', 'supervisor', { scopeRegionCode: '510104' }, 'sup.county@example.gov.cn');
    await account('sup.city', 'supervisor', { scopeRegionCode: '510100' });
    await account('admin.province', 'province_admin', { scopeRegionCode: '510000' });
  });
  // Each test starts on Friday 20 November 2026, 10:00 Beijing, whatever the last one did with time.
  beforeEach(() => clock.set('2026-11-20T02:00:00.000Z'));
  afterAll(async () => {
    await system.close();
    await gateway.close();
  });

  it('opens a ticket only for a 差评, in the same statement, assigned to the org that handled the case, with a watch job', async () => {
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00');
    const good = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 5, indicators: ['101'], channel: 'mobile', assessedAt: '2026-11-20 09:00:00' });
    expect(good.statusCode).toBe(201);
    expect(await db().selectFrom('ticket').select('id').where('evaluation_id', '=', good.json().evaluation.id).executeTakeFirst()).toBeUndefined();

    const { ticket } = await badRating();
    expect(ticket).toMatchObject({ org_id: org.id, region_code: '510104', region_path: '510000/510100/510104/', evaluation_region_code: '510104', state: 'open', version: 0, level: 1 });
    // A case of another area handled by the org: assigned to the org, counted in the case's area.
    const elsewhere = await makeCompletedCase(db(), config, item, '2026-11-19 11:00:00', { projectNo: '510105-20261119-000001', areaCode: '510105' });
    const away = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo: elsewhere, level: 2, indicators: ['507'], channel: 'mobile', assessedAt: '2026-11-20 09:00:00' });
    expect(away.statusCode, away.body).toBe(201);
    expect(await db().selectFrom('ticket').select(['org_id', 'region_code', 'evaluation_region_code']).where('evaluation_id', '=', away.json().evaluation.id).executeTakeFirst()).toEqual({ org_id: org.id, region_code: '510104', evaluation_region_code: '510105' });
    // Received Friday 10:00 Beijing: verify by the end of Monday (one working day), reply within 15 natural days.
    expect(ticket.verify_due_at.toISOString()).toBe('2026-11-23T15:59:59.999Z');
    expect(ticket.reply_due_at.toISOString()).toBe('2026-12-05T15:59:59.999Z');
    // The handlers hear of it from the same statement; the watch waits for the first warning (72 h before verify).
    const handlers = await db().selectFrom('staff_account').select('id').where('role', '=', 'org_handler').where('scope_org_id', '=', org.id).where('active', '=', true).execute();
    expect(handlers.length).toBeGreaterThan(0);
    const notices = async () => db().selectFrom('notification').select(['account_id', 'params', 'created_at']).where('ticket_id', '=', ticket.id).where('kind', '=', 'ticket_opened').execute();
    expect((await notices()).map((n) => n.account_id).sort()).toEqual(handlers.map((h) => h.id).sort());
    expect((await notices())[0]).toMatchObject({ params: { receiptNo: ticket.receipt_no, level: 1 }, created_at: ticket.evaluated_at });
    expect(ticket.watch_done).toEqual(['opened']);
    const job = await db().selectFrom('scheduled_job').selectAll().where('subject_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ kind: 'ticket.watch', done_at: null, due_at: new Date('2026-11-20T15:59:59.999Z') });
    await runJobs();
    expect(await notices()).toHaveLength(handlers.length);
  });

  it('runs a full lifecycle: 签收, 核实, 答复, 回访 satisfied, closed; notifications along the way; the state is the fold of the events', async () => {
    const { ticket } = await badRating();
    await runJobs();
    const inbox = await as('handler.a', 'GET', '/api/v1/notifications?unread=true');
    expect(inbox.json().items.some((n: { kind: string; ticketId: string }) => n.kind === 'ticket_opened' && n.ticketId === ticket.id)).toBe(true);
    const otherInbox = await as('handler.other', 'GET', '/api/v1/notifications');
    expect(otherInbox.json().items.some((n: { ticketId: string }) => n.ticketId === ticket.id)).toBe(false);

    await ok('handler.a', ticket.id, { step: 'accept', version: 0 });
    clock.advance(3_600_000);
    await ok('handler.a', ticket.id, { step: 'verified', note: '调取录像，情况属实', attachments: [{ name: '核实记录.pdf', uri: 'oss://hcp/evidence/1.pdf' }] });
    clock.advance(86_400_000);
    const replied = await ok('handler.a', ticket.id, { step: 'reply', text: '已对窗口人员进行批评教育并整改' });
    expect(replied).toMatchObject({ state: 'replied', deadlines: { verify: { status: 'met' }, reply: { status: 'met' } } });
    const closed = await ok('handler.a', ticket.id, { step: 'callback', outcome: 'basically_satisfied', note: '电话回访' });
    expect(closed).toMatchObject({ state: 'closed', lastCallback: 'basically_satisfied', version: 4 });
    // A closed ticket is watched no more.
    const pending = await db().selectFrom('scheduled_job').select('id').where('subject_id', '=', ticket.id).where('done_at', 'is', null).execute();
    expect(pending).toEqual([]);

    const detail = await as('sup.city', 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().events.map((e: { type: string }) => e.type)).toEqual(['accept', 'verified', 'reply', 'callback']);
    expect(detail.json().events[1].attachments).toEqual([{ name: '核实记录.pdf', uri: 'oss://hcp/evidence/1.pdf' }]);
    await expectReplayMatches(ticket.id);
    // The record is append-only.
    await expect(sql`UPDATE ticket_event SET note = 'x' WHERE ticket_id = ${ticket.id}`.execute(db())).rejects.toThrow(/LEDGER_APPEND_ONLY/);
    // The receipt page shows the answer to the rater.
    const receipt = await system.app.inject({ method: 'GET', url: `/api/v1/receipts/${ticket.receipt_no.toLowerCase().replaceAll('-', '')}` });
    expect(receipt.json()).toMatchObject({ receiptNo: ticket.receipt_no, ticket: { status: 'closed', replies: [{ text: '已对窗口人员进行批评教育并整改' }] } });
  });

  it('lets one of two handlers acting at once win; the other gets TICKET_CONFLICT and nothing of theirs is stored', async () => {
    const { ticket } = await badRating();
    const [a, b] = await Promise.all([step('handler.a', ticket.id, { step: 'accept', version: 0 }), step('handler.b', ticket.id, { step: 'accept', version: 0 })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)?.json().code).toBe('TICKET_CONFLICT');
    // Without a version, the second is refused by the state machine instead.
    const late = await step('handler.b', ticket.id, { step: 'accept' });
    expect(late.json().code).toBe('TICKET_TRANSITION_INVALID');
    const events = await db().selectFrom('ticket_event').select('seq').where('ticket_id', '=', ticket.id).execute();
    expect(events).toHaveLength(1);
  });

  it('refuses a handler of another org and roles that may not take a step; hides the ticket from them', async () => {
    const { ticket } = await badRating();
    const other = await step('handler.other', ticket.id, { step: 'accept' });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await as('handler.other', 'GET', `/api/v1/tickets/${ticket.id}`)).statusCode).toBe(404);
    const supervisor = await step('sup.county', ticket.id, { step: 'accept' });
    expect(supervisor.json().code).toBe('TICKET_ACTOR_NOT_ALLOWED');
    const list = await as('handler.other', 'GET', '/api/v1/tickets');
    expect(list.json().items.some((t: { id: string }) => t.id === ticket.id)).toBe(false);
    const unsigned = await system.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}` });
    expect(unsigned.json().code).toBe('AUTH_REQUIRED');
  });

  it('appeal upheld: the evaluation gets an append-only exclusion flag and the ticket closes as invalid; the org never sees the rater unmasked', async () => {
    const { ticket, evaluation } = await badRating({ anonymous: false, rater: { name: '张三丰', phone: '13812345678' } });
    const detail = await as('handler.a', 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(detail.json().evaluation.rater).toEqual({ name: '张**', phone: '138****5678' });
    expect(JSON.stringify(detail.json())).not.toContain('13812345678');
    const reveal = await as('handler.a', 'GET', `/api/v1/evaluations/${evaluation.id}?reveal=true`);
    expect(reveal.statusCode).toBe(403);

    // Nobody marks a rating 申诉成立 by a flag: with no appeal filed, nor over the supervisor's head.
    const flag = () => as('admin.province', 'POST', `/api/v1/evaluations/${evaluation.id}/flags`, { kind: 'appeal_upheld', reason: '直接标记申诉成立' });
    expect((await flag()).json()).toMatchObject({ code: 'EVALUATION_APPEAL_NOT_FILED' });
    expect((await flag()).statusCode).toBe(409);
    await ok('handler.a', ticket.id, { step: 'accept' });
    const appealing = await ok('handler.a', ticket.id, { step: 'judge_invalid', kind: 'mistaken', reason: '评价人选错了办件，实为他局事项', attachments: [{ name: '说明.docx', uri: 'oss://hcp/a/2.docx' }] });
    // Filed Friday: the supervisor decides within 5 working days, by the end of the next Friday.
    expect(appealing).toMatchObject({ state: 'appealing', appeal: { kind: 'mistaken', state: 'pending' }, deadlines: { appeal: { dueAt: '2026-11-27T15:59:59.999Z', status: 'active' } } });
    expect((await step('handler.a', ticket.id, { step: 'decide_appeal', upheld: true })).json().code).toBe('TICKET_ACTOR_NOT_ALLOWED');
    expect((await flag()).json()).toMatchObject({ code: 'EVALUATION_APPEAL_DECIDED_ON_TICKET', details: { ticketId: ticket.id, appeal: 'pending' } });
    expect(await db().selectFrom('evaluation_event').select('id').where('evaluation_id', '=', evaluation.id).execute()).toEqual([]);
    const closed = await ok('sup.city', ticket.id, { step: 'decide_appeal', upheld: true, note: '经核实属误评' });
    expect(closed).toMatchObject({ state: 'closed_invalid', appeal: { state: 'upheld' } });
    const flags = await db().selectFrom('evaluation_event').selectAll().where('evaluation_id', '=', evaluation.id).execute();
    expect(flags).toMatchObject([{ kind: 'appeal_upheld', reason: '经核实属误评' }]);
    await expectReplayMatches(ticket.id);
  });

  it('appeal refused: back to rectification with the reply deadline unchanged', async () => {
    const { ticket } = await badRating();
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'judge_invalid', kind: 'malicious', reason: '同一号码一日内差评十余次' });
    const refused = await ok('sup.county', ticket.id, { step: 'decide_appeal', upheld: false });
    expect(refused).toMatchObject({ state: 'rectifying', appeal: { state: 'refused' }, deadlines: { reply: { dueAt: ticket.reply_due_at.toISOString() } } });
    expect((await step('handler.a', ticket.id, { step: 'judge_invalid', kind: 'mistaken', reason: '再次申诉' })).json().code).toBe('TICKET_TRANSITION_INVALID');
  });

  it('extension: requested by the handler, decided by a supervisor, moving the reply deadline when granted', async () => {
    const { ticket } = await badRating();
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'verified' });
    expect((await step('handler.a', ticket.id, { step: 'request_extension', days: 30, reason: '需采购设备' })).json().code).toBe('TICKET_EXTENSION_INVALID');
    await ok('handler.a', ticket.id, { step: 'request_extension', days: 10, reason: '需采购叫号设备' });
    await runJobs();
    const supInbox = await as('sup.county', 'GET', '/api/v1/notifications');
    expect(supInbox.json().items.some((n: { kind: string; ticketId: string }) => n.kind === 'extension_requested' && n.ticketId === ticket.id)).toBe(true);
    const granted = await ok('sup.county', ticket.id, { step: 'decide_extension', granted: true });
    expect(new Date(granted.deadlines.reply.dueAt).getTime() - ticket.reply_due_at.getTime()).toBe(10 * 86_400_000);
    expect(granted.extension).toEqual({ state: 'granted', days: 10 });

    const { ticket: second } = await badRating();
    await ok('handler.a', second.id, { step: 'accept' });
    await ok('handler.a', second.id, { step: 'request_extension', days: 5, reason: '等待上级答复' });
    const refused = await ok('sup.county', second.id, { step: 'decide_extension', granted: false });
    expect(refused).toMatchObject({ extension: { state: 'refused' }, deadlines: { reply: { dueAt: second.reply_due_at.toISOString() } } });
  });

  it('无法整改: approved, the rater is still answered by SMS and called back, which closes it; refused sends it back to rectification', async () => {
    const { ticket } = await badRating({ channel: 'sms', anonymous: false, rater: { phone: '13912340001' } });
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'verified' });
    await ok('handler.a', ticket.id, { step: 'request_cannot_fix', reason: '所需材料为法律规定，不能免除' });
    const refused = await ok('sup.county', ticket.id, { step: 'decide_cannot_fix', approved: false });
    expect(refused.state).toBe('rectifying');
    await ok('handler.a', ticket.id, { step: 'request_cannot_fix', reason: '所需材料为法律规定，不能免除，拟提供帮办代办' });
    const approved = await ok('sup.county', ticket.id, { step: 'decide_cannot_fix', approved: true });
    // Nothing has reached the rater yet: no reply counted, the deadline runs, the watch goes on.
    expect(approved).toMatchObject({ state: 'cannot_fix_approved', deadlines: { reply: { status: 'active' } } });
    await runJobs();
    expect(gateway.messages.some((m) => m.channel === 'sms' && m.body.includes(ticket.receipt_no))).toBe(false);
    expect(await db().selectFrom('scheduled_job').select('id').where('subject_id', '=', ticket.id).where('done_at', 'is', null).execute()).toHaveLength(1);
    const before = (await as('sup.county', 'GET', '/api/v1/stats/tickets?from=2026-11-20&to=2026-11-20&groupBy=org')).json().groups.find((g: { key: string }) => g.key === org.id);
    clock.advance(86_400_000);
    const answered = await ok('handler.a', ticket.id, { step: 'reply', text: '该材料为法律规定，无法免除；已为您安排帮办代办，下周一可一次办结' });
    expect(answered).toMatchObject({ state: 'cannot_fix_replied', deadlines: { reply: { status: 'met', doneAt: clock().toISOString() } } });
    const after = (await as('sup.county', 'GET', '/api/v1/stats/tickets?from=2026-11-20&to=2026-11-20&groupBy=org')).json().groups.find((g: { key: string }) => g.key === org.id);
    expect(after.replied - before.replied).toBe(1);
    // The 答复 goes out with its callback link; the rater's callback closes the ticket, even unhappy.
    await runJobs();
    const sms = gateway.messages.find((m) => m.channel === 'sms' && m.body.includes(ticket.receipt_no));
    expect(sms?.body).toContain('帮办代办');
    const token = /\/c\/([A-Za-z0-9._-]+)/.exec(sms?.body ?? '')?.[1];
    const callback = await system.app.inject({ method: 'POST', url: `/api/v1/callbacks/${token}`, payload: { outcome: 'unsatisfied' } });
    expect(callback.statusCode, callback.body).toBe(200);
    const closed = await db().selectFrom('ticket').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(closed).toMatchObject({ state: 'closed_cannot_fix', last_callback: 'unsatisfied', reopen_count: 0 });
    await expectReplayMatches(ticket.id);
    // The rater reads the answer behind the receipt, and that their view closed it (no new round).
    const receipt = (await system.app.inject({ method: 'GET', url: `/api/v1/receipts/${ticket.receipt_no}` })).json();
    expect(receipt.ticket.status).toBe('closed_cannot_fix');
    expect(receipt.ticket.replies.map((r: { text: string }) => r.text)).toEqual([expect.stringContaining('帮办代办')]);
    expect(receipt.ticket.steps.at(-1)).toMatchObject({ kind: 'callback', outcome: 'unsatisfied', reopens: false });
  });

  it('sends the reply by SMS to a rater who rated by SMS; the callback link reopens the ticket when unhappy, and works once', async () => {
    const { ticket, evaluation } = await badRating({ channel: 'sms', anonymous: false, rater: { phone: '13912345678' } });
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'verified' });
    await ok('handler.a', ticket.id, { step: 'reply', text: '已增加窗口' });
    await runJobs();
    const sms = gateway.messages.find((m) => m.channel === 'sms' && m.body.includes(ticket.receipt_no));
    expect(sms).toMatchObject({ to: '13912345678' });
    const read = await db().selectFrom('pii_access_log').selectAll().where('subject_id', '=', evaluation.id).execute();
    expect(read.length).toBeGreaterThan(0);
    const link = /\/c\/([A-Za-z0-9._-]+)/.exec(sms?.body ?? '')?.[1];
    expect(link).toBeDefined();

    const page = await system.app.inject({ method: 'GET', url: `/c/${link}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('已增加窗口');
    expect(page.body).toContain('name="outcome" value="unsatisfied"');
    const shown = await system.app.inject({ method: 'GET', url: `/api/v1/callbacks/${link}` });
    expect(shown.json()).toMatchObject({ receiptNo: ticket.receipt_no, reply: { text: '已增加窗口' }, open: true });
    const unhappy = await system.app.inject({ method: 'POST', url: `/api/v1/callbacks/${link}`, payload: { outcome: 'unsatisfied' } });
    expect(unhappy.statusCode, unhappy.body).toBe(200);
    const again = await system.app.inject({ method: 'POST', url: `/api/v1/callbacks/${link}`, payload: { outcome: 'satisfied' } });
    expect(again.json().code).toBe('LINK_EXPIRED');
    const forged = await system.app.inject({ method: 'POST', url: `/api/v1/callbacks/${link?.slice(0, -2)}AA`, payload: { outcome: 'satisfied' } });
    expect(forged.json().code).toBe('LINK_INVALID');

    expect((await system.app.inject({ method: 'GET', url: `/c/${link}` })).body).toContain('您已评价过');
    expect((await system.app.inject({ method: 'GET', url: `/c/${link?.slice(0, -2)}AA` })).statusCode).toBe(404);
    const reopened = await as('handler.a', 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(reopened.json().ticket).toMatchObject({ state: 'rectifying', reopenCount: 1, lastCallback: 'unsatisfied' });
    expect(reopened.json().events.at(-1)).toMatchObject({ type: 'callback', actor: { role: 'rater' }, payload: { outcome: 'unsatisfied', by: 'rater' } });
    await ok('handler.a', ticket.id, { step: 'reply', text: '已再次整改并电话致歉' });
    await runJobs();
    expect(gateway.messages.filter((m) => m.body.includes(ticket.receipt_no))).toHaveLength(2);
  });

  it('sends the reply by SMS to every rater who left a phone, however they rated; an anonymous rater gets none', async () => {
    const atHall = await badRating({ channel: 'hall_tablet', anonymous: false, rater: { phone: '13912340001' } });
    const onPage = await badRating({ channel: 'mobile', anonymous: false, rater: { phone: '13912340002' } });
    const anonymous = await badRating({ channel: 'mobile', anonymous: true });
    for (const { ticket } of [atHall, onPage, anonymous]) {
      await ok('handler.a', ticket.id, { step: 'accept' });
      await ok('handler.a', ticket.id, { step: 'verified' });
      await ok('handler.a', ticket.id, { step: 'reply', text: '已整改' });
    }
    await runJobs();
    const smsOf = (receiptNo: string) => gateway.messages.filter((m) => m.channel === 'sms' && m.body.includes(receiptNo));
    expect(smsOf(atHall.ticket.receipt_no)).toMatchObject([{ to: '13912340001' }]);
    expect(smsOf(onPage.ticket.receipt_no)).toMatchObject([{ to: '13912340002' }]);
    expect(smsOf(onPage.ticket.receipt_no)[0]?.body).toMatch(/\/c\/[A-Za-z0-9._-]+/);
    expect(smsOf(anonymous.ticket.receipt_no)).toHaveLength(0);
  });

  it('lets whoever holds the receipt number rate the fix of the answer they read, once (JSON and the page form)', async () => {
    const { ticket } = await badRating({ anonymous: true });
    const receipt = () => system.app.inject({ method: 'GET', url: `/api/v1/receipts/${ticket.receipt_no}` });
    const rate = (body: Record<string, unknown>) => system.app.inject({ method: 'POST', url: `/api/v1/receipts/${ticket.receipt_no}/callback`, payload: body });
    expect((await receipt()).json().ticket).toMatchObject({ status: 'in_progress', callback: { open: false } });
    expect((await rate({ outcome: 'satisfied', version: 0 })).json().code).toBe('CALLBACK_NOT_OPEN');
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'verified' });
    await ok('handler.a', ticket.id, { step: 'reply', text: '已调整窗口排班' });
    const read = (await receipt()).json().ticket;
    expect(read).toMatchObject({ status: 'replied', unitName: org.name, callback: { open: true } });
    expect(read.steps.map((s: { kind: string }) => s.kind)).toEqual(['received', 'verified', 'reply']);
    expect(read.steps[2]).toMatchObject({ text: '已调整窗口排班', by: org.name });
    const version = read.callback.version as number;

    // Through the page's form: url-encoded, answered by a redirect to the receipt.
    const form = (outcome: string, seen: number) =>
      system.app.inject({ method: 'POST', url: `/r/${ticket.receipt_no}/callback`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `outcome=${outcome}&version=${seen}` });
    const unhappy = await form('unsatisfied', version);
    expect(unhappy.statusCode, unhappy.body).toBe(303);
    expect(unhappy.headers.location).toBe(`/r/${ticket.receipt_no}?done=sent`);
    const reopened = await as('handler.a', 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(reopened.json().ticket).toMatchObject({ state: 'rectifying', reopenCount: 1, lastCallback: 'unsatisfied' });
    expect(reopened.json().events.at(-1)).toMatchObject({ type: 'callback', actor: { role: 'rater', id: 'receipt' }, payload: { outcome: 'unsatisfied', by: 'rater' } });
    // Once per answer: the same answer cannot be rated again.
    expect((await form('satisfied', version)).headers.location).toBe(`/r/${ticket.receipt_no}?done=not_open`);
    expect((await rate({ outcome: 'satisfied', version })).json().code).toBe('CALLBACK_NOT_OPEN');

    // A new answer: a rating for the one read before is refused; for the new one it closes the ticket.
    await ok('handler.a', ticket.id, { step: 'reply', text: '已再次整改' });
    expect((await rate({ outcome: 'satisfied', version })).json().code).toBe('CALLBACK_REPLY_CHANGED');
    const current = (await receipt()).json().ticket;
    expect(current.steps.filter((s: { kind: string }) => s.kind === 'reply')).toHaveLength(2);
    expect(current.steps.find((s: { kind: string }) => s.kind === 'callback')).toMatchObject({ outcome: 'unsatisfied', byRater: true });
    const happy = await rate({ outcome: 'satisfied', version: current.callback.version });
    expect(happy.statusCode, happy.body).toBe(200);
    expect((await receipt()).json().ticket).toMatchObject({ status: 'closed', callback: { open: false } });
    // Nobody else's ticket is reachable, and bad input is coded.
    expect((await system.app.inject({ method: 'POST', url: '/api/v1/receipts/0000-0000-0000/callback', payload: { outcome: 'satisfied', version: 1 } })).json().code).toBe('RECEIPT_NOT_FOUND');
    expect((await rate({ outcome: 'delighted', version: 1 })).json().code).toBe('VALIDATION_FAILED');
    expect((await form('delighted', 1)).json().code).toBe('VALIDATION_FAILED');
  });

  it('shows the rater the answer behind the receipt number, hostile text escaped', async () => {
    const { ticket } = await badRating();
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'verified' });
    await ok('handler.a', ticket.id, { step: 'reply', text: '<img src=x onerror=alert(1)> 已整改' });
    const page = await system.app.inject({ method: 'GET', url: `/r/${ticket.receipt_no}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt; 已整改');
    expect(page.body).not.toContain('<img');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await system.app.inject({ method: 'GET', url: '/r/0000-0000-0000' })).statusCode).toBe(404);
    expect((await system.app.inject({ method: 'GET', url: '/api/v1/receipts/not-a-receipt' })).json().code).toBe('RECEIPT_NOT_FOUND');
  });

  it('gives the receipt a proper page: the rating, 事项, 部门, the region with its 市（州）, Beijing time, the unit that answered, and the callback choice', async () => {
    const { ticket } = await badRating({ anonymous: true, assessedAt: '2026-11-20 09:59:00' });
    const get = (url: string, cookie?: string) => system.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
    const before = await get(`/r/${ticket.receipt_no}`);
    expect(before.statusCode).toBe(200);
    const itemName = (await db().selectFrom('service_item').select('name').executeTakeFirstOrThrow()).name;
    for (const text of ['评价回执', ticket.receipt_no, '非常不满意', '2026-11-20 09:59', '事项', '办理部门', org.name, '成都市锦江区', '正在核实整改，将于 2026-12-05 前答复', '您是匿名评价的']) expect(before.body).toContain(text);
    expect(before.body).toContain(itemName);
    expect(before.body).not.toContain('name="outcome"');
    expect(before.body).not.toContain('窗口人员态度很差'); // the comment stays off the page
    await ok('handler.a', ticket.id, { step: 'accept' });
    await ok('handler.a', ticket.id, { step: 'verified' });
    await ok('handler.a', ticket.id, { step: 'reply', text: '已整改' });
    const after = await get(`/r/${ticket.receipt_no}`);
    expect(after.body).toContain(`${org.name}答复：`);
    expect(after.body).toContain(`<form method="post" action="/r/${ticket.receipt_no}/callback" class="callback">`);
    expect(after.body).toContain('name="outcome" value="satisfied"');
    // In English, only English (but for the names, which are data).
    const english = await get(`/r/${ticket.receipt_no}?lang=en`);
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Are you satisfied with how it was put right?');
    expect(english.body).not.toContain('评价回执');
    expect(String(english.headers['set-cookie'])).toContain('hcp_lang=en');
    expect((await get(`/r/${ticket.receipt_no}?big=1`)).body).toContain('class="big"');
  });

  it('finds a receipt number however it is typed, and answers a citizen with pages, not JSON', async () => {
    const { ticket } = await badRating();
    const get = (url: string) => system.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });
    const compact = ticket.receipt_no.replaceAll('-', '');
    const typed = [compact.toLowerCase(), ` ${compact.slice(0, 4)} ${compact.slice(4, 8)} ${compact.slice(8)} `, ticket.receipt_no.replaceAll('-', '－'), compact.replace(/0/g, 'O').replace(/1/g, 'l')];
    for (const text of typed) {
      const found = await get(`/r?no=${encodeURIComponent(text)}`);
      expect(found.statusCode, text).toBe(303);
      expect(found.headers.location).toBe(`/r/${ticket.receipt_no}`);
    }
    const lower = await get(`/r/${compact.toLowerCase()}`);
    expect(lower.statusCode).toBe(301);
    expect(lower.headers.location).toBe(`/r/${ticket.receipt_no}`);
    const form = await get('/r');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<form method="get" action="/r"');
    const malformed = await get('/r?no=12345');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('回执号应为 12 位字母和数字');
    const unknown = await get('/r/0000-0000-0000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('没有找到这个回执号');
    const home = await get('/');
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toMatch(/^text\/html/);
    expect(home.body).toContain('href="/r"');
    expect(home.body).toContain('href="/honor-roll"');
    const nowhere = await get('/nowhere');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.headers['content-type']).toMatch(/^text\/html/);
    expect((await system.app.inject({ method: 'GET', url: '/api/v1/nowhere', headers: { accept: 'text/html' } })).json().code).toBe('NOT_FOUND');
    const qr = await system.app.inject({ method: 'GET', url: `/r/${compact.toLowerCase()}/qr.svg` });
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body).toBe(await qrSvg(`${config.http.publicBaseUrl}/r/${ticket.receipt_no}`));
  });

  it('warns before the deadlines, marks them missed and escalates once to the nearest supervising level', async () => {
    const { ticket } = await badRating();
    await runJobs();
    // Monday 18:00 Beijing: 6 hours before the verify deadline, past the 24-hour warning.
    clock.set('2026-11-23T10:00:00.000Z');
    await runJobs();
    const warned = await db().selectFrom('notification').selectAll().where('ticket_id', '=', ticket.id).where('kind', '=', 'deadline_warning').execute();
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]?.params).toMatchObject({ deadline: 'verify', hoursLeft: 6 });
    // Tuesday: the verify deadline is missed.
    clock.set('2026-11-24T01:00:00.000Z');
    await runJobs();
    await runJobs();
    const row = await db().selectFrom('ticket').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row.escalated).toEqual(['verify']);
    const escalations = await db().selectFrom('notification as n').innerJoin('staff_account as a', 'a.id', 'n.account_id').select('a.username').where('n.ticket_id', '=', ticket.id).where('n.kind', '=', 'ticket_escalated').execute();
    // The county supervisor is the nearest level above the org; the city one is not bothered.
    expect(escalations.map((e) => e.username)).toEqual(['sup.county']);
    const events = await db().selectFrom('ticket_event').selectAll().where('ticket_id', '=', ticket.id).execute();
    expect(events).toMatchObject([{ type: 'escalate', actor_role: 'system', payload: { deadline: 'verify' } }]);
    const overdue = await as('sup.city', 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(overdue.json().ticket.deadlines.verify.status).toBe('missed');
  });

  it('counts deadlines on the official calendar: a 差评 on the eve of National Day 2025 is verified by 9 October', async () => {
    clock.set('2025-09-30T08:00:00.000Z');
    const { ticket } = await badRating({}, '2025-09-29 10:00:00');
    expect(ticket.verify_due_at.toISOString()).toBe('2025-10-09T15:59:59.999Z');
    expect(ticket.reply_due_at.toISOString()).toBe('2025-10-15T15:59:59.999Z');
    // Friday 10 October: the next working day is Saturday the 11th, an adjusted working day (调休).
    clock.set('2025-10-10T08:00:00.000Z');
    const { ticket: friday } = await badRating({}, '2025-10-09 10:00:00');
    expect(friday.verify_due_at.toISOString()).toBe('2025-10-11T15:59:59.999Z');
  });

  it('opens tickets on the fast path and on the full path alike (a batch, and a bad follow-up)', async () => {
    const projectNos = await Promise.all([0, 1, 2].map(() => makeCompletedCase(db(), config, item, '2026-11-19 10:00:00')));
    const at = new Date(clock().getTime() - 60_000);
    // A lane learns its chain head from its first flush; after that, plain flushes take the fast path.
    await submitDrafts(system.intake, [draft(await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00'), { level: 5, assessedAt: at })]);
    const before = system.intake.stats();
    const first = await submitDrafts(system.intake, [
      draft(projectNos[0] ?? '', { level: 5, assessedAt: at }),
      draft(projectNos[1] ?? '', { level: 2, assessedAt: at }),
      draft(projectNos[2] ?? '', { level: 1, assessedAt: at }),
    ]);
    expect(first.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
    const followUp = await submitDrafts(system.intake, [draft(projectNos[0] ?? '', { level: 1, assessNumber: 2, assessedAt: at })]);
    expect(followUp[0]?.status).toBe('stored');
    const ids = [...first, ...followUp].map((o) => (o.status === 'stored' ? o.evaluation.id : ''));
    const tickets = await db().selectFrom('ticket').select(['evaluation_id', 'level']).where('evaluation_id', 'in', ids).execute();
    expect(tickets.map((t) => t.evaluation_id).sort()).toEqual([ids[1], ids[2], ids[3]].sort());
    const watches = await db().selectFrom('scheduled_job').select('subject_id').where('kind', '=', 'ticket.watch').where('subject_id', 'in', db().selectFrom('ticket').select('id').where('evaluation_id', 'in', ids)).execute();
    expect(watches).toHaveLength(3);
    // The batch went by the fast path, the follow-up by the full one.
    expect(system.intake.stats().fast).toBeGreaterThan(before.fast);
    expect(system.intake.stats().full).toBeGreaterThan(before.full);
  });

  it('computes the figures of a small org by hand: upheld appeals leave them, late and unanswered replies are overdue', async () => {
    const orgF = await makeOrg(db(), { regionCode: '510105' });
    const itemF = await makeItem(db(), orgF);
    await account('handler.f', 'org_handler', { scopeOrgId: orgF.id });
    const start = clock();
    const open = async () => {
      const projectNo = await makeCompletedCase(db(), config, itemF, '2026-11-19 10:00:00');
      const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 2, indicators: ['505'], channel: 'hall_tablet', assessedAt: new Date(clock().getTime() - 60_000).toISOString() });
      return db().selectFrom('ticket').selectAll().where('evaluation_id', '=', response.json().evaluation.id).executeTakeFirstOrThrow();
    };
    const [t1, t2, t3, t4, t5] = [await open(), await open(), await open(), await open(), await open()];
    if (!t1 || !t2 || !t3 || !t4 || !t5) throw new Error('tickets missing');
    for (const t of [t1, t2, t3, t4, t5]) await ok('handler.f', t.id, { step: 'accept' });
    for (const t of [t1, t2]) {
      await ok('handler.f', t.id, { step: 'verified' });
      await ok('handler.f', t.id, { step: 'reply', text: '已整改' });
    }
    await ok('handler.f', t1.id, { step: 'callback', outcome: 'satisfied' });
    await ok('handler.f', t2.id, { step: 'callback', outcome: 'unsatisfied' });
    await ok('handler.f', t3.id, { step: 'judge_invalid', kind: 'malicious', reason: '恶意差评' });
    await ok('sup.city', t3.id, { step: 'decide_appeal', upheld: true });
    await ok('handler.f', t4.id, { step: 'judge_invalid', kind: 'mistaken', reason: '误评' });
    await ok('sup.city', t4.id, { step: 'decide_appeal', upheld: false });
    // Sixteen days later: t5 is answered late, t4 never.
    clock.set(new Date(start.getTime() + 16 * 86_400_000));
    await ok('handler.f', t5.id, { step: 'verified' });
    await ok('handler.f', t5.id, { step: 'reply', text: '迟到的答复' });

    const day = t1.opened_day;
    const byOrg = await as('sup.city', 'GET', `/api/v1/stats/tickets?from=${day}&to=${day}&groupBy=org&regionCode=510105`);
    expect(byOrg.statusCode, byOrg.body).toBe(200);
    const expected = {
      bad: 4, replied: 3, repliedOnTime: 2, calledBack: 2, callbackSatisfied: 1, overdue: 2, appealsFiled: 2, appealsUpheld: 1,
      replyRate: 0.75, onTimeReplyRate: 0.5, callbackRate: 0.6667, callbackSatisfactionRate: 0.5,
    };
    expect(byOrg.json().groups).toEqual([{ key: orgF.id, ...expected }]);
    const byRegion = await as('sup.city', 'GET', `/api/v1/stats/tickets?from=${day}&to=${day}&groupBy=region`);
    expect(byRegion.json().groups.find((g: { key: string }) => g.key === '510105')).toEqual({ key: '510105', ...expected });
    // A handler sees its own org only; a region outside the caller's scope is refused.
    const own = await as('handler.f', 'GET', `/api/v1/stats/tickets?from=${day}&to=${day}`);
    expect(own.json().groups).toEqual([{ key: orgF.id, ...expected }]);
    expect((await as('sup.county', 'GET', `/api/v1/stats/tickets?from=${day}&to=${day}&regionCode=510105`)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    const overdue = await as('handler.f', 'GET', '/api/v1/tickets?overdue=true');
    expect(overdue.json().items.map((t: { id: string }) => t.id).sort()).toEqual([t4.id, t5.id].sort());
  });

  it('leaves a rating excluded as fraud out of every figure (tickets and counts per level), and brings it back when cleared', async () => {
    const orgG = await makeOrg(db(), { regionCode: '510106' });
    const itemG = await makeItem(db(), orgG);
    const rate = async (level: number) => {
      const projectNo = await makeCompletedCase(db(), config, itemG, '2026-11-19 10:00:00');
      const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level, indicators: level <= 2 ? ['505'] : ['101'], channel: 'mobile', assessedAt: new Date(clock().getTime() - 60_000).toISOString() });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().evaluation.id as string;
    };
    const fraud = await rate(1);
    await rate(1);
    await rate(5);
    const day = '2026-11-20';
    const figures = async () => {
      const tickets = (await as('admin.province', 'GET', `/api/v1/stats/tickets?from=${day}&to=${day}&groupBy=org&regionCode=510106`)).json().groups.find((g: { key: string }) => g.key === orgG.id);
      const levels = (await as('admin.province', 'GET', `/api/v1/stats/levels?from=${day}&to=${day}&orgId=${orgG.id}`)).json().levels;
      return { bad: tickets?.bad, levels: levels.map((l: { level: number; active: number }) => [l.level, l.active]) };
    };
    expect(await figures()).toEqual({ bad: 2, levels: [[1, 2], [5, 1]] });
    // The flags as the review queue appends them (src/risk/review-commands.ts: two reviewers to confirm).
    const flag = (kind: 'fraud_suspected' | 'fraud_confirmed' | 'fraud_cleared') => db().transaction().execute((trx) => appendEvaluationFlag(trx, { evaluationId: fraud, kind, reason: '同一设备批量差评', actor: 'test' }, clock()));
    await flag('fraud_suspected');
    expect(await figures()).toEqual({ bad: 2, levels: [[1, 2], [5, 1]] });
    await flag('fraud_confirmed');
    expect(await figures()).toEqual({ bad: 1, levels: [[1, 1], [5, 1]] });
    await flag('fraud_cleared');
    expect(await figures()).toEqual({ bad: 2, levels: [[1, 2], [5, 1]] });
  });

  it('finishes a watch exactly once after a process stopped in the middle of it', async () => {
    const { ticket } = await badRating();
    await runJobs();
    clock.set('2026-11-24T01:00:00.000Z');
    // The process dies after the watch did its work, before the commit: nothing of it remains.
    const dying = { 'ticket.watch': async (...args: Parameters<(typeof system.jobHandlers)['ticket.watch']>) => {
      await system.jobHandlers['ticket.watch']?.(...args);
      throw new Error('process killed');
    } };
    await runDueJobs(db(), { ...system.jobHandlers, ...dying }, clock());
    expect(await db().selectFrom('ticket_event').select('seq').where('ticket_id', '=', ticket.id).execute()).toHaveLength(0);
    // Restarted (later, past the retry delay), it does the work once.
    clock.advance(3_600_000);
    await runJobs();
    await runJobs();
    expect(await db().selectFrom('ticket_event').select('seq').where('ticket_id', '=', ticket.id).execute()).toHaveLength(1);
    const escalated = await db().selectFrom('notification').select('id').where('ticket_id', '=', ticket.id).where('kind', '=', 'ticket_escalated').execute();
    expect(escalated).toHaveLength(1);
  });
});

