import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { startSystem, type System } from '../system.ts';
import { createTemplateVersion } from './commands.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeOrg, makeWindow } from '../../test/factories.ts';

const PASSWORD = 'inspection-test-password';

const HALL_ITEMS = [
  { code: 'A1', title: '窗口人员着装规范、佩戴工牌', points: 10 },
  { code: 'A2', title: '一次性告知办事所需材料', points: 30, description: '未一次性告知的不得分' },
  { code: 'B1', title: '办事指南与实际要求一致', points: 60 },
];

describeOnEngines('inspections (调查暗访)', (database) => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  let system: System;
  let org: { id: string; region_code: string };
  let otherOrg: { id: string; region_code: string };
  let window: { id: string };
  let otherWindow: { id: string };
  const tokens: Record<string, string> = {};

  const db = () => database().db;
  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  async function account(username: string, role: 'org_handler' | 'supervisor' | 'province_admin' | 'city_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    tokens[username] = login.json().token;
  }

  let serial = 0;
  /** A fresh template code with the hall checklist, version 1. */
  async function newTemplate(items: unknown[] = HALL_ITEMS) {
    const response = await as('sup.county', 'POST', '/api/v1/inspection-templates', { code: `hall-${++serial}`, name: '政务大厅暗访检查表', items });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  const fullResults = (points: [number, number, number] = [10, 30, 60]) => HALL_ITEMS.map((item, i) => ({ code: item.code, points: points[i] }));

  function inspectionBody(templateCode: string, overrides: Record<string, unknown> = {}) {
    return { templateCode, orgId: org.id, windowId: window.id, method: 'mystery_shopper', inspectedAt: '2026-11-19 14:30:00', results: fullResults(), ...overrides };
  }

  async function record(templateCode: string, overrides: Record<string, unknown> = {}, who = 'sup.county') {
    const response = await as(who, 'POST', '/api/v1/inspections', inspectionBody(templateCode, overrides));
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  /** Everything an inspection may write: its rows, the templates, and the tallies' inspection sums. */
  async function footprint() {
    const inspections = await db().selectFrom('inspection').select(db().fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const templates = await db().selectFrom('inspection_template').select(db().fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const tallies = await sql<{ inspections: number; points: number }>`SELECT coalesce(sum(inspections), 0)::int8 AS inspections, coalesce(sum(inspection_points), 0)::int8 AS points FROM score_tally`.execute(db());
    return { inspections: Number(inspections.n), templates: Number(templates.n), tallies: tallies.rows[0] };
  }

  async function tallyOf(kind: string, id: string, day: string) {
    const row = await db().selectFrom('score_tally').select(['inspections', 'inspection_points']).where('unit_kind', '=', kind as 'org').where('unit_id', '=', id).where('day', '=', day).executeTakeFirst();
    return { inspections: Number(row?.inspections ?? 0), points: Number(row?.inspection_points ?? 0) };
  }

  beforeAll(async () => {
    const config = testConfig({ JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720' });
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(db(), { regionCode: '510104' });
    otherOrg = await makeOrg(db(), { regionCode: '510703' });
    window = await makeWindow(db(), org);
    otherWindow = await makeWindow(db(), otherOrg);
    await account('sup.county', 'supervisor', { scopeRegionCode: '510104' });
    await account('sup.mianyang', 'supervisor', { scopeRegionCode: '510700' });
    await account('admin.province', 'province_admin', { scopeRegionCode: '510000' });
    await account('admin.city', 'city_admin', { scopeRegionCode: '510100' });
    await account('handler.a', 'org_handler', { scopeOrgId: org.id });
    await account('handler.other', 'org_handler', { scopeOrgId: otherOrg.id });
  });
  beforeEach(() => clock.set('2026-11-20T02:00:00.000Z'));
  afterAll(async () => {
    await system.close();
  });

  it('creates a template, then new versions of the same code (max + 1), never editing one; lists the latest of each code', async () => {
    const v1 = await newTemplate();
    expect(v1).toMatchObject({ version: 1, name: '政务大厅暗访检查表', totalPoints: 100, createdBy: 'sup.county', items: HALL_ITEMS });
    const v2 = await as('admin.province', 'POST', '/api/v1/inspection-templates', { code: v1.code, name: '政务大厅暗访检查表（修订）', items: HALL_ITEMS.slice(1) });
    expect(v2.statusCode, v2.body).toBe(201);
    expect(v2.json()).toMatchObject({ code: v1.code, version: 2, totalPoints: 90, createdBy: 'admin.province' });

    const versions = await as('handler.a', 'GET', `/api/v1/inspection-templates/${v1.code}`);
    expect(versions.statusCode, versions.body).toBe(200);
    expect(versions.json().items.map((t: { version: number }) => t.version)).toEqual([2, 1]);
    expect(versions.json().items[1]).toEqual(v1);

    const latest = await as('sup.county', 'GET', '/api/v1/inspection-templates');
    const mine = latest.json().items.filter((t: { code: string }) => t.code === v1.code);
    expect(mine).toEqual([v2.json()]);

    const missing = await as('sup.county', 'GET', '/api/v1/inspection-templates/no-such-template');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('INSPECTION_TEMPLATE_NOT_FOUND');

    // The database itself refuses to edit or delete a template.
    await expect(db().updateTable('inspection_template').set({ name: '改' }).where('id', '=', v1.id).execute()).rejects.toThrow();
    await expect(db().deleteFrom('inspection_template').where('id', '=', v1.id).execute()).rejects.toThrow();
  });

  it('numbers concurrent new versions of one code without a gap or a clash', async () => {
    // Straight to the command, so that the inserts really overlap on a server's connection pool.
    const code = `race-${++serial}`;
    const caller = { kind: 'staff', accountId: 'x', username: 'sup.county', role: 'supervisor', regionPath: '510000/510100/510104/', orgId: null } as const;
    const rows = await Promise.all(Array.from({ length: 8 }, (_, i) => createTemplateVersion({ db: db(), clock }, caller, { code, name: `第${i}稿`, items: HALL_ITEMS })));
    expect(rows.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses a bad template with INSPECTION_TEMPLATE_INVALID, and an org handler or a city admin with AUTH_FORBIDDEN; nothing is stored', async () => {
    const before = await footprint();
    const cases: Array<[string, unknown, number, string]> = [
      ['sup.county', { code: 'bad-1', name: '表', items: [HALL_ITEMS[0], HALL_ITEMS[0]] }, 422, 'INSPECTION_TEMPLATE_INVALID'],
      ['sup.county', { code: 'bad-2', name: '表', items: [] }, 422, 'INSPECTION_TEMPLATE_INVALID'],
      ['sup.county', { code: 'bad-3', name: '表', items: [{ code: 'A1', title: '检查项', points: 0 }] }, 422, 'INSPECTION_TEMPLATE_INVALID'],
      ['sup.county', { code: 'bad 4', name: '表', items: HALL_ITEMS }, 422, 'INSPECTION_TEMPLATE_INVALID'],
      ['sup.county', { code: 'bad-5', name: '表', items: HALL_ITEMS, extra: true }, 400, 'VALIDATION_FAILED'],
      ['handler.a', { code: 'bad-6', name: '表', items: HALL_ITEMS }, 403, 'AUTH_FORBIDDEN'],
      ['admin.city', { code: 'bad-7', name: '表', items: HALL_ITEMS }, 403, 'AUTH_FORBIDDEN'],
    ];
    for (const [who, body, status, code] of cases) {
      const response = await as(who, 'POST', '/api/v1/inspection-templates', body);
      expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(status);
      expect(response.json().code).toBe(code);
    }
    const anonymous = await system.app.inject({ method: 'POST', url: '/api/v1/inspection-templates', payload: { code: 'bad-8', name: '表', items: HALL_ITEMS } });
    expect(anonymous.json().code).toBe('AUTH_REQUIRED');
    expect(await footprint()).toEqual(before);
  });

  it('records an inspection with its score, and counts it in the tallies of its region, org and window on its Beijing day, in the same transaction', async () => {
    const template = await newTemplate();
    // 01:30 on 20 November in Beijing is still the 19th in UTC: the inspection counts on the 20th.
    const day = '2026-11-20';
    const units: Array<[string, string]> = [
      ['region', '510104'],
      ['org', org.id],
      ['window', window.id],
    ];
    const before = await Promise.all(units.map(([kind, id]) => tallyOf(kind, id, day)));
    const inspection = await record(template.code, {
      inspectedAt: '2026-11-19T17:30:00Z',
      results: [
        { code: 'B1', points: 45.5, finding: '办事指南所列材料与窗口要求不一致' },
        { code: 'A1', points: 10 },
        { code: 'A2', points: 0, finding: '未一次性告知' },
      ],
      findings: '总体情况一般，需整改。',
      attachments: [{ name: '暗访录音.mp3', uri: 'oss://hcp/inspections/1.mp3' }],
    });
    expect(inspection).toMatchObject({
      template: { id: template.id, code: template.code, version: 1 },
      orgId: org.id,
      regionCode: '510104',
      windowId: window.id,
      method: 'mystery_shopper',
      inspectedAt: '2026-11-19T17:30:00.000Z',
      inspectedDay: day,
      score: 55.5,
      scorePoints: 5550,
      findings: '总体情况一般，需整改。',
      attachments: [{ name: '暗访录音.mp3', uri: 'oss://hcp/inspections/1.mp3' }],
      inspector: 'sup.county',
      recordedAt: '2026-11-20T02:00:00.000Z',
    });
    expect(inspection.results).toEqual([
      { code: 'A1', title: '窗口人员着装规范、佩戴工牌', points: 10, maxPoints: 10, finding: null },
      { code: 'A2', title: '一次性告知办事所需材料', points: 0, maxPoints: 30, finding: '未一次性告知' },
      { code: 'B1', title: '办事指南与实际要求一致', points: 45.5, maxPoints: 60, finding: '办事指南所列材料与窗口要求不一致' },
    ]);
    const after = await Promise.all(units.map(([kind, id]) => tallyOf(kind, id, day)));
    for (const [i, [kind]] of units.entries()) {
      expect({ kind, inspections: (after[i]?.inspections ?? 0) - (before[i]?.inspections ?? 0), points: (after[i]?.points ?? 0) - (before[i]?.points ?? 0) }).toEqual({ kind, inspections: 1, points: 5550 });
    }
    // Nothing on the UTC day, and nothing for items or staff.
    expect(await tallyOf('org', org.id, '2026-11-19')).toEqual({ inspections: 0, points: 0 });
    const stray = await db().selectFrom('score_tally').select('unit_kind').where('unit_kind', 'in', ['item', 'staff']).where('inspections', '<>', 0).execute();
    expect(stray).toEqual([]);

    // Without a window, the window's tally is untouched; a full score is 100.
    const windowBefore = await tallyOf('window', window.id, '2026-11-19');
    const plain = await record(template.code, { windowId: null, method: 'visit', results: fullResults() });
    expect(plain).toMatchObject({ windowId: null, score: 100, scorePoints: 10_000, inspectedDay: '2026-11-19' });
    expect(await tallyOf('window', window.id, '2026-11-19')).toEqual(windowBefore);

    // The record cannot be edited afterwards.
    await expect(db().updateTable('inspection').set({ score_points: 10_000 }).where('id', '=', inspection.id).execute()).rejects.toThrow();
  });

  it('refuses bad inspections with their stable code and stores nothing, not even a tally', async () => {
    const template = await newTemplate();
    const before = await footprint();
    const unknownOrg = '0190a5b0-0000-7000-8000-0000000000ff';
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['points above the item’s', { results: fullResults([10, 30, 60.01]) }, 422, 'INSPECTION_INVALID'],
      ['a negative score', { results: fullResults([-1, 30, 60]) }, 422, 'INSPECTION_INVALID'],
      ['three decimals', { results: fullResults([9.999, 30, 60]) }, 422, 'INSPECTION_INVALID'],
      ['a missing item', { results: fullResults().slice(0, 2) }, 422, 'INSPECTION_INVALID'],
      ['an item of no template', { results: [...fullResults(), { code: 'Z9', points: 0 }] }, 422, 'INSPECTION_INVALID'],
      ['a time in the future', { inspectedAt: '2026-11-20T03:00:00Z' }, 422, 'INSPECTION_INVALID'],
      ['a time that is no time', { inspectedAt: '2026-11-31 10:00:00' }, 422, 'INSPECTION_INVALID'],
      ['an unknown template', { templateCode: 'no-such-template' }, 404, 'INSPECTION_TEMPLATE_NOT_FOUND'],
      ['a version that does not exist', { templateVersion: 9 }, 404, 'INSPECTION_TEMPLATE_NOT_FOUND'],
      ['an unknown org', { orgId: unknownOrg, windowId: null }, 422, 'ORG_UNKNOWN'],
      ['a window of another org', { windowId: otherWindow.id }, 422, 'WINDOW_UNKNOWN'],
      ['an unknown method', { method: 'hearsay' }, 400, 'VALIDATION_FAILED'],
      ['an unknown field', { score: 100 }, 400, 'VALIDATION_FAILED'],
      ['points as text', { results: [{ code: 'A1', points: '10' }] }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [what, overrides, status, code] of cases) {
      const response = await as('sup.county', 'POST', '/api/v1/inspections', inspectionBody(template.code, overrides));
      expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
      expect(response.json().code, what).toBe(code);
    }
    // Within the clock skew (five minutes by default) is not the future.
    clock.advance(-60_000);
    const skewed = await as('sup.county', 'POST', '/api/v1/inspections', inspectionBody(template.code, { inspectedAt: '2026-11-20T02:00:00Z' }));
    expect(skewed.statusCode, skewed.body).toBe(201);
    // The one accepted inspection: one row, counted once each for its region, org and window.
    const after = await footprint();
    expect(after).toEqual({ ...before, inspections: before.inspections + 1, tallies: { inspections: (before.tallies?.inspections ?? 0) + 3, points: (before.tallies?.points ?? 0) + 3 * 10_000 } });
  });

  it('lets only supervisors and province admins record, and only within their region', async () => {
    const template = await newTemplate();
    const before = await footprint();
    const refused: Array<[string, number, string]> = [
      ['handler.a', 403, 'AUTH_FORBIDDEN'],
      ['admin.city', 403, 'AUTH_FORBIDDEN'],
      ['sup.mianyang', 403, 'AUTH_OUT_OF_SCOPE'],
    ];
    for (const [who, status, code] of refused) {
      const response = await as(who, 'POST', '/api/v1/inspections', inspectionBody(template.code));
      expect(response.statusCode, `${who}: ${response.body}`).toBe(status);
      expect(response.json().code).toBe(code);
    }
    expect(await footprint()).toEqual(before);
    const byProvince = await record(template.code, {}, 'admin.province');
    expect(byProvince.inspector).toBe('admin.province');
    const inMianyang = await record(template.code, { orgId: otherOrg.id, windowId: otherWindow.id }, 'sup.mianyang');
    expect(inMianyang.regionCode).toBe('510703');
  });

  it('shows inspections to supervisors of the region and the org’s own handlers only, by org, region and period', async () => {
    const template = await newTemplate();
    const mine = await record(template.code, { inspectedAt: '2026-11-02 09:00:00' });
    const theirs = await record(template.code, { orgId: otherOrg.id, windowId: null, inspectedAt: '2026-10-30 09:00:00' }, 'admin.province');
    const ids = (response: { json(): { items: Array<{ id: string }> } }) => response.json().items.map((i) => i.id);
    const list = (who: string, query = '') => as(who, 'GET', `/api/v1/inspections?templateCode=${template.code}${query}`);

    expect(ids(await list('handler.a'))).toEqual([mine.id]);
    expect(ids(await list('handler.other'))).toEqual([theirs.id]);
    expect(ids(await list('sup.county'))).toEqual([mine.id]);
    expect(ids(await list('sup.mianyang'))).toEqual([theirs.id]);
    expect(ids(await list('admin.province'))).toEqual([theirs.id, mine.id]);
    expect(ids(await list('admin.province', `&orgId=${org.id}`))).toEqual([mine.id]);
    expect(ids(await list('admin.province', '&regionCode=510700'))).toEqual([theirs.id]);
    expect(ids(await list('admin.province', '&regionCode=510100'))).toEqual([mine.id]);
    expect(ids(await list('admin.province', '&period=2026-11'))).toEqual([mine.id]);
    expect(ids(await list('admin.province', '&period=2026-10'))).toEqual([theirs.id]);
    expect(ids(await list('admin.province', '&period=2026-Q4&to=2026-10-31'))).toEqual([theirs.id]);
    expect(ids(await list('admin.province', '&from=2026-11-01&to=2026-11-30'))).toEqual([mine.id]);
    expect(ids(await list('admin.province', '&limit=1'))).toEqual([theirs.id]);
    const page = await list('admin.province', '&limit=1');
    expect(ids(await list('admin.province', `&limit=1&after=${page.json().next}`))).toEqual([mine.id]);

    expect((await list('sup.county', '&regionCode=510700')).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await list('admin.province', '&period=2026-13')).json().code).toBe('PERIOD_INVALID');
    expect((await list('admin.province', '&regionCode=999999')).json().code).toBe('REGION_UNKNOWN');
    expect((await list('admin.city')).json().code).toBe('AUTH_FORBIDDEN');

    const one = await as('handler.a', 'GET', `/api/v1/inspections/${mine.id}`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual(mine);
    for (const who of ['handler.other', 'sup.mianyang']) {
      const hidden = await as(who, 'GET', `/api/v1/inspections/${mine.id}`);
      expect(hidden.statusCode, who).toBe(404);
      expect(hidden.json().code).toBe('INSPECTION_NOT_FOUND');
    }
    expect((await as('admin.city', 'GET', `/api/v1/inspections/${mine.id}`)).json().code).toBe('AUTH_FORBIDDEN');
    expect((await as('admin.province', 'GET', '/api/v1/inspections/0190a5b0-0000-7000-8000-0000000000ee')).json().code).toBe('INSPECTION_NOT_FOUND');
    expect((await system.app.inject({ method: 'GET', url: `/api/v1/inspections/${mine.id}` })).json().code).toBe('AUTH_REQUIRED');
  });

  it('keeps old inspections on the version they were scored by when a new version arrives', async () => {
    const v1 = await newTemplate();
    const old = await record(v1.code, { results: fullResults([5, 15, 30]) });
    expect(old).toMatchObject({ template: { id: v1.id, version: 1 }, score: 50 });

    const revised = [
      { code: 'A1', title: '着装规范（修订）', points: 20 },
      { code: 'C1', title: '自助终端可用', points: 80 },
    ];
    const v2 = await as('sup.county', 'POST', '/api/v1/inspection-templates', { code: v1.code, name: '政务大厅暗访检查表 2027 版', items: revised });
    expect(v2.statusCode, v2.body).toBe(201);

    // The latest version is used by default, and the old results no longer fit it.
    const misfit = await as('sup.county', 'POST', '/api/v1/inspections', inspectionBody(v1.code, { results: fullResults() }));
    expect(misfit.json().code).toBe('INSPECTION_INVALID');
    const fresh = await record(v1.code, { results: [{ code: 'A1', points: 20 }, { code: 'C1', points: 60 }] });
    expect(fresh).toMatchObject({ template: { id: v2.json().id, version: 2, name: '政务大厅暗访检查表 2027 版' }, score: 80 });
    // An explicit older version may still be used.
    const pinned = await record(v1.code, { templateVersion: 1 });
    expect(pinned.template).toMatchObject({ id: v1.id, version: 1 });

    const reread = await as('sup.county', 'GET', `/api/v1/inspections/${old.id}`);
    expect(reread.json()).toEqual(old);
    const row = await db().selectFrom('inspection').select(['template_id', 'score_points']).where('id', '=', old.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ template_id: v1.id, score_points: 5000 });
  });
});
