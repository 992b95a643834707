// The workbench on both engines: each role gets its own unit; the month's figures are those of the
// scoring dashboard and agree with the ticket statistics for the same data; the ticket counts
// agree, ticket by ticket, with the pure deadline rules of src/tickets/.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import { foldLedger } from '../scoring/feed.ts';
import { startSystem, type System } from '../system.ts';
import { UNWATCHED_STATES } from '../tickets/state-machine.ts';
import { ticketFromRow } from '../tickets/store.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { loadCalendar } from '../calendar/notices.ts';
import { nextDeadline } from '../tickets/desk-rules.ts';

const PASSWORD = 'workbench-test-password';
const FRIDAY = '2026-11-20T02:00:00.000Z'; // Friday 10:00 Beijing
const TUESDAY = '2026-11-24T02:00:00.000Z'; // Tuesday 10:00 Beijing, the same month

describeOnEngines('the workbench', (database) => {
  const clock = testClock(FRIDAY);
  let config: Config;
  let system: System;
  let orgA: { id: string; name: string; region_code: string };
  const tokens: Record<string, string> = {};
  const tickets: string[] = [];
  let serial = 0;
  const db = () => database().db;
  const as = (who: string, url: string, payload?: Record<string, unknown>) =>
    system.app.inject({ method: payload ? 'POST' : 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload ? { payload } : {}) });
  const step = async (who: string, ticketId: string, body: Record<string, unknown>) => {
    const response = await as(who, `/api/v1/tickets/${ticketId}/steps`, body);
    expect(response.statusCode, response.body).toBe(200);
  };

  async function account(username: string, role: 'org_handler' | 'supervisor' | 'province_admin' | 'city_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    tokens[username] = (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } })).json().token;
  }

  async function rate(item: { task_code: string }, area: string, levels: number[], at: string) {
    const projects: string[] = [];
    for (let i = 0; i < levels.length; i++) {
      projects.push(await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00', { projectNo: `${area}-20261119-${String(++serial).padStart(6, '0')}`, areaCode: area }));
    }
    await submitDrafts(system.intake, projects.map((p, i) => ({ ...draft(p, { level: levels[i] ?? 5 }), assessedAt: new Date(new Date(at).getTime() - 60_000) })));
    await foldLedger(db());
    return projects;
  }

  /** The counts by the pure rules: the next running deadline of each open ticket of the scope. */
  async function byTheRules(where: { orgId?: string; regionPath?: string }) {
    const now = clock();
    const calendar = await loadCalendar(db());
    let query = db().selectFrom('ticket').selectAll();
    if (where.orgId) query = query.where('org_id', '=', where.orgId);
    if (where.regionPath) query = query.where('region_path', 'like', `${where.regionPath}%`);
    const counts = { open: 0, dueSoon: 0, overdue: 0, needsDecision: 0 };
    for (const row of await query.execute()) {
      if (UNWATCHED_STATES.has(row.state)) continue;
      const ticket = ticketFromRow(row);
      counts.open++;
      const next = nextDeadline(ticket, now, calendar);
      if (next?.status === 'overdue') counts.overdue++;
      else if (next?.status === 'warning') counts.dueSoon++;
      if (row.state === 'appealing' || row.state === 'cannot_fix_requested' || ticket.extension?.state === 'requested') counts.needsDecision++;
    }
    return counts;
  }

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720', TICKET_REPLY_DAYS: '3' });
    system = await startSystem(config, { database: database(), clock });
    orgA = await makeOrg(db(), { regionCode: '510104', name: '锦江区行政审批局' });
    const orgB = await makeOrg(db(), { regionCode: '510104' });
    const orgC = await makeOrg(db(), { regionCode: '510105' });
    const [itemA, itemB, itemC] = [await makeItem(db(), orgA), await makeItem(db(), orgB), await makeItem(db(), orgC)];
    await account('handler.a', 'org_handler', { scopeOrgId: orgA.id });
    await account('sup.county', 'supervisor', { scopeRegionCode: '510104' });
    await account('sup.city', 'supervisor', { scopeRegionCode: '510100' });
    await account('admin', 'province_admin', { scopeRegionCode: '510000' });
    const projects = await rate(itemA, '510104', [1, 1, 2, 1, 5, 4], FRIDAY);
    await rate(itemB, '510104', [2, 5], FRIDAY);
    await rate(itemC, '510105', [1], FRIDAY);
    for (const projectNo of projects.slice(0, 4)) {
      const row = await db().selectFrom('ticket as t').innerJoin('evaluation as e', 'e.id', 't.evaluation_id').select('t.id').where('e.project_no', '=', projectNo).executeTakeFirstOrThrow();
      tickets.push(row.id);
    }
    const [replied, appealing, extending] = tickets;
    if (!replied || !appealing || !extending) throw new Error('tickets missing');
    await step('handler.a', replied, { step: 'accept' });
    await step('handler.a', replied, { step: 'verified' });
    await step('handler.a', replied, { step: 'reply', text: '已整改并向您致歉' });
    await step('handler.a', appealing, { step: 'accept' });
    await step('handler.a', appealing, { step: 'judge_invalid', kind: 'mistaken', reason: '评价人选错了办件' });
    await step('handler.a', extending, { step: 'accept' });
    await step('handler.a', extending, { step: 'verified' });
    await step('handler.a', extending, { step: 'request_extension', days: 5, reason: '需采购设备' });
    // Tuesday: the untouched tickets are past their deadlines; a fresh 差评 is due soon.
    clock.set(TUESDAY);
    await rate(itemA, '510104', [2], TUESDAY);
    await foldLedger(db());
  });
  afterAll(async () => {
    await system?.close();
  });

  it('gives an org handler their org: the month’s figures as the scoring dashboard and the ticket statistics have them', async () => {
    const response = await as('handler.a', '/api/v1/workbench');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.unit).toEqual({ kind: 'org', id: orgA.id, name: '锦江区行政审批局' });
    expect(body.month).toBe('2026-11');

    const dashboard = (await as('handler.a', `/api/v1/scoring/units/org/${orgA.id}?period=2026-11`)).json().figures;
    const stats = (await as('handler.a', '/api/v1/stats/tickets?from=2026-11-01&to=2026-11-30')).json().groups;
    expect(stats).toHaveLength(1);
    expect(body.figures).toEqual({ ratings: dashboard.evaluations, goodRate: dashboard.goodRate, badCount: stats[0].bad, replyRate: dashboard.replyRate, overdue: dashboard.overdue });
    expect(stats[0]).toMatchObject({ replyRate: body.figures.replyRate, overdue: body.figures.overdue });
    // Seven ratings, two of them good; five 差评, one answered; three unanswered past the 3-day reply deadline.
    expect(body.figures).toEqual({ ratings: 7, goodRate: 0.2857, badCount: 5, replyRate: 0.2, overdue: 3 });
  });

  it('counts the org’s tickets that want attention now, as the deadline rules do ticket by ticket', async () => {
    const body = (await as('handler.a', '/api/v1/workbench')).json();
    expect(body.tickets).toEqual(await byTheRules({ orgId: orgA.id }));
    // Open: all five (the answered one awaits its callback). Due soon: Tuesday's, to verify by Wednesday.
    // Overdue: the three unanswered past the reply deadline. Waiting for a supervisor: the appeal and the extension.
    expect(body.tickets).toEqual({ open: 5, dueSoon: 1, overdue: 3, needsDecision: 2 });
  });

  it('gives supervisors and admins their scope region, with figures summed over the region as the dashboard and statistics sum them', async () => {
    for (const [who, code, path, ratings] of [
      ['sup.county', '510104', '510000/510100/510104/', 9],
      ['sup.city', '510100', '510000/510100/', 10],
      ['admin', '510000', '510000/', 10],
    ] as const) {
      const body = (await as(who, '/api/v1/workbench')).json();
      const region = await db().selectFrom('region').select('name').where('code', '=', code).executeTakeFirstOrThrow();
      expect(body.unit, who).toEqual({ kind: 'region', id: code, name: region.name });
      const dashboard = (await as(who, `/api/v1/scoring/units/region/${code}?period=2026-11`)).json().figures;
      const groups: Array<{ bad: number; replied: number; overdue: number }> = (await as(who, '/api/v1/stats/tickets?from=2026-11-01&to=2026-11-30')).json().groups;
      const bad = groups.reduce((a, g) => a + g.bad, 0);
      expect(body.figures, who).toEqual({ ratings: dashboard.evaluations, goodRate: dashboard.goodRate, badCount: bad, replyRate: dashboard.replyRate, overdue: dashboard.overdue });
      expect(body.figures.ratings, who).toBe(ratings);
      expect(body.figures.overdue, who).toBe(groups.reduce((a, g) => a + g.overdue, 0));
      expect(body.tickets, who).toEqual(await byTheRules({ regionPath: path }));
    }
    expect((await as('sup.city', '/api/v1/workbench')).json().tickets).toMatchObject({ open: 7, needsDecision: 2 });
  });

  it('is for staff only', async () => {
    const anonymous = await system.app.inject({ method: 'GET', url: '/api/v1/workbench' });
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'AUTH_REQUIRED']);
  });
});
