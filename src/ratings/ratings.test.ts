import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, makeWindow, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { scopeOfStage } from './queries.ts';
import { hmacSm3 } from '../crypto/sm.ts';

const NOW = '2026-11-20T02:00:00.000Z';

describe('the indicator set of a stage (pure)', () => {
  it('follows where the stage was served: a window or a hall is offline, anything else online', () => {
    expect(scopeOfStage({ windowId: 'w-1', orgKind: 'department' })).toBe('offline');
    expect(scopeOfStage({ windowId: null, orgKind: 'hall' })).toBe('offline');
    expect(scopeOfStage({ windowId: null, orgKind: 'department' })).toBe('online');
    expect(scopeOfStage({ windowId: null, orgKind: 'center' })).toBe('online');
  });
});

describeOnEngines('rating by link', (database) => {
  const clock = testClock(NOW);
  // The public limits are high here except per link, so that one file's tests do not trip them by accident.
  const config = testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_IP: '300', RATE_LIMIT_SUBMIT_PER_IP: '300' });
  let system: System;
  let integrator: TestIntegrator;
  let item: { task_code: string };

  const db = () => database().db;
  const publicGet = (token: string) => system.app.inject({ method: 'GET', url: `/api/v1/public/ratings/${token}` });
  const publicPost = (token: string, body: Record<string, unknown>, remoteAddress = '127.0.0.1') =>
    system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${token}`, remoteAddress, payload: { clientId: 'attempt-0001', indicators: [], anonymous: true, ...body } });

  async function link(overrides: Record<string, unknown> = {}, completedAt = '2026-11-19 10:00:00') {
    const projectNo = await makeCompletedCase(db(), config, item, completedAt);
    const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo, channel: 'sms', ...overrides });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    return { projectNo, ...body, token: String(body.url).split('/rate/')[1] ?? '' };
  }

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    const org = await makeOrg(db(), { name: '锦江区政务服务中心' });
    item = await makeItem(db(), org);
    integrator = await makeIntegrator(db(), config);
  });
  beforeEach(() => clock.set(NOW));
  afterAll(async () => {
    await system.close();
  });

  it('issues a link that names no case number, shows what it rates, and takes one rating then one follow-up', async () => {
    const issued = await link();
    expect(issued.url).not.toContain(issued.projectNo);
    expect(issued.shortUrl).toMatch(/\/s\/[0-9a-z]{10}$/);
    const shown = await publicGet(issued.token);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ status: 'open', channel: 'sms', case: { orgName: '锦江区政务服务中心', regionName: '成都市锦江区', serviceNumber: 1 }, first: null });
    expect(JSON.stringify(shown.json())).not.toContain(issued.projectNo);
    const levels = shown.json().levels;
    expect(levels.map((l: { level: number }) => l.level)).toEqual([5, 4, 3, 2, 1]);
    expect(levels[4].indicators.map((i: { code: string }) => i.code)).toContain('501');

    const rated = await publicPost(issued.token, { level: 2, indicators: ['501'], comment: '跑了三次' });
    expect(rated.statusCode, rated.body).toBe(201);
    expect(rated.json()).toMatchObject({ status: 'stored', assessNumber: 1, followUpAllowed: true });
    // A retry with the same client id is the same rating.
    const retry = await publicPost(issued.token, { level: 2, indicators: ['501'], comment: '跑了三次' });
    expect(retry.json()).toMatchObject({ status: 'duplicate', receiptNo: rated.json().receiptNo });
    const stored = await db().selectFrom('evaluation').selectAll().where('receipt_no', '=', rated.json().receiptNo).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ channel: 'sms', level: 2, source_app: 'hcp-rating-page', assess_number: 1, is_anonymous: true });
    // A 差评 through a link opens a ticket like any other.
    expect(await db().selectFrom('ticket').select('id').where('evaluation_id', '=', stored.id).executeTakeFirst()).toBeDefined();

    expect((await publicGet(issued.token)).json()).toMatchObject({ status: 'follow_up', first: { level: 2, receiptNo: rated.json().receiptNo } });
    const followUp = await publicPost(issued.token, { clientId: 'attempt-0002', level: 4, indicators: [], comment: '后来很快办好了' });
    expect(followUp.json()).toMatchObject({ status: 'stored', assessNumber: 2, followUpAllowed: false });
    expect((await publicGet(issued.token)).json().status).toBe('rated');
    const third = await publicPost(issued.token, { clientId: 'attempt-0003', level: 5 });
    expect(third.statusCode).toBe(409);
    expect(third.json().code).toBe('EVALUATION_ALREADY_EXISTS');
  });

  it('offers the indicators of where the stage was served, whatever channel the link is for, and stores them', async () => {
    const codesOf = (body: { levels: Array<{ level: number; indicators: Array<{ code: string }> }> }, level: number) =>
      body.levels.find((l) => l.level === level)?.indicators.map((i) => i.code) ?? [];
    // Handled at a hall window, rated at home through the SMS link: the offline reasons.
    const hall = await makeOrg(db(), { name: '成华区政务服务大厅', kind: 'hall' });
    const hallItem = await makeItem(db(), hall);
    const counter = await makeWindow(db(), hall);
    const atWindow = await makeCompletedCase(db(), config, hallItem, '2026-11-19 10:00:00', { windowCode: counter.code });
    const smsLink = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo: atWindow, channel: 'sms' });
    const smsToken = String(smsLink.json().url).split('/rate/')[1] ?? '';
    const offline = (await publicGet(smsToken)).json();
    expect(codesOf(offline, 1)).toContain('507'); // 服务态度差
    expect(codesOf(offline, 1)).not.toContain('504'); // 平台操作困难
    expect(codesOf(offline, 5)).toContain('107');
    const stored = await publicPost(smsToken, { clientId: 'attempt-hall-1', level: 1, indicators: ['507', '505'] });
    expect(stored.statusCode, stored.body).toBe(201);
    const row = await db().selectFrom('evaluation').select(['channel', 'indicator_codes']).where('receipt_no', '=', stored.json().receiptNo).executeTakeFirstOrThrow();
    expect(row).toEqual({ channel: 'sms', indicator_codes: ['507', '505'] });

    // Handled online by a department, rated on a hall terminal: the online reasons.
    const online = await link({ channel: 'hall_terminal' });
    const choices = (await publicGet(online.token)).json();
    expect(codesOf(choices, 1)).toContain('504');
    expect(codesOf(choices, 1)).not.toContain('507');
  });

  it('refuses forged, altered and expired links, and links for stages not yet completed', async () => {
    const issued = await link();
    const altered = `${issued.token.slice(0, -3)}abc`;
    expect((await publicGet(altered)).json().code).toBe('LINK_INVALID');
    expect((await publicGet('not-a-token-at-all')).json().code).toBe('LINK_INVALID');
    clock.set('2026-12-20T02:00:00.000Z');
    const expired = await publicGet(issued.token);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('LINK_EXPIRED');
    clock.set(NOW);
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00', { proStatus: 1, resultDate: undefined });
    const open = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo, channel: 'sms' });
    expect(open.json().code).toBe('EVALUATION_STAGE_NOT_COMPLETED');
    const closed = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo: await makeCompletedCase(db(), config, item, '2026-10-01 10:00:00'), channel: 'sms' });
    expect(closed.json().code).toBe('EVALUATION_WINDOW_CLOSED');
    const unknown = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo: 'no-such-case', channel: 'sms' });
    expect(unknown.json().code).toBe('CASE_STAGE_NOT_FOUND');
  });

  it('refuses a link for a case outside the app’s region', async () => {
    const chengduOnly = await makeIntegrator(db(), config, { regionCode: '510300' });
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00');
    const response = await signedInject(system.app, chengduOnly, clock(), 'POST', '/api/v1/rating-links', { projectNo, channel: 'qr' });
    expect(response.json().code).toBe('AUTH_OUT_OF_SCOPE');
  });

  it('redirects a short link to its rating page', async () => {
    const issued = await link();
    const code = String(issued.shortUrl).split('/s/')[1];
    const response = await system.app.inject({ method: 'GET', url: `/s/${code?.toUpperCase()}` });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`/rate/${issued.token}`);
    expect((await system.app.inject({ method: 'GET', url: '/s/0000000000' })).statusCode).toBe(404);
  });

  it('stores nothing when the honeypot is filled, and keeps a phone only when not anonymous', async () => {
    const issued = await link();
    const before = await db().selectFrom('evaluation').select('id').execute();
    const robot = await publicPost(issued.token, { level: 5, website: 'http://spam.example' });
    expect(robot.statusCode).toBe(201);
    expect(await db().selectFrom('evaluation').select('id').execute()).toHaveLength(before.length);
    expect((await publicGet(issued.token)).json().status).toBe('open');
    const both = await publicPost(issued.token, { level: 5, anonymous: true, phone: '13912345678' });
    expect(both.json().code).toBe('EVALUATION_ANONYMOUS_WITH_IDENTITY');
    const named = await publicPost(issued.token, { level: 1, indicators: ['503'], anonymous: false, phone: '13912345678' });
    expect(named.statusCode, named.body).toBe(201);
    const stored = await db().selectFrom('evaluation').select(['rater_masked', 'rater_pii']).where('receipt_no', '=', named.json().receiptNo).executeTakeFirstOrThrow();
    expect(stored.rater_masked).toEqual({ phone: '139****5678' });
    expect(Buffer.from(stored.rater_pii ?? []).toString('latin1')).not.toContain('13912345678');
    const missing = await publicPost((await link()).token, { level: 1, indicators: [] });
    expect(missing.json().code).toBe('EVALUATION_INDICATOR_REQUIRED');
  });

  it('limits submissions per link and requests per IP, with a coded answer', async () => {
    const issued = await link();
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await publicPost(issued.token, { clientId: `limit-attempt-${i}`, level: 9 }));
    expect(answers.slice(0, 6).map((a) => a.statusCode)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(answers[6]?.statusCode).toBe(429);
    expect(answers[6]?.json()).toMatchObject({ code: 'RATE_LIMITED', message: '操作过于频繁，请稍后再试' });
    expect(answers[6]?.headers['retry-after']).toBeDefined();
    // Another link is not held back by this one.
    expect((await publicPost((await link()).token, { level: 5 })).statusCode).toBe(201);
    let status = 0;
    for (let i = 0; i < 301 && status !== 429; i++) status = (await system.app.inject({ method: 'GET', url: '/api/v1/public/ratings/not-a-valid-token', remoteAddress: '10.1.1.1' })).statusCode;
    expect(status).toBe(429);
    // Other addresses are served.
    expect((await system.app.inject({ method: 'GET', url: '/api/v1/public/ratings/not-a-valid-token', remoteAddress: '10.1.1.2' })).statusCode).toBe(404);
    // A hall device is counted by the id it presents, from whatever address: guessing its secret is slowed too.
    let device = 0;
    for (let i = 0; i < 301 && device !== 429; i++) {
      device = (await system.app.inject({ method: 'GET', url: '/api/v1/kiosk/device', remoteAddress: `10.4.${i % 200}.1`, headers: { authorization: `Device 0190a5b0-0000-7000-8000-00000000d001.guess${i}` } })).statusCode;
    }
    expect(device).toBe(429);
  });

  it('keeps how each rating was made for the risk engine, which holds a scripted cluster and nothing else', async () => {
    const flagsOf = async (receiptNo: string) =>
      db().selectFrom('evaluation_event as f').innerJoin('evaluation as e', 'e.id', 'f.evaluation_id').select(['f.kind', 'f.actor']).where('e.receipt_no', '=', receiptNo).execute();
    const receipts: string[] = [];
    for (const [i, comment] of ['窗口服务太慢了，等了两个小时还没轮到', '窗口服务太慢了！等了两个小时还没轮到。', '窗口服务太慢了 等了两个小时还没轮到'].entries()) {
      const response = await publicPost((await link()).token, { clientId: `same-text-${i}`, level: 2, indicators: ['501'], comment, installId: `install-same-text-${i}-0000` }, `10.2.0.${i}`);
      expect(response.statusCode, response.body).toBe(201);
      receipts.push(response.json().receiptNo);
    }
    const honest = await publicPost((await link()).token, { clientId: 'honest-0001', level: 5, indicators: [], comment: '工作人员很耐心，服务很好' }, '10.9.0.1');
    const context = await db()
      .selectFrom('rating_context as c')
      .innerJoin('evaluation as e', 'e.id', 'c.evaluation_id')
      .select(['c.path', 'c.proof', 'c.device_id', 'c.install_key', 'c.network_key'])
      .where('e.receipt_no', '=', receipts[0] ?? '')
      .executeTakeFirstOrThrow();
    expect(context).toMatchObject({ path: 'link', proof: 'signed_link', device_id: null });
    // Keyed hashes of the install id and of the /24, never the address.
    expect(Buffer.from(context.network_key ?? []).equals(hmacSm3(config.pii.lookupKey, 'network', '10.2.0.0/24'))).toBe(true);
    expect(Buffer.from(context.install_key ?? []).equals(hmacSm3(config.pii.lookupKey, 'install', 'install-same-text-0-0000'))).toBe(true);

    await system.riskAssessor.drain();
    for (const receipt of receipts) expect(await flagsOf(receipt)).toEqual([{ kind: 'risk_held', actor: 'system:risk' }]);
    expect(await flagsOf(honest.json().receiptNo)).toEqual([]);
  });
});
