import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { startGatewayDouble, type GatewayDouble } from '../outbound/gateway-double.ts';
import { startSystem, type System } from '../system.ts';
import { issueLinkForStage } from './links.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeStaff, makeWindow } from '../../test/factories.ts';

const NOW = '2026-11-20T06:00:00.000Z'; // 14:00 Beijing
const OUTBOUND = { appId: 'hcp-province', secret: 'gateway-secret-0123456789abcdef' };

describeOnEngines('rating at a poster: windows and staff', (database) => {
  const clock = testClock(NOW);
  let double: GatewayDouble;
  let config: ReturnType<typeof testConfig>;
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
    double = await startGatewayDouble(OUTBOUND);
    config = testConfig({
      JOBS_ENABLED: 'false',
      RATE_LIMIT_SUBMIT_PER_LINK: '100',
      RATE_LIMIT_SUBMIT_PER_IP: '1000',
      APPLICANT_WRONG_CODES_PER_SOURCE_HOUR: '4',
      APPLICANT_CODE_MAX_ATTEMPTS: '3',
      OUTBOUND_GATEWAY: 'http',
      OUTBOUND_GATEWAY_URL: double.url,
      OUTBOUND_GATEWAY_APP_ID: OUTBOUND.appId,
      OUTBOUND_GATEWAY_SECRET: OUTBOUND.secret,
    });
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
    await double.close();
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

  const api = (kind: string) => pathOf(posterOf(kind).url);
  const post = (url: string, payload: Record<string, unknown>, remoteAddress = '127.0.0.1') => system.app.inject({ method: 'POST', url, payload, remoteAddress });
  const tokenOfUrl = (url: string) => String(url).split('/rate/')[1] ?? '';
  const rateByToken = (token: string, clientId: string) =>
    system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${token}`, payload: { clientId, level: 5, indicators: [], anonymous: true } });
  const proofOf = (receiptNo: string) =>
    db()
      .selectFrom('evaluation as e')
      .innerJoin('rating_proof as p', 'p.evaluation_id', 'e.id')
      .leftJoin('rating_link as l', 'l.id', 'p.rating_link_id')
      .select(['e.project_no', 'p.proof', 'p.origin', 'l.proof as link_proof'])
      .where('e.receipt_no', '=', receiptNo)
      .executeTakeFirstOrThrow();

  it('gives a poster holder no case stage: nothing is listed, and the old stage-link route is gone', async () => {
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 13:00:00', { windowCode: window.code, staffNo: staff.staff_no });
    const stage = await db().selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
    for (const kind of ['window', 'staff']) {
      const shown = await system.app.inject({ method: 'GET', url: api(kind) });
      expect(shown.statusCode, shown.body).toBe(200);
      expect(shown.json()).toMatchObject({ kind, place: { orgName: '武侯区政务服务中心' } });
      expect(shown.body).not.toContain(stage.id);
      expect(shown.body).not.toContain('测试事项');
      expect(Object.keys(shown.json()).sort()).toEqual(['commentMaxChars', 'kind', 'levels', 'place']);
      const asked = await post(`${api(kind)}/stages/${stage.id}/link`, {});
      expect(asked.statusCode).toBe(404);
      expect(asked.body).not.toContain('/rate/');
    }
    expect(await db().selectFrom('rating_link').select('id').where('case_stage_id', '=', stage.id).execute()).toEqual([]);
    // A link a poster handed out before (proof none) no longer opens, and says what to use instead.
    const handedOut = await issueLinkForStage({ db: db(), config, clock }, stage.id, 'qr', 'hcp-rating-page', { proof: 'none' });
    const withdrawn = await system.app.inject({ method: 'GET', url: `/api/v1/public/ratings/${handedOut.token}` });
    expect(withdrawn.statusCode).toBe(410);
    expect(withdrawn.json()).toMatchObject({ code: 'LINK_WITHDRAWN', message: expect.stringMatching(/回执上的评价码/) });
    expect((await rateByToken(handedOut.token, 'handed-out-1')).json().code).toBe('LINK_WITHDRAWN');
  });

  it('opens a stage for the code on its receipt, recorded as proven by it; wrong codes are refused with their code and counted per source', async () => {
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 13:10:00', { windowCode: window.code });
    const stage = await db().selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
    const printed = await issueLinkForStage({ db: db(), config, clock }, stage.id, 'qr', 'test');
    const code = printed.shortUrl.split('/s/')[1] ?? '';
    const wrong = await post(`${api('window')}/receipt-code`, { code: 'abcdefghjk' }, '10.9.0.1');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'APPLICANT_CODE_WRONG', message: expect.stringMatching(/验证码/), messageEn: expect.any(String) });
    // Typed as people type it: upper case, in groups.
    const typed = `${code.slice(0, 5).toUpperCase()} ${code.slice(5).toUpperCase()}`;
    const opened = await post(`${api('window')}/receipt-code`, { code: typed }, '10.9.0.1');
    expect(opened.statusCode, opened.body).toBe(201);
    expect(tokenOfUrl(opened.json().url)).not.toBe(printed.token);
    const rated = await rateByToken(tokenOfUrl(opened.json().url), 'receipt-rater-1');
    expect(rated.statusCode, rated.body).toBe(201);
    expect(await proofOf(rated.json().receiptNo)).toEqual({ project_no: projectNo, proof: 'receipt_code', origin: 'link', link_proof: 'receipt_code' });
    // Wrong codes from one source reach the limit: then even a right code is refused for the hour.
    for (let i = 0; i < 3; i++) expect((await post(`${api('window')}/receipt-code`, { code: `zzzzzzzz${i}x` }, '10.9.0.1')).json().code).toBe('APPLICANT_CODE_WRONG');
    const blocked = await post(`${api('window')}/receipt-code`, { code }, '10.9.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('APPLICANT_CODE_TOO_MANY');
    expect((await post(`${api('window')}/receipt-code`, { code }, '10.9.0.2')).statusCode).toBe(201);
    clock.set('2026-11-20T07:00:01.000Z');
    expect((await post(`${api('window')}/receipt-code`, { code }, '10.9.0.1')).statusCode).toBe(201);
  });

  it('sends an SMS code to the phone on the case and opens its stages for it; the same answer for a phone on no case', async () => {
    const phone = '13900002222';
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 13:20:00', { windowCode: window.code, userName: '周五', mobile: phone });
    const sentBefore = double.messages.length;
    const asked = await post(`${api('window')}/sms-code`, { phone: `+86 ${phone}` });
    expect(asked.statusCode, asked.body).toBe(202);
    const stranger = await post(`${api('window')}/sms-code`, { phone: '13900003333' });
    expect(stranger.statusCode).toBe(202);
    expect(Object.keys(stranger.json()).sort()).toEqual(Object.keys(asked.json()).sort());
    expect((await post(`${api('window')}/sms-code`, { phone: '12345' })).json().code).toBe('APPLICANT_PHONE_INVALID');
    await runDueJobs(db(), system.jobHandlers, clock());
    const sent = double.messages.slice(sentBefore);
    expect(sent.map((m) => m.to)).toEqual([phone]);
    const code = /验证码：(\d{6})/.exec(sent[0]?.body ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const verify = (challenge: string, typed: string) => post(`${api('window')}/sms-code/${challenge}`, { code: typed }, '10.8.0.1');
    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrong = await verify(asked.json().challengeId, wrongCode);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'APPLICANT_CODE_WRONG', details: { attemptsLeft: 2 } });
    // The code opens nothing at another poster.
    expect((await post(`${api('staff')}/sms-code/${asked.json().challengeId}`, { code }, '10.8.0.1')).json().code).toBe('APPLICANT_CODE_EXPIRED');
    const opened = await verify(asked.json().challengeId, code);
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json().stages).toEqual([{ itemName: expect.any(String), completedAt: expect.any(String), url: expect.stringContaining('/rate/') }]);
    const rated = await rateByToken(tokenOfUrl(opened.json().stages[0].url), 'sms-rater-1');
    expect(rated.statusCode, rated.body).toBe(201);
    expect(await proofOf(rated.json().receiptNo)).toEqual({ project_no: projectNo, proof: 'sms_code', origin: 'link', link_proof: 'sms_code' });
    // Used once; and a stranger's code is a code nobody has, tried until it is spent.
    expect((await verify(asked.json().challengeId, code)).json().code).toBe('APPLICANT_CODE_EXPIRED');
    for (const expected of ['APPLICANT_CODE_WRONG', 'APPLICANT_CODE_WRONG']) expect((await post(`${api('window')}/sms-code/${stranger.json().challengeId}`, { code: '123456' }, `10.8.1.${expected.length}`)).json().code).toBe(expected);
    expect((await post(`${api('window')}/sms-code/${stranger.json().challengeId}`, { code: '123456' }, '10.8.2.1')).json().code).toBe('APPLICANT_CODE_WRONG');
    expect((await post(`${api('window')}/sms-code/${stranger.json().challengeId}`, { code: '123456' }, '10.8.2.1')).json().code).toBe('APPLICANT_CODE_EXPIRED');
    // Expired after its minutes.
    const later = await post(`${api('window')}/sms-code`, { phone });
    clock.set('2026-11-20T06:10:01.000Z');
    expect((await verify(later.json().challengeId, '000000')).json().code).toBe('APPLICANT_CODE_EXPIRED');
    // At most three codes an hour for one phone, on a case or not.
    expect((await post(`${api('window')}/sms-code`, { phone })).statusCode).toBe(202);
    expect((await post(`${api('window')}/sms-code`, { phone })).json().code).toBe('APPLICANT_CODE_TOO_MANY');
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
    const proofs = await db().selectFrom('rating_proof').select(['proof', 'origin', 'rating_link_id']).where('evaluation_id', 'in', rows.map((r) => r.id)).execute();
    expect(proofs).toEqual([
      { proof: 'none', origin: 'poster', rating_link_id: null },
      { proof: 'none', origin: 'poster', rating_link_id: null },
    ]);
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
