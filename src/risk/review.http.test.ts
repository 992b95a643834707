import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { foldLedger } from '../scoring/feed.ts';
import { sumTallies } from '../scoring/tally-store.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, makeStaff, makeWindow, signedInject, type TestIntegrator } from '../../test/factories.ts';

const NOW = '2026-11-20T03:00:00.000Z';
const SCRIPT = '李科长业务精通讲解清楚帮我们解决了大难题';

describeOnEngines('the fraud review queue over HTTP', (database) => {
  const clock = testClock(NOW);
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let system: System;
  let integrator: TestIntegrator;
  let orgId = '';
  const held: string[] = [];
  let honestId = '';
  let insultId = '';
  const tokens = new Map<string, string>();
  const as = (username: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.get(username) ?? ''}` }, ...(payload === undefined ? {} : { payload }) });
  const day = '2026-11-20';
  const orgFives = async () => (await sumTallies(database().db, 'org', day, day, [orgId]))[0]?.counts.active_5 ?? 0;

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    const db = database().db;
    const org = await makeOrg(db, { name: '锦江区政务服务中心', kind: 'hall' });
    orgId = org.id;
    const item = await makeItem(db, org);
    const window = await makeWindow(db, org);
    const staff = await makeStaff(db, org, window);
    integrator = await makeIntegrator(db, config);
    for (const [username, role, scope] of [
      ['super-a', 'supervisor', { scopeRegionCode: '510100' }],
      ['super-b', 'supervisor', { scopeRegionCode: '510000' }],
      ['handler', 'org_handler', { scopeOrgId: org.id }],
      ['admin', 'province_admin', { scopeRegionCode: '510000' }],
    ] as const) {
      await createStaffAccount(db, { username, password: 'correct horse battery', displayName: username, role, ...scope }, clock());
      tokens.set(username, (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'correct horse battery' } })).json().token);
    }
    // One app sends the same distinctive praise for one staff member three times, and one honest rating.
    for (const [k, comment] of [SCRIPT, `${SCRIPT}！`, SCRIPT, '工作人员很耐心'].entries()) {
      const projectNo = await makeCompletedCase(db, config, item, '2026-11-20 10:00:00', { windowCode: window.code, staffNo: staff.staff_no });
      const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 5, channel: 'hall_terminal', comment, assessedAt: '2026-11-20 10:30:00', clientId: `review-${k}-0000` });
      expect(response.statusCode, response.body).toBe(201);
      if (k < 3) held.push(response.json().evaluation.id);
      else honestId = response.json().evaluation.id;
    }
    // A 差评 insulting the staff member: held, and its ticket opened all the same.
    const projectNo = await makeCompletedCase(db, config, item, '2026-11-20 10:00:00', { windowCode: window.code, staffNo: staff.staff_no });
    const insult = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 2, indicators: ['501'], channel: 'hall_terminal', comment: '这个人就是个废物', assessedAt: '2026-11-20 10:40:00', clientId: 'review-insult-0000' });
    expect(insult.statusCode, insult.body).toBe(201);
    insultId = insult.json().evaluation.id;
    await foldLedger(db);
    expect(await orgFives()).toBe(4);
    await system.riskAssessor.drain();
  });
  afterAll(async () => {
    await system.close();
  });

  it('holds the cluster out of the figures (待核查) and tells the supervising level, not the org', async () => {
    expect(await orgFives()).toBe(1);
    // Counted apart on the unit's dashboard: not in its figures, not silently gone either.
    const dashboard = await as('super-a', 'GET', `/api/v1/scoring/units/org/${orgId}?period=2026-11`);
    expect(dashboard.json()).toMatchObject({ heldForReview: 4 });
    const list = await as('super-a', 'GET', '/api/v1/risk/cases');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((i: { evaluationId: string }) => i.evaluationId).sort()).toEqual([...held, insultId].sort());
    expect(list.json().items.find((i: { evaluationId: string }) => i.evaluationId === held[0])).toMatchObject({ status: 'held', path: 'integrator', reasonCodes: expect.arrayContaining(['near_duplicate_text']) });
    const filtered = await as('super-a', 'GET', '/api/v1/risk/cases?reason=abusive_language');
    expect(filtered.json().items.map((i: { evaluationId: string }) => i.evaluationId)).toEqual([insultId]);
    const detail = await as('super-a', 'GET', `/api/v1/risk/cases/${held[0]}`);
    expect(detail.json().assessments.at(-1)).toMatchObject({ policyVersion: '2026.1', held: true });
    expect(detail.json().assessments.at(-1).reasons[0].text.zh).toContain('几乎相同');
    // Every rating carries an assessment, the honest one too.
    expect(await database().db.selectFrom('risk_assessment').select('score').where('evaluation_id', '=', honestId).executeTakeFirstOrThrow()).toMatchObject({ score: 0 });
    const notified = await database().db.selectFrom('notification as n').innerJoin('staff_account as a', 'a.id', 'n.account_id').select('a.username').where('n.kind', '=', 'risk_held').execute();
    expect(notified.map((n) => n.username)).toEqual(['super-a']);
  });

  it('shows nothing of it to the org concerned or to an integrator', async () => {
    expect((await as('handler', 'GET', '/api/v1/risk/cases')).json().code).toBe('RISK_REVIEW_NOT_ALLOWED');
    expect((await as('handler', 'POST', `/api/v1/risk/cases/${held[0]}/reviews`, { decision: 'clear', reason: '我们自己核实过了' })).json().code).toBe('RISK_REVIEW_NOT_ALLOWED');
    expect((await as('handler', 'GET', `/api/v1/evaluations/${held[0]}`)).json().flags).toEqual([]);
    const byApp = await signedInject(system.app, integrator, clock(), 'GET', `/api/v1/evaluations/${held[0]}`);
    expect(byApp.json().flags).toEqual([]);
    expect((await as('super-a', 'GET', `/api/v1/evaluations/${held[0]}`)).json().flags).toMatchObject([{ kind: 'risk_held' }]);
  });

  it('confirms fraud only with two different reviewers, and clearing brings a rating back', async () => {
    const [first, second] = held as [string, string, string];
    const review = (who: string, id: string, decision: 'confirm' | 'clear') => as(who, 'POST', `/api/v1/risk/cases/${id}/reviews`, { decision, reason: '同一应用一小时内相同文字批量好评', evidence: ['接入日志 2026-11-20'] });
    expect((await review('super-a', first, 'confirm')).json()).toEqual({ status: 'held', decided: false });
    expect((await review('super-a', first, 'confirm')).json().code).toBe('RISK_REVIEW_SAME_REVIEWER');
    expect((await review('super-b', first, 'confirm')).json()).toEqual({ status: 'confirmed', decided: true });
    expect((await review('super-b', first, 'confirm')).json().code).toBe('RISK_REVIEW_NO_CHANGE');
    // Not through the flags route any more.
    expect((await as('super-a', 'POST', `/api/v1/evaluations/${second}/flags`, { kind: 'fraud_confirmed', reason: '直接确认' })).json().code).toBe('RISK_REVIEW_VIA_QUEUE');
    // One reviewer clears a held rating: it counts again.
    expect((await review('super-a', second, 'clear')).json()).toEqual({ status: 'cleared', decided: true });
    expect(await orgFives()).toBe(2);
    // Undoing a confirmation takes two as well.
    expect((await review('super-a', first, 'clear')).json()).toEqual({ status: 'confirmed', decided: false });
    expect(await orgFives()).toBe(2);
    expect((await review('super-b', first, 'clear')).json()).toEqual({ status: 'cleared', decided: true });
    expect(await orgFives()).toBe(3);
    const votes = await as('super-a', 'GET', `/api/v1/risk/cases/${first}`);
    expect(votes.json().reviews.map((r: { reviewer: string; decision: string }) => `${r.reviewer}:${r.decision}`)).toEqual(['super-a:confirm', 'super-b:confirm', 'super-a:clear', 'super-b:clear']);
    // Confirmed fraud voids the ticket the 差评 opened; undoing the confirmation restores it.
    const ticketState = async () => (await database().db.selectFrom('ticket').select('state').where('evaluation_id', '=', insultId).executeTakeFirstOrThrow()).state;
    expect(await ticketState()).toBe('open');
    await review('super-a', insultId, 'confirm');
    expect(await ticketState()).toBe('open');
    await review('super-b', insultId, 'confirm');
    expect(await ticketState()).toBe('voided');
    await review('super-a', insultId, 'clear');
    await review('super-b', insultId, 'clear');
    expect(await ticketState()).toBe('open');
    // A cleared rating is not held again by the engine.
    await system.riskAssessor.drain();
    expect(await orgFives()).toBe(3);
  });

  it('lists the ratings still held when the month closes, and a later decision reaches it as a correction', async () => {
    const stillHeld = held[2] as string;
    const receipt = (await database().db.selectFrom('evaluation').select('receipt_no').where('id', '=', stillHeld).executeTakeFirstOrThrow()).receipt_no;
    clock.set('2026-12-21T02:00:00.000Z');
    for (const username of ['admin', 'super-a']) tokens.set(username, (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'correct horse battery' } })).json().token);
    const closed = await as('admin', 'POST', '/api/v1/scoring/snapshots', { period: '2026-11' });
    expect(closed.statusCode, closed.body).toBe(201);
    const snapshot = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-11')).json();
    expect(JSON.parse(snapshot.document).heldForReview).toEqual([receipt]);
    expect((await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-11/verification')).json()).toMatchObject({ ok: true });
    // Cleared after the close: the published period gets a visible correction, never a silent edit.
    expect((await as('super-a', 'POST', `/api/v1/risk/cases/${stillHeld}/reviews`, { decision: 'clear', reason: '核实为本人真实评价' })).json()).toEqual({ status: 'cleared', decided: true });
    const corrections = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-11')).json().corrections;
    expect(corrections).toMatchObject([{ evaluationId: stillHeld, flagKind: 'fraud_cleared', now: 'counted' }]);
    expect((await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-11/verification')).json()).toMatchObject({ ok: true });
  });
});
