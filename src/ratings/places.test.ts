import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeStaff, makeWindow } from '../../test/factories.ts';

const NOW = '2026-11-20T06:00:00.000Z'; // 14:00 Beijing

describeOnEngines('rating at a poster: windows and staff', (database) => {
  const clock = testClock(NOW);
  const config = testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_SUBMIT_PER_LINK: '100' });
  let system: System;
  let org: { id: string; region_code: string };
  let item: { task_code: string };
  let window: { id: string; code: string };
  let staff: { id: string; staff_no: string };
  let links: Array<{ kind: string; id: string; url: string }>;

  const db = () => database().db;
  const pathOf = (url: string) => url.replace(config.http.publicBaseUrl, '').replace(/^\/p\//, '/api/v1/public/places/');
  const rate = (url: string, body: Record<string, unknown>) =>
    system.app.inject({ method: 'POST', url: `${pathOf(url)}/rating`, payload: { clientId: 'poster-attempt-1', indicators: [], anonymous: true, ...body } });

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(db(), { name: '武侯区政务服务中心', regionCode: '510107' });
    item = await makeItem(db(), org);
    window = await makeWindow(db(), org);
    staff = await makeStaff(db(), org, window);
    const admin = await createStaffAccount(db(), { username: 'poster.admin', displayName: '管理员', role: 'province_admin', password: 'poster-admin-password', scopeRegionCode: '510000' }, clock());
    void admin;
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'poster.admin', password: 'poster-admin-password' } });
    const listed = await system.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/place-links`, headers: { authorization: `Bearer ${login.json().token}` } });
    expect(listed.statusCode, listed.body).toBe(200);
    links = listed.json().places;
  });
  beforeEach(() => clock.set(NOW));
  afterAll(async () => {
    await system.close();
  });

  const posterOf = (kind: string) => {
    const link = links.find((l) => l.kind === kind);
    if (!link) throw new Error(`no ${kind} poster`);
    return link;
  };

  it('lists a poster link for every window and staff member of the org, naming no id in clear', () => {
    expect(links.map((l) => l.kind).sort()).toEqual(['staff', 'window']);
    for (const link of links) expect(link.url).not.toContain(link.id);
  });

  it('offers the stages just completed at the window, unrated, and a link to rate one of them', async () => {
    const recent = await makeCompletedCase(db(), config, item, '2026-11-20 13:00:00', { windowCode: window.code, staffNo: staff.staff_no });
    await makeCompletedCase(db(), config, item, '2026-11-20 08:00:00', { windowCode: window.code });
    const elsewhere = await makeCompletedCase(db(), config, item, '2026-11-20 13:30:00');
    void elsewhere;
    const shown = await system.app.inject({ method: 'GET', url: pathOf(posterOf('window').url) });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ kind: 'window', place: { orgName: '武侯区政务服务中心', windowName: expect.any(String) }, recentHours: 4 });
    expect(shown.json().recent).toHaveLength(1);
    const stageId = shown.json().recent[0].stageId;
    const linked = await system.app.inject({ method: 'POST', url: `${pathOf(posterOf('window').url)}/stages/${stageId}/link` });
    expect(linked.statusCode, linked.body).toBe(201);
    const token = String(linked.json().url).split('/rate/')[1];
    const rated = await system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${token}`, payload: { clientId: 'poster-case-1', level: 5, indicators: [], anonymous: true } });
    expect(rated.statusCode, rated.body).toBe(201);
    const stored = await db().selectFrom('evaluation').select(['channel', 'project_no', 'subject']).where('receipt_no', '=', rated.json().receiptNo).executeTakeFirstOrThrow();
    expect(stored).toEqual({ channel: 'qr', project_no: recent, subject: 'case_stage' });
    // Rated now: no longer offered; and a stage the poster does not offer gets no link.
    expect((await system.app.inject({ method: 'GET', url: pathOf(posterOf('window').url) })).json().recent).toEqual([]);
    const refused = await system.app.inject({ method: 'POST', url: `${pathOf(posterOf('window').url)}/stages/${stageId}/link` });
    expect(refused.json().code).toBe('CASE_STAGE_NOT_FOUND');
  });

  it('stores a rating of the window itself as such, many per window, counted apart; a bad one opens a ticket for the window’s org', async () => {
    const first = await rate(posterOf('window').url, { clientId: 'window-rater-01', level: 4 });
    const second = await rate(posterOf('window').url, { clientId: 'window-rater-02', level: 1, indicators: ['507'], comment: '态度差' });
    expect(first.statusCode, first.body).toBe(201);
    expect(second.json()).toMatchObject({ status: 'stored', assessNumber: 1, followUpAllowed: false });
    const again = await rate(posterOf('window').url, { clientId: 'window-rater-02', level: 1, indicators: ['507'], comment: '态度差' });
    expect(again.json()).toMatchObject({ status: 'duplicate', receiptNo: second.json().receiptNo });
    const rows = await db().selectFrom('evaluation').select(['id', 'subject', 'window_id', 'staff_id', 'org_id', 'project_no', 'case_stage_id', 'channel']).where('receipt_no', 'in', [first.json().receiptNo, second.json().receiptNo]).execute();
    for (const row of rows) expect(row).toMatchObject({ subject: 'window', window_id: window.id, staff_id: null, org_id: org.id, project_no: null, case_stage_id: null, channel: 'qr' });
    const counted = await db().selectFrom('evaluation_counter').select(['subject', 'level', 'count']).where('org_id', '=', org.id).where('subject', '=', 'window').orderBy('level').execute();
    expect(counted).toEqual([{ subject: 'window', level: 1, count: 1 }, { subject: 'window', level: 4, count: 1 }]);
    const ticket = await db().selectFrom('ticket').select(['org_id', 'case_stage_id']).where('evaluation_id', 'in', rows.map((r) => r.id)).execute();
    expect(ticket).toEqual([{ org_id: org.id, case_stage_id: null }]);
  });

  it('rates a staff member at their poster, and refuses forged posters', async () => {
    const rated = await rate(posterOf('staff').url, { clientId: 'staff-rater-001', level: 5 });
    expect(rated.statusCode, rated.body).toBe(201);
    const row = await db().selectFrom('evaluation').select(['subject', 'staff_id', 'window_id']).where('receipt_no', '=', rated.json().receiptNo).executeTakeFirstOrThrow();
    expect(row).toEqual({ subject: 'staff', staff_id: staff.id, window_id: window.id });
    const shown = await system.app.inject({ method: 'GET', url: pathOf(posterOf('staff').url) });
    expect(shown.json().place.staffName).toMatch(/^工\*+$/);
    // A window's token does not open a staff poster, and an altered one opens nothing.
    const swapped = pathOf(posterOf('window').url).replace('/window/', '/staff/');
    expect((await system.app.inject({ method: 'GET', url: swapped })).json().code).toBe('LINK_INVALID');
    expect((await system.app.inject({ method: 'GET', url: `${pathOf(posterOf('staff').url).slice(0, -2)}xx` })).json().code).toBe('LINK_INVALID');
  });
});
