// 通报 end to end: a small province rated through the real intake over two months, both months
// closed into signed snapshots, bulletins issued through HTTP naming exactly the expected units,
// the accountability steps and their refusals, and the PDF and workbook read back.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import type { Config } from '../config/config.ts';
import { generateSm2KeyPair, sm3 } from '../crypto/sm.ts';
import type { StaffCaller } from '../http/caller.ts';
import { renderPdf } from '../posters/testing.ts';
import { missingTool } from '../../test/tools.ts';
import { appendEvaluationFlag } from '../scoring/footprint.ts';
import { parsePeriod, type Period } from '../scoring/periods.ts';
import { addScheme } from '../scoring/schemes.ts';
import { closePeriod, type SnapshotSigner } from '../scoring/snapshots.ts';
import { startSystem, type System } from '../system.ts';
import { takeStep } from '../tickets/commands.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import type { BulletinDocument } from './document.ts';
import { MASKS } from './rules.ts';
import { SHEETS } from './xlsx.ts';

const PASSWORD = 'bulletin-test-password';
const ISSUE_AT = '2026-11-25T02:00:00.000Z'; // both months closable (20 days after their end)
const RATER = { name: '王五', phone: '13700001111' };
const month = (key: string) => parsePeriod(key) as Period;

describeOnEngines('bulletins (通报) and the accountability list', (database, engine) => {
  const clock = testClock(ISSUE_AT);
  let config: Config;
  let system: System;
  let signer: SnapshotSigner;
  const tokens: Record<string, string> = {};
  const orgs: Record<string, { id: string; region_code: string; name: string }> = {};
  let serial = 0;
  const db = () => database().db;

  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const issue = (who: string, body: Record<string, unknown>) => as(who, 'POST', '/api/v1/bulletins', body);
  const stored = async () => ({
    bulletins: Number((await db().selectFrom('bulletin').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    responses: Number((await db().selectFrom('bulletin_response').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  });

  /** Ratings of an org's cases completed on `day`, given that day at noon Beijing; returns the evaluation ids. */
  async function rate(orgKey: string, day: string, ratings: Array<number | { level: number; comment?: string; rater?: typeof RATER }>): Promise<string[]> {
    const org = orgs[orgKey];
    if (!org) throw new Error(orgKey);
    clock.set(`${day}T04:00:00.000Z`);
    const item = await makeItem(db(), org);
    const drafts = [];
    for (const r of ratings) {
      const { level, comment, rater } = typeof r === 'number' ? { level: r, comment: undefined, rater: undefined } : r;
      const projectNo = `${org.region_code}-${day.replaceAll('-', '')}-${String(++serial).padStart(6, '0')}`;
      await makeCompletedCase(db(), config, item, `${day} 09:00:00`, { projectNo, areaCode: org.region_code });
      drafts.push(draft(projectNo, { level, comment: comment ?? null, assessedAt: new Date(`${day}T03:00:00.000Z`), ...(rater ? { isAnonymous: false, rater } : {}) }));
    }
    const outcomes = await submitDrafts(system.intake, drafts);
    return outcomes.map((o) => {
      if (o.status !== 'stored') throw new Error(JSON.stringify(o));
      return o.evaluation.id;
    });
  }

  async function flag(evaluationId: string, kind: 'appeal_upheld' | 'fraud_confirmed' | 'fraud_cleared') {
    await db().transaction().execute((trx) => appendEvaluationFlag(trx, { evaluationId, kind, reason: 'test', actor: 'test' }, clock()));
  }

  async function account(username: string, role: 'province_admin' | 'city_admin' | 'supervisor' | 'org_handler', scope: { scopeRegionCode?: string; scopeOrgId?: string }) {
    await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
  }

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', SCORE_FEED_INTERVAL_MS: '0', SESSION_TTL_HOURS: '720' });
    system = await startSystem(config, { database: database(), clock });
    signer = { keyId: `bulletin-test-${engine}`, privateKey: generateSm2KeyPair().privateKey };
    // A scheme for this small province: three active evaluations suffice to be ranked; the bottom 2 for 2 months.
    const base = (await db().selectFrom('scoring_scheme').select('definition').where('version', '=', '2026.1').executeTakeFirstOrThrow()).definition;
    await addScheme(db(), { version: 'bulletin-test', effectiveFrom: '2026-06-01', definition: { ...base, minimumVolume: 3, bulletin: { bottomN: 2, consecutivePeriods: 2 } }, note: null }, 'test', clock());

    // Five counties of 成都 (one service centre each) and three provincial departments.
    for (const [key, regionCode, name] of [
      ['jinjiang', '510104', '锦江区政务服务中心'],
      ['qingyang', '510105', '青羊区政务服务中心'],
      ['jinniu', '510106', '金牛区政务服务中心'],
      ['wuhou', '510107', '武侯区政务服务中心'],
      ['chenghua', '510108', '成华区政务服务中心'],
      ['deptA', '510000', '省甲厅'],
      ['deptB', '510000', '省乙厅'],
      ['deptC', '510000', '省丙厅'],
    ] as const) {
      orgs[key] = await makeOrg(db(), { regionCode, name });
    }

    // September: 武侯 worst, 成华 second worst.
    await rate('jinjiang', '2026-09-10', [5, 5, 5, 5]);
    await rate('qingyang', '2026-09-10', [5, 5, 5, 4]);
    await rate('jinniu', '2026-09-10', [5, 5, 4, 4]);
    const wuhouSeptember = await rate('wuhou', '2026-09-10', [{ level: 1, comment: '九月的差评不在最近一期' }, 1, 2, 5]);
    await rate('chenghua', '2026-09-10', [1, 2, 3, 5]);
    // One of 武侯's September tickets is answered in time: it is not overdue.
    const handler: StaffCaller = { kind: 'staff', accountId: 'wuhou-handler', username: 'h', role: 'org_handler', regionPath: null, orgId: orgs.wuhou?.id ?? null };
    const ticket = await db().selectFrom('ticket').select('id').where('evaluation_id', '=', wuhouSeptember[1] ?? '').executeTakeFirstOrThrow();
    const deps = { db: db(), config, clock, calendar: chinaCalendar() };
    for (const input of [{ step: 'accept' }, { step: 'verified' }, { step: 'reply', text: '已整改并答复' }] as const) {
      await takeStep(deps, handler, { ticketId: ticket.id, input, version: null, note: null, attachments: [] });
    }

    // October: 武侯 worst again, 青羊 second; 成华 has too few ratings to be ranked.
    await rate('jinjiang', '2026-10-12', [5, 5, 5, 5]);
    await rate('qingyang', '2026-10-12', [1, 2, 3, 5]);
    await rate('jinniu', '2026-10-12', [5, 5, 4, 4]);
    const wuhouOctober = await rate('wuhou', '2026-10-12', [
      { level: 1, comment: `窗口人员态度恶劣，我是张三，电话138 1234 5678，邮箱zs@example.com` },
      { level: 1, comment: '材料要求反复变化，跑了三次', rater: RATER },
      { level: 2, comment: '叫号系统混乱，等了两个小时' },
      { level: 5, comment: '很好' },
      { level: 1, comment: '申诉成立的差评不应出现' },
      { level: 1, comment: '确认刷评的差评不应出现' },
    ]);
    await rate('chenghua', '2026-10-12', [1, 1]);
    // Out of the figures: an upheld appeal, and confirmed fraud; confirmed then cleared is back in.
    await flag(wuhouOctober[4] ?? '', 'appeal_upheld');
    await flag(wuhouOctober[5] ?? '', 'fraud_confirmed');
    await flag(wuhouOctober[0] ?? '', 'fraud_confirmed');
    await flag(wuhouOctober[0] ?? '', 'fraud_cleared');

    // Departments: 乙 worst in both months, 丙 second (named only if the bottom 2 were asked for).
    await rate('deptA', '2026-09-10', [5, 5, 5]);
    await rate('deptB', '2026-09-10', [1, 2, 5]);
    await rate('deptC', '2026-09-10', [2, 4, 5]);
    await rate('deptA', '2026-10-12', [5, 5, 5]);
    await rate('deptB', '2026-10-12', [1, 1, 2]);
    await rate('deptC', '2026-10-12', [2, 4, 5]);

    clock.set(ISSUE_AT);
    await account('province.sup', 'supervisor', { scopeRegionCode: '510000' });
    await account('province.admin', 'province_admin', { scopeRegionCode: '510000' });
    await account('chengdu.sup', 'supervisor', { scopeRegionCode: '510100' });
    await account('chengdu.admin', 'city_admin', { scopeRegionCode: '510100' });
    await account('wuhou.sup', 'supervisor', { scopeRegionCode: '510107' });
    await account('wuhou.admin', 'city_admin', { scopeRegionCode: '510107' });
    await account('jinjiang.sup', 'supervisor', { scopeRegionCode: '510104' });
    await account('wuhou.handler', 'org_handler', { scopeOrgId: orgs.wuhou?.id ?? '' });
    await account('deptb.handler', 'org_handler', { scopeOrgId: orgs.deptB?.id ?? '' });
    await account('depta.handler', 'org_handler', { scopeOrgId: orgs.deptA?.id ?? '' });
  });
  beforeEach(async () => {
    clock.set(ISSUE_AT);
    // Sessions are made at the test's own time.
    for (const username of ['province.sup', 'province.admin', 'chengdu.sup', 'chengdu.admin', 'wuhou.sup', 'wuhou.admin', 'jinjiang.sup', 'wuhou.handler', 'deptb.handler', 'depta.handler']) {
      const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
      expect(login.statusCode, login.body).toBe(200);
      tokens[username] = login.json().token;
    }
  });
  afterAll(async () => {
    await system?.close();
  });

  it('refuses until all K months are closed, storing nothing; then names exactly the counties in the bottom 2 of both months', async () => {
    const body = { periodKind: 'month', periodKey: '2026-10', unitClass: 'county' };
    const early = await issue('province.sup', body);
    expect([early.statusCode, early.json().code, early.json().details]).toEqual([409, 'BULLETIN_NEEDS_SNAPSHOTS', { missing: ['2026-10'] }]);
    await closePeriod(db(), signer, month('2026-10'), 'test', clock());
    const half = await issue('province.sup', body);
    expect([half.statusCode, half.json().code, half.json().details]).toEqual([409, 'BULLETIN_NEEDS_SNAPSHOTS', { missing: ['2026-09'], consecutivePeriods: 2 }]);
    await closePeriod(db(), signer, month('2026-09'), 'test', clock());
    const longer = await issue('province.sup', { ...body, consecutivePeriods: 3 });
    expect([longer.json().code, longer.json().details.missing]).toEqual(['BULLETIN_NEEDS_SNAPSHOTS', ['2026-08']]);
    expect(await stored()).toEqual({ bulletins: 0, responses: 0 });

    const issued = await issue('province.sup', body);
    expect(issued.statusCode, issued.body).toBe(201);
    const { bulletin, document } = issued.json() as { bulletin: Record<string, unknown>; document: BulletinDocument };
    // 武侯 is in the bottom 2 both months; 青羊 only in October, 成华 only in September (too few ratings in October).
    expect(document.named.map((u) => [u.unitKind, u.unitId, u.name])).toEqual([['region', '510107', '武侯区']]);
    expect(bulletin).toMatchObject({ periodKind: 'month', periodKey: '2026-10', unitClass: 'county', bottomN: 2, consecutivePeriods: 2, namedCount: 1, title: '四川省政务服务“好差评”情况通报（2026年10月）' });
    expect(document.rule).toEqual({ bottomN: 2, consecutivePeriods: 2, schemeVersion: 'bulletin-test', fromScheme: true });
    expect(document.periods.map((p) => [p.key, p.ranked])).toEqual([
      ['2026-10', 4],
      ['2026-09', 5],
    ]);
    const wuhou = document.named[0];
    expect(wuhou?.periods.map((p) => [p.key, p.rank, p.ranked, p.figures.activeEvaluations, p.figures.tickets])).toEqual([
      ['2026-10', 4, 4, 4, 3],
      ['2026-09', 5, 5, 4, 3],
    ]);
    // Overdue: 3 + 3 tickets of the two months, less the one answered in time; the flagged ones are out.
    expect(wuhou?.overdue.count).toBe(5);
    expect(wuhou?.overdue.tickets.every((t) => t.repliedAt === null && t.openedDay >= '2026-09-01')).toBe(true);
    // Typical 差评 of October only, scrubbed, none of the excluded ones, nothing of the rater.
    expect(wuhou?.typicalComments.map((c) => [c.level, c.day, c.comment])).toEqual([
      [1, '2026-10-12', `窗口人员态度恶劣，我是${MASKS.name}，电话${MASKS.phone}，邮箱${MASKS.email}`],
      [1, '2026-10-12', '材料要求反复变化，跑了三次'],
      [2, '2026-10-12', '叫号系统混乱，等了两个小时'],
    ]);

    const row = await db().selectFrom('bulletin').selectAll().where('id', '=', String(bulletin.id)).executeTakeFirstOrThrow();
    expect(Buffer.from(row.digest).toString('hex')).toBe(sm3(row.document).toString('hex'));
    expect(bulletin.digest).toBe(sm3(row.document).toString('hex'));
    expect(JSON.parse(row.document)).toEqual(document);
    expect(row.snapshot_ids).toEqual(document.periods.map((p) => p.snapshotId));
    for (const secret of ['张三', '13812345678', '138 1234 5678', 'zs@example.com', RATER.name, RATER.phone, '申诉成立', '确认刷评', '九月的差评']) expect(row.document).not.toContain(secret);
    expect(await stored()).toEqual({ bulletins: 1, responses: 1 });

    // Once per month and class; the stored bulletin cannot be edited.
    const again = await issue('province.admin', body);
    expect([again.statusCode, again.json().code]).toEqual([409, 'BULLETIN_EXISTS']);
    expect(await stored()).toEqual({ bulletins: 1, responses: 1 });
    await expect(sql`UPDATE bulletin SET document = '{}' WHERE id = ${row.id}`.execute(db())).rejects.toThrow(/LEDGER_APPEND_ONLY/);
  });

  it('refuses callers and requests it must: wrong role, below province level, malformed period', async () => {
    const body = { periodKind: 'month', periodKey: '2026-10', unitClass: 'prefecture' };
    expect((await issue('chengdu.sup', body)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await issue('chengdu.admin', body)).json().code).toBe('AUTH_FORBIDDEN');
    expect((await issue('wuhou.handler', body)).json().code).toBe('AUTH_FORBIDDEN');
    expect((await system.app.inject({ method: 'POST', url: '/api/v1/bulletins', payload: body })).json().code).toBe('AUTH_REQUIRED');
    expect((await issue('province.sup', { ...body, periodKey: '2026-13' })).json().code).toBe('PERIOD_INVALID');
    expect((await issue('province.sup', { ...body, periodKind: 'quarter' })).json().code).toBe('PERIOD_INVALID');
    expect((await issue('province.sup', { ...body, bottomN: 0 })).json().code).toBe('VALIDATION_FAILED');
    expect((await issue('province.sup', { ...body, extra: true })).json().code).toBe('VALIDATION_FAILED');
    expect(await stored()).toEqual({ bulletins: 1, responses: 1 });
  });

  it('issues one bulletin of two at once for provincial departments, with the rule overridden', async () => {
    const body = { periodKind: 'month', periodKey: '2026-10', unitClass: 'provincial_department', bottomN: 1 };
    const [a, b] = await Promise.all([issue('province.sup', body), issue('province.admin', body)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.statusCode === 409)?.json().code).toBe('BULLETIN_EXISTS');
    const { document } = ([a, b].find((r) => r.statusCode === 201)?.json() ?? {}) as { document: BulletinDocument };
    expect(document.rule).toEqual({ bottomN: 1, consecutivePeriods: 2, schemeVersion: 'bulletin-test', fromScheme: false });
    expect(document.named.map((u) => [u.unitKind, u.unitId, u.name])).toEqual([['org', orgs.deptB?.id, '省乙厅']]);
    expect(await stored()).toEqual({ bulletins: 2, responses: 2 });

    const list = await as('wuhou.handler', 'GET', '/api/v1/bulletins');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((i: { unitClass: string; namedCount: number }) => [i.unitClass, i.namedCount])).toEqual([
      ['provincial_department', 1],
      ['county', 1],
    ]);
    const counties = await as('wuhou.handler', 'GET', '/api/v1/bulletins?unitClass=county&periodKey=2026-10');
    expect(counties.json().items).toHaveLength(1);
    expect((await as('wuhou.handler', 'GET', `/api/v1/bulletins/${uuidv7()}`)).json().code).toBe('BULLETIN_NOT_FOUND');
  });

  async function bulletinOf(unitClass: string): Promise<string> {
    const list = await as('province.sup', 'GET', `/api/v1/bulletins?unitClass=${unitClass}`);
    return list.json().items[0].id;
  }

  it('walks a county’s response: its own office submits, the city returns, it submits again, the province accepts; every refusal coded', async () => {
    const id = await bulletinOf('county');
    const url = `/api/v1/bulletins/${id}/responses/region/510107`;
    const step = (who: string, body: Record<string, unknown>) => as(who, 'POST', url, body);
    const code = async (who: string, body: Record<string, unknown>) => (await step(who, body)).json().code;

    expect(await code('chengdu.sup', { step: 'accept' })).toBe('BULLETIN_RESPONSE_INVALID');
    expect(await code('wuhou.sup', { step: 'accept' })).toBe('AUTH_FORBIDDEN');
    expect(await code('chengdu.admin', { step: 'submit', text: '已整改' })).toBe('AUTH_FORBIDDEN');
    expect(await code('jinjiang.sup', { step: 'submit', text: '已整改' })).toBe('AUTH_OUT_OF_SCOPE');
    expect(await code('wuhou.handler', { step: 'submit', text: '已整改' })).toBe('AUTH_OUT_OF_SCOPE');
    expect(await code('wuhou.admin', { step: 'submit' })).toBe('VALIDATION_FAILED');
    expect((await as('wuhou.admin', 'POST', `/api/v1/bulletins/${id}/responses/region/510104`, { step: 'submit', text: '已整改' })).json().code).toBe('UNIT_NOT_FOUND');
    expect((await as('wuhou.admin', 'POST', `/api/v1/bulletins/${uuidv7()}/responses/region/510107`, { step: 'submit', text: '已整改' })).json().code).toBe('BULLETIN_NOT_FOUND');

    const evidence = [{ name: '整改报告.pdf', uri: 'oss://hcp/bulletins/wuhou-1.pdf' }];
    const [first, second] = await Promise.all([
      step('wuhou.admin', { step: 'submit', text: '已约谈窗口负责人，优化叫号系统', attachments: evidence }),
      step('wuhou.sup', { step: 'submit', text: '同时提交的另一份' }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    expect([first, second].find((r) => r.statusCode === 409)?.json().code).toBe('BULLETIN_RESPONSE_INVALID');
    const submitted = [first, second].find((r) => r.statusCode === 200)?.json().response;
    expect(submitted).toMatchObject({ unitKind: 'region', unitId: '510107', name: '武侯区', state: 'submitted', stateName: { zh: '已反馈待审核' }, submissions: 1 });
    expect(submitted.events.map((e: { seq: number; state: string }) => [e.seq, e.state])).toEqual([
      [1, 'pending'],
      [2, 'submitted'],
    ]);

    expect(await code('wuhou.admin', { step: 'submit', text: '再交一次' })).toBe('BULLETIN_RESPONSE_INVALID');
    clock.advance(86_400_000);
    const returned = await step('chengdu.sup', { step: 'return', text: '佐证材料不全，请补充' });
    expect(returned.json().response).toMatchObject({ state: 'returned' });
    expect(await code('province.admin', { step: 'accept' })).toBe('BULLETIN_RESPONSE_INVALID');
    const again = await step('wuhou.sup', { step: 'submit', text: '已补充叫号系统改造合同', attachments: [{ name: '合同.pdf', uri: 'oss://hcp/bulletins/wuhou-2.pdf' }] });
    expect(again.json().response).toMatchObject({ state: 'submitted', submissions: 2 });
    const accepted = await step('province.admin', { step: 'accept', text: '整改到位' });
    expect(accepted.json().response).toMatchObject({ state: 'accepted', stateName: { zh: '已通过' } });
    for (const [who, body] of [
      ['wuhou.admin', { step: 'submit', text: '又一次' }],
      ['province.sup', { step: 'return', text: '再退回' }],
      ['province.sup', { step: 'accept' }],
    ] as const) {
      expect(await code(who, body)).toBe('BULLETIN_RESPONSE_INVALID');
    }

    const list = await as('wuhou.handler', 'GET', `/api/v1/bulletins/${id}/responses`);
    expect(list.statusCode, list.body).toBe(200);
    const [item] = list.json().items;
    expect(item.events.map((e: { state: string }) => e.state)).toEqual(['pending', 'submitted', 'returned', 'submitted', 'accepted']);
    // Whichever of the two simultaneous submissions won is the one stored.
    expect(item.events[1].attachments).toEqual(first.statusCode === 200 ? evidence : []);
    expect(item.events[2].text).toBe('佐证材料不全，请补充');
    await expect(sql`DELETE FROM bulletin_response WHERE bulletin_id = ${id}`.execute(db())).rejects.toThrow(/LEDGER_APPEND_ONLY/);
  });

  it('lets a department’s own handlers answer and the province review it', async () => {
    const id = await bulletinOf('provincial_department');
    const url = `/api/v1/bulletins/${id}/responses/org/${orgs.deptB?.id}`;
    expect((await as('depta.handler', 'POST', url, { step: 'submit', text: '不是我们' })).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await as('chengdu.sup', 'POST', url, { step: 'submit', text: '不是我们' })).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await as('deptb.handler', 'POST', url, { step: 'submit', text: '已整改办事指南' })).json().response.state).toBe('submitted');
    expect((await as('deptb.handler', 'POST', url, { step: 'accept' })).json().code).toBe('AUTH_FORBIDDEN');
    expect((await as('province.sup', 'POST', url, { step: 'accept' })).json().response.state).toBe('accepted');
  });

  it('serves the bulletin as a PDF that reads back with the units, figures, tickets and digest', async () => {
    const id = await bulletinOf('county');
    const detail = (await as('wuhou.admin', 'GET', `/api/v1/bulletins/${id}`)).json() as { bulletin: { digest: string }; document: BulletinDocument };
    const response = await as('wuhou.admin', 'GET', `/api/v1/bulletins/${id}/pdf`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="bulletin-2026-10-county.pdf"; filename*=UTF-8''${encodeURIComponent('四川省政务服务“好差评”情况通报（2026年10月）-县（市、区）.pdf')}`,
    );
    if (missingTool('poppler')) return;
    const text = (await renderPdf(response.rawPayload, 20)).map((p) => p.text).join('\n');
    const flat = text.replace(/\s+/g, '');
    expect(text).toContain('四川省政务服务“好差评”情况通报（2026年10月）');
    expect(text).toContain('武侯区');
    const wuhou = detail.document.named[0];
    for (const p of wuhou?.periods ?? []) expect(text).toContain((p.figures.compositeScore ?? 0).toFixed(2));
    expect(flat).toContain('超期工单5件');
    for (const t of wuhou?.overdue.tickets ?? []) expect(text).toContain(t.receiptNo);
    expect(text).toContain('材料要求反复变化，跑了三次');
    expect(flat).toContain(detail.bulletin.digest);
    expect(text).not.toContain('13812345678');
  });

  it('serves the workbook: the figures per month, the overdue tickets, the comments and the accountability list as it stands', async () => {
    const id = await bulletinOf('county');
    const response = await as('province.sup', 'GET', `/api/v1/bulletins/${id}/xlsx`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers['content-disposition']).toContain('filename="bulletin-2026-10-county.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const rows = (name: string) => {
      const out: unknown[][] = [];
      workbook.getWorksheet(name)?.eachRow((row, n) => n > 1 && out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    expect(rows(SHEETS.named).map((r) => [r[1], r[4], r[6], r[7]])).toEqual([
      ['武侯区', '2026年10月', 4, 4],
      ['武侯区', '2026年9月', 5, 5],
    ]);
    expect(rows(SHEETS.overdue)).toHaveLength(5);
    expect(rows(SHEETS.comments).map((r) => r[3])).toContain('叫号系统混乱，等了两个小时');
    expect(rows(SHEETS.responses)).toEqual([['武侯区', '行政区划', '已通过', '2026-11-26 10:00', 2, '已补充叫号系统改造合同', '合同.pdf', '已通过：整改到位']]);
  });
});
