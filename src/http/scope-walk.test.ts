// The scope walk: every registered route, classified. Each route a staff member can call is called
// by three people who must not see county A's objects — a supervisor of county B, a handler of an
// org in county B, and a handler of another org in county A — with county A's ids and codes in
// its path, query and body. They get 403 or 404 (a list scoped by the caller answers, without A's
// objects), and no answer ever carries what identifies A's objects (names, ids, receipt and case
// numbers, comment text) beyond what the request itself sent. A route added without a line in the
// table below fails the test, so that it is walked too.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import { foldLedger } from '../scoring/feed.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, makeStaff, makeWindow, signedInject } from '../../test/factories.ts';
import { routesOf } from './route-list.ts';

const PASSWORD = 'scope-walk-password';
const COUNTY_A = '510104'; // 锦江区
const COUNTY_B = '510105'; // 青羊区, under the same city
const UNKNOWN_UUID = '0190a5b0-0000-7000-8000-00000000beef';

/** County A's objects, as the walk fills them into requests. */
interface World {
  orgId: string;
  orgName: string;
  deptCode: string;
  taskCode: string;
  itemName: string;
  itemId: string;
  windowId: string;
  windowName: string;
  staffId: string;
  staffName: string;
  projectNo: string;
  evaluationId: string;
  receiptNo: string;
  comment: string;
  ticketId: string;
  deviceId: string;
  linkId: string;
  inspectionId: string;
  templateCode: string;
  appId: string;
  handlerUsername: string;
}

interface Call {
  url: string;
  body?: Record<string, unknown>;
}

/**
 * How the walk treats a route: `public` (no staff session: pages, the rater's and the device's
 * routes, documentation), `app` (integrator apps only), `skip` (staff, but not walkable here, with
 * the reason), or `staff` with the calls to make: `denied` when each call names A's objects (403 or
 * 404 expected), `scoped` when the route answers about the caller's own scope (any status; A's
 * objects never appear).
 */
type Rule =
  | { kind: 'public' }
  | { kind: 'app' }
  | { kind: 'skip'; reason: string }
  | { kind: 'staff'; expect: 'denied' | 'scoped'; calls: (w: World) => Call[]; empty?: string[] };

const PUBLIC: Rule = { kind: 'public' };
const APP: Rule = { kind: 'app' };
const denied = (calls: (w: World) => Call[]): Rule => ({ kind: 'staff', expect: 'denied', calls });
/** `empty`: fields of a 200 answer that must be empty lists (nothing of these callers' own exists in the world). */
const scoped = (calls: (w: World) => Call[], empty?: string[]): Rule => ({ kind: 'staff', expect: 'scoped', calls, ...(empty ? { empty } : {}) });
const get = (url: string): Call => ({ url });

const ROUTES: Record<string, Rule> = {
  'GET /': PUBLIC,
  'GET /health': PUBLIC,
  'GET /docs': PUBLIC,
  'GET /docs/json': PUBLIC,
  'GET /docs/yaml': PUBLIC,
  'GET /docs/static/*': PUBLIC,
  'GET /docs/static/index.html': PUBLIC,
  'GET /docs/static/swagger-initializer.js': PUBLIC,
  'GET /assets/:name': PUBLIC,
  'GET /assets/place/:name': PUBLIC,
  'GET /assets/public/:name': PUBLIC,
  'GET /kiosk': PUBLIC,
  'GET /kiosk/assets/:name': PUBLIC,
  'GET /rate/*': PUBLIC,
  'GET /s/:code': PUBLIC,
  'GET /p/:kind/:token': PUBLIC,
  'GET /r': PUBLIC,
  'GET /r/:receiptNo': PUBLIC,
  'POST /r/:receiptNo/callback': PUBLIC,
  'GET /r/:receiptNo/qr.svg': PUBLIC,
  'GET /c/:token': PUBLIC,
  'POST /c/:token': PUBLIC,
  'GET /honor-roll': PUBLIC,
  'GET /honor-roll/verify': PUBLIC,
  'GET /api/v1/public/honor-roll': PUBLIC,
  'GET /api/v1/public/places/:kind/:token': PUBLIC,
  'POST /api/v1/public/places/:kind/:token/rating': PUBLIC,
  'POST /api/v1/public/places/:kind/:token/receipt-code': PUBLIC,
  'POST /api/v1/public/places/:kind/:token/sms-code': PUBLIC,
  'POST /api/v1/public/places/:kind/:token/sms-code/:challengeId': PUBLIC,
  'GET /api/v1/public/ratings/:token': PUBLIC,
  'POST /api/v1/public/ratings/:token': PUBLIC,
  'GET /api/v1/receipts/:receiptNo': PUBLIC,
  'POST /api/v1/receipts/:receiptNo/callback': PUBLIC,
  'GET /api/v1/callbacks/:token': PUBLIC,
  'POST /api/v1/callbacks/:token': PUBLIC,
  'POST /api/v1/auth/login': PUBLIC,
  // The console's app shell: the same page for everyone, holding no data (its data comes from the API walked here).
  'GET /console': PUBLIC,
  'GET /console/': PUBLIC,
  'GET /console/assets/:name': PUBLIC,
  'GET /console/*': PUBLIC,
  // Hall devices authenticate with their own credential, bound to one window.
  'GET /api/v1/kiosk/device': PUBLIC,
  'GET /api/v1/kiosk/events': PUBLIC,
  'GET /api/v1/kiosk/ratings/:token': PUBLIC,
  'POST /api/v1/kiosk/ratings/:token': PUBLIC,

  'POST /api/v1/evaluations': APP,
  'POST /api/v1/evaluations/batch': APP,
  'POST /api/v1/rating-links': APP,
  'POST /api/v1/hotline/ivr': APP,
  'POST /api/v1/hotline/sms/inbound': APP,

  'POST /api/v1/auth/logout': { kind: 'skip', reason: 'ends the caller’s own session and takes no id' },
  'POST /api/v1/auth/password': { kind: 'skip', reason: 'changes the caller’s own password and takes no id (src/auth/sign-in-safety tests)' },
  'POST /api/v1/evidence': { kind: 'skip', reason: 'stores the caller’s own upload and takes no id' },
  'GET /api/v1/evidence/:digest': { kind: 'skip', reason: 'only the uploading account reads it (src/evidence/evidence.test.ts: another county’s supervisor gets 404)' },
  // A workbook is compressed: the text search cannot look inside; src/tickets/desk.test.ts opens it and checks its scope.
  'GET /api/v1/tickets/export.xlsx': { kind: 'skip', reason: 'binary workbook, scope checked by opening it in src/tickets/desk.test.ts' },
  'GET /api/v1/notifications/stream': { kind: 'skip', reason: 'an endless stream of the caller’s own notifications (src/notifications/stream.test.ts: never another account’s)' },

  'GET /api/v1/auth/me': scoped(() => [get('/api/v1/auth/me')]),
  'GET /api/v1/notifications': scoped(() => [get('/api/v1/notifications')], ['items']),
  'GET /api/v1/notifications/unread-count': scoped(() => [get('/api/v1/notifications/unread-count')]),
  'POST /api/v1/notifications/read': scoped(() => [{ url: '/api/v1/notifications/read', body: { all: true } }]),
  'GET /api/v1/workbench': scoped(() => [get('/api/v1/workbench')]),
  'GET /api/v1/calendar/status': scoped(() => [get('/api/v1/calendar/status')]),

  'GET /api/v1/catalog/regions': scoped(() => [get(`/api/v1/catalog/regions?parent=${COUNTY_A}`)]),
  'GET /api/v1/catalog/regions/:code': scoped(() => [get(`/api/v1/catalog/regions/${COUNTY_A}`)]),
  'GET /api/v1/catalog/orgs': scoped(() => [get(`/api/v1/catalog/orgs?regionCode=${COUNTY_A}`), get('/api/v1/catalog/orgs')]),
  'GET /api/v1/catalog/orgs/:deptCode': denied((w) => [get(`/api/v1/catalog/orgs/${w.deptCode}`)]),
  'POST /api/v1/catalog/orgs': denied((w) => [{ url: '/api/v1/catalog/orgs', body: { deptCode: w.deptCode, deptName: '改名', areaCode: COUNTY_A } }]),
  'GET /api/v1/catalog/items': scoped((w) => [get(`/api/v1/catalog/items?deptCode=${w.deptCode}`), get('/api/v1/catalog/items')]),
  'GET /api/v1/catalog/items/:taskCode': denied((w) => [get(`/api/v1/catalog/items/${w.taskCode}`)]),
  'POST /api/v1/catalog/items': denied((w) => [{ url: '/api/v1/catalog/items', body: { taskCode: w.taskCode, taskName: '改名', itemType: '01', deptCode: w.deptCode } }]),
  'GET /api/v1/catalog/windows': scoped((w) => [get(`/api/v1/catalog/windows?deptCode=${w.deptCode}`), get('/api/v1/catalog/windows')]),
  'POST /api/v1/catalog/windows': denied((w) => [{ url: '/api/v1/catalog/windows', body: { deptCode: w.deptCode, windowCode: 'W-WALK', windowName: '走查窗口' } }]),
  'GET /api/v1/catalog/staff': scoped((w) => [get(`/api/v1/catalog/staff?deptCode=${w.deptCode}`), get('/api/v1/catalog/staff')]),
  'POST /api/v1/catalog/staff': denied((w) => [{ url: '/api/v1/catalog/staff', body: { deptCode: w.deptCode, staffNo: 'S-WALK', staffName: '走查人员' } }]),
  'POST /api/v1/catalog/import/:kind': denied((w) => [{ url: '/api/v1/catalog/import/staff', body: { format: 'csv', content: `deptCode,staffNo,staffName\n${w.deptCode},S-WALK2,走查人员二\n` } }]),
  'GET /api/v1/catalog/windows/:windowId/devices': denied((w) => [get(`/api/v1/catalog/windows/${w.windowId}/devices`)]),
  'POST /api/v1/catalog/windows/:windowId/devices': denied((w) => [{ url: `/api/v1/catalog/windows/${w.windowId}/devices`, body: { kind: 'evaluator', name: '走查评价器' } }]),
  'POST /api/v1/hall-devices/:deviceId/deactivate': denied((w) => [{ url: `/api/v1/hall-devices/${w.deviceId}/deactivate` }]),
  'GET /api/v1/orgs/:orgId/place-links': denied((w) => [get(`/api/v1/orgs/${w.orgId}/place-links`)]),
  'GET /api/v1/orgs/:orgId/posters.pdf': denied((w) => [get(`/api/v1/orgs/${w.orgId}/posters.pdf`)]),

  'POST /api/v1/cases': denied((w) => [{ url: '/api/v1/cases', body: { projectNo: `${COUNTY_A}-20261119-999999`, taskCode: w.taskCode, proStatus: 3, acceptDate: '2026-11-19 09:00:00', resultDate: '2026-11-19 10:00:00' } }]),
  'GET /api/v1/cases/:projectNo': denied((w) => [get(`/api/v1/cases/${w.projectNo}`)]),
  'GET /api/v1/rating-links/:id/qr.png': denied((w) => [get(`/api/v1/rating-links/${w.linkId}/qr.png`)]),
  'GET /api/v1/rating-links/:id/qr.svg': denied((w) => [get(`/api/v1/rating-links/${w.linkId}/qr.svg`)]),

  'GET /api/v1/evaluations': scoped((w) => [get(`/api/v1/evaluations?orgId=${w.orgId}`), get(`/api/v1/evaluations?regionCode=${COUNTY_A}`), get('/api/v1/evaluations')], ['items']),
  'GET /api/v1/evaluations/:id': denied((w) => [get(`/api/v1/evaluations/${w.evaluationId}`)]),
  'POST /api/v1/evaluations/:id/flags': denied((w) => [{ url: `/api/v1/evaluations/${w.evaluationId}/flags`, body: { kind: 'appeal_upheld', reason: '走查' } }]),
  'GET /api/v1/stats/levels': scoped((w) => [get(`/api/v1/stats/levels?from=2026-11-01&to=2026-11-30&orgId=${w.orgId}`), get(`/api/v1/stats/levels?from=2026-11-01&to=2026-11-30&regionCode=${COUNTY_A}`), get('/api/v1/stats/levels?from=2026-11-01&to=2026-11-30')], ['levels']),

  'GET /api/v1/tickets': scoped((w) => [get(`/api/v1/tickets?orgId=${w.orgId}`), get('/api/v1/tickets')], ['items']),
  'GET /api/v1/tickets/:id': denied((w) => [get(`/api/v1/tickets/${w.ticketId}`)]),
  'GET /api/v1/tickets/counts': scoped((w) => [get(`/api/v1/tickets/counts?orgId=${w.orgId}`), get(`/api/v1/tickets/counts?regionCode=${COUNTY_A}`), get('/api/v1/tickets/counts')]),
  'POST /api/v1/tickets/:id/reply-preview': denied((w) => [{ url: `/api/v1/tickets/${w.ticketId}/reply-preview`, body: { text: '走查答复内容' } }]),
  'POST /api/v1/tickets/:id/rater': denied((w) => [{ url: `/api/v1/tickets/${w.ticketId}/rater`, body: { reason: '走查核实' } }]),
  'GET /api/v1/tickets/:id/evidence/:digest': denied((w) => [get(`/api/v1/tickets/${w.ticketId}/evidence/${'0'.repeat(64)}`)]),
  'POST /api/v1/tickets/:id/steps': denied((w) => [{ url: `/api/v1/tickets/${w.ticketId}/steps`, body: { step: 'accept' } }]),
  'GET /api/v1/stats/tickets': scoped(() => [get(`/api/v1/stats/tickets?from=2026-11-01&to=2026-11-30&groupBy=org&regionCode=${COUNTY_A}`), get('/api/v1/stats/tickets?from=2026-11-01&to=2026-11-30&groupBy=org')], ['groups']),

  'GET /api/v1/risk/cases': scoped(() => [get('/api/v1/risk/cases')]),
  'GET /api/v1/risk/cases/:evaluationId': denied((w) => [get(`/api/v1/risk/cases/${w.evaluationId}`)]),
  'POST /api/v1/risk/cases/:evaluationId/reviews': denied((w) => [{ url: `/api/v1/risk/cases/${w.evaluationId}/reviews`, body: { decision: 'clear', reason: '走查复核' } }]),

  'GET /api/v1/inspection-templates': scoped(() => [get('/api/v1/inspection-templates')]),
  'GET /api/v1/inspection-templates/:code': scoped((w) => [get(`/api/v1/inspection-templates/${w.templateCode}`)]),
  // Checklist templates are shared province-wide: any supervisor may add a version (docs/inspections.md).
  'POST /api/v1/inspection-templates': scoped(() => [{ url: '/api/v1/inspection-templates', body: { code: 'walk-shared', name: '共用检查表', items: [{ code: 'A1', title: '走查', points: 100 }] } }]),
  'GET /api/v1/inspections': scoped((w) => [get(`/api/v1/inspections?orgId=${w.orgId}`), get('/api/v1/inspections')], ['items']),
  'GET /api/v1/inspections/:id': denied((w) => [get(`/api/v1/inspections/${w.inspectionId}`)]),
  'POST /api/v1/inspections': denied((w) => [{ url: '/api/v1/inspections', body: { templateCode: w.templateCode, orgId: w.orgId, method: 'mystery_shopper', inspectedAt: '2026-11-19 14:30:00', results: [{ code: 'A1', points: 0 }] } }]),

  'GET /api/v1/scoring/rankings': scoped(() => [get('/api/v1/scoring/rankings?period=2026-11')]),
  'GET /api/v1/scoring/units/:kind/:id': denied((w) => [
    get(`/api/v1/scoring/units/region/${COUNTY_A}?period=2026-11`),
    get(`/api/v1/scoring/units/org/${w.orgId}?period=2026-11`),
    get(`/api/v1/scoring/units/item/${w.itemId}?period=2026-11`),
    get(`/api/v1/scoring/units/window/${w.windowId}?period=2026-11`),
    get(`/api/v1/scoring/units/staff/${w.staffId}?period=2026-11`),
  ]),
  'GET /api/v1/scoring/units/:kind/:id/ledger': denied((w) => [get(`/api/v1/scoring/units/region/${COUNTY_A}/ledger?period=2026-11`), get(`/api/v1/scoring/units/org/${w.orgId}/ledger?period=2026-11`)]),
  'GET /api/v1/scoring/schemes': scoped(() => [get('/api/v1/scoring/schemes')]),
  'POST /api/v1/scoring/schemes': denied(() => [{ url: '/api/v1/scoring/schemes', body: { version: 'walk-1', effectiveFrom: '2027-01-01', definition: {} } }]),
  'GET /api/v1/scoring/snapshots': scoped(() => [get('/api/v1/scoring/snapshots')]),
  'POST /api/v1/scoring/snapshots': denied(() => [{ url: '/api/v1/scoring/snapshots', body: { period: '2026-11' } }]),
  'GET /api/v1/scoring/snapshots/:kind/:key': scoped(() => [get('/api/v1/scoring/snapshots/month/2026-11')]),
  'GET /api/v1/scoring/snapshots/:kind/:key/verification': scoped(() => [get('/api/v1/scoring/snapshots/month/2026-11/verification')]),

  // No bulletin is issued in this world (that needs closed periods): the walk checks the routes
  // refuse or answer without A's objects; src/bulletins/ tests their scope with issued ones.
  'GET /api/v1/bulletins': scoped(() => [get('/api/v1/bulletins')]),
  'POST /api/v1/bulletins': denied(() => [{ url: '/api/v1/bulletins', body: { periodKind: 'month', periodKey: '2026-10', unitClass: 'county' } }]),
  'GET /api/v1/bulletins/:id': denied(() => [get(`/api/v1/bulletins/${UNKNOWN_UUID}`)]),
  'GET /api/v1/bulletins/:id/pdf': denied(() => [get(`/api/v1/bulletins/${UNKNOWN_UUID}/pdf`)]),
  'GET /api/v1/bulletins/:id/xlsx': denied(() => [get(`/api/v1/bulletins/${UNKNOWN_UUID}/xlsx`)]),
  'GET /api/v1/bulletins/:id/responses': denied(() => [get(`/api/v1/bulletins/${UNKNOWN_UUID}/responses`)]),
  'POST /api/v1/bulletins/:id/responses/:unitKind/:unitId': denied((w) => [
    { url: `/api/v1/bulletins/${UNKNOWN_UUID}/responses/org/${w.orgId}`, body: { step: 'submit', text: '走查整改' } },
    { url: `/api/v1/bulletins/${UNKNOWN_UUID}/responses/region/${COUNTY_A}`, body: { step: 'submit', text: '走查整改' } },
  ]),

  'POST /api/v1/staff-accounts/:username/disable': denied((w) => [{ url: `/api/v1/staff-accounts/${w.handlerUsername}/disable` }]),
  'POST /api/v1/staff-accounts/:username/enable': denied((w) => [{ url: `/api/v1/staff-accounts/${w.handlerUsername}/enable` }]),
  'POST /api/v1/integrator-apps/:appId/disable': denied((w) => [{ url: `/api/v1/integrator-apps/${w.appId}/disable` }]),
  'POST /api/v1/integrator-apps/:appId/enable': denied((w) => [{ url: `/api/v1/integrator-apps/${w.appId}/enable` }]),
};

describeOnEngines('the scope walk over every route', (database) => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  let config: Config;
  let system: System;
  let world: World;
  const tokens: Record<string, string> = {};
  const db = () => database().db;

  async function account(username: string, role: 'org_handler' | 'supervisor' | 'province_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    tokens[username] = login.json().token;
  }
  const as = (who: string, method: string, call: Call) =>
    system.app.inject({ method: method as 'GET' | 'POST', url: call.url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(call.body ? { payload: call.body } : {}) });
  const ok = async (response: Promise<{ statusCode: number; body: string; json: () => Record<string, unknown> }>, status = 201) => {
    const done = await response;
    expect(done.statusCode, done.body).toBe(status);
    return done.json();
  };

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720' });
    system = await startSystem(config, { database: database(), clock });
    // County A: the org whose objects are walked, and a second org; county B: one org.
    const orgA = await makeOrg(db(), { regionCode: COUNTY_A, name: '锦江区走查专用局' });
    const otherInA = await makeOrg(db(), { regionCode: COUNTY_A, name: '锦江区另一局' });
    const orgB = await makeOrg(db(), { regionCode: COUNTY_B, name: '青羊区走查对照局' });
    const item = await makeItem(db(), orgA);
    const window = await makeWindow(db(), orgA);
    const staff = await makeStaff(db(), orgA, window);
    await account('walk.admin', 'province_admin', { scopeRegionCode: '510000' });
    await account('walk.sup.a', 'supervisor', { scopeRegionCode: COUNTY_A });
    await account('walk.handler.a', 'org_handler', { scopeOrgId: orgA.id });
    await account('sup.b', 'supervisor', { scopeRegionCode: COUNTY_B });
    await account('handler.b', 'org_handler', { scopeOrgId: orgB.id });
    await account('handler.other.a', 'org_handler', { scopeOrgId: otherInA.id });
    const integrator = await makeIntegrator(db(), config, { regionCode: COUNTY_A });

    // A case rated badly at A's window (a ticket opens), and a rating link.
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00', { projectNo: `${COUNTY_A}-20261119-424242`, areaCode: COUNTY_A, windowCode: window.code, staffNo: staff.staff_no });
    const comment = '走查专用差评文字：窗口无人';
    const rated = await ok(signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 1, indicators: ['507'], comment, channel: 'mobile', assessedAt: '2026-11-20 09:00:00' }));
    const evaluation = rated['evaluation'] as { id: string; receiptNo?: string };
    const ticket = await db().selectFrom('ticket').select(['id', 'receipt_no']).where('evaluation_id', '=', evaluation.id).executeTakeFirstOrThrow();
    const secondCase = await makeCompletedCase(db(), config, item, '2026-11-19 11:00:00', { projectNo: `${COUNTY_A}-20261119-434343`, areaCode: COUNTY_A });
    const link = await ok(signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo: secondCase, channel: 'sms' }));
    await foldLedger(db());

    // A device at A's window, an inspection of A's org.
    const device = await ok(as('walk.admin', 'POST', { url: `/api/v1/catalog/windows/${window.id}/devices`, body: { kind: 'evaluator', name: '走查评价器' } }));
    const templateCode = 'walk-hall';
    await ok(as('walk.sup.a', 'POST', { url: '/api/v1/inspection-templates', body: { code: templateCode, name: '走查检查表', items: [{ code: 'A1', title: '着装规范', points: 100 }] } }));
    const inspection = await ok(as('walk.sup.a', 'POST', { url: '/api/v1/inspections', body: { templateCode, orgId: orgA.id, windowId: window.id, method: 'mystery_shopper', inspectedAt: '2026-11-19 14:30:00', results: [{ code: 'A1', points: 80 }] } }));

    world = {
      orgId: orgA.id,
      orgName: orgA.name,
      deptCode: orgA.dept_code,
      taskCode: item.task_code,
      itemName: item.name,
      itemId: item.id,
      windowId: window.id,
      windowName: window.name,
      staffId: staff.id,
      staffName: staff.name,
      projectNo,
      evaluationId: evaluation.id,
      receiptNo: ticket.receipt_no,
      comment,
      ticketId: ticket.id,
      deviceId: String(device['id']),
      linkId: String(link['id']),
      inspectionId: String((inspection['inspection'] as { id?: string } | undefined)?.id ?? inspection['id']),
      templateCode,
      appId: integrator.appId,
      handlerUsername: 'walk.handler.a',
    };
    // What the walk guards is really there: A's own people see it.
    const mine = await as('walk.handler.a', 'GET', get(`/api/v1/tickets/${world.ticketId}`));
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.body).toContain(world.receiptNo);
  });
  afterAll(async () => {
    await system?.close();
  });

  it('has every registered route in the table, and no line for a route that is gone', () => {
    const registered = new Set(routesOf(system.app).filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`));
    const unclassified = [...registered].filter((r) => !(r in ROUTES));
    expect(unclassified, 'classify these routes in ROUTES (src/http/scope-walk.test.ts)').toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !registered.has(r)), 'routes in ROUTES that are no longer registered').toEqual([]);
  });

  it('refuses county A’s objects to a county-B supervisor, a county-B handler and a handler of another org in county A, and never shows them', async () => {
    const secrets = Object.entries(world)
      .filter(([key]) => key !== 'templateCode' && key !== 'handlerUsername')
      .map(([key, value]) => ({ key, value: String(value) }));
    const problems: string[] = [];
    let walked = 0;
    for (const [route, rule] of Object.entries(ROUTES)) {
      if (rule.kind !== 'staff') continue;
      const method = route.split(' ')[0] ?? 'GET';
      for (const call of rule.calls(world)) {
        const sent = `${call.url} ${JSON.stringify(call.body ?? {})}`;
        for (const who of ['sup.b', 'handler.b', 'handler.other.a']) {
          const response = await as(who, method, call);
          walked++;
          const where = `${who} ${method} ${call.url} → ${response.statusCode}`;
          if (rule.expect === 'denied' && response.statusCode !== 403 && response.statusCode !== 404) problems.push(`${where}: expected 403 or 404 (${response.body.slice(0, 200)})`);
          // A refused request must be refused for scope, not for its shape: a 400 would walk nothing.
          if (response.statusCode === 400 || response.statusCode >= 500) problems.push(`${where}: the call did not reach the route's scope check (${response.body.slice(0, 200)})`);
          if (response.statusCode === 200) {
            for (const field of rule.empty ?? []) {
              const value: unknown = response.json()[field];
              if (!Array.isArray(value) || value.length > 0) problems.push(`${where}: ${field} is not an empty list`);
            }
          }
          const body = response.rawPayload.toString('latin1') + response.body;
          for (const { key, value } of secrets) {
            if (!sent.includes(value) && body.includes(value)) problems.push(`${where}: shows A’s ${key}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(walked).toBeGreaterThan(150);
  });
});
