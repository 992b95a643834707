import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';

const NOW = '2026-11-20T02:00:00.000Z';

describeOnEngines('rating by link', (database) => {
  const clock = testClock(NOW);
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let system: System;
  let integrator: TestIntegrator;
  let item: { task_code: string };

  const db = () => database().db;
  const publicGet = (token: string) => system.app.inject({ method: 'GET', url: `/api/v1/public/ratings/${token}` });
  const publicPost = (token: string, body: Record<string, unknown>) =>
    system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${token}`, payload: { clientId: 'attempt-0001', indicators: [], anonymous: true, ...body } });

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
    expect(shown.json()).toMatchObject({ status: 'open', channel: 'sms', case: { orgName: '锦江区政务服务中心', regionName: '锦江区', serviceNumber: 1 }, first: null });
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
});
