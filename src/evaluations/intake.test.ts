import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { readCounters, readCountersFromLedger } from '../aggregates/counters.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';

const NOW = '2026-11-20T02:00:00.000Z';
const DONE = '2026-11-18 10:00:00'; // Beijing time, two days before NOW

describeOnEngines('evaluation intake over HTTP', (database) => {
  const clock = testClock(NOW);
  const config = testConfig();
  let system: System;
  let integrator: TestIntegrator;
  let item: { task_code: string };
  let org: { id: string };

  const post = (url: string, body: unknown, who: TestIntegrator = integrator) => signedInject(system.app, who, clock(), 'POST', url, body);
  const newCase = (overrides = {}) => makeCompletedCase(database().db, config, item, DONE, overrides);
  const rating = (projectNo: string, overrides: Record<string, unknown> = {}) => ({
    projectNo,
    level: 5,
    channel: 'mobile',
    assessedAt: '2026-11-19 09:30:00',
    indicators: ['101'],
    ...overrides,
  });
  const countRows = async () => (await database().db.selectFrom('evaluation').select(sql<number>`count(*)::int8`.as('n')).executeTakeFirstOrThrow()).n;

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(database().db);
    item = await makeItem(database().db, { id: org.id, region_code: '510104' });
    integrator = await makeIntegrator(database().db, config);
  });
  afterAll(async () => {
    await system.close();
  });

  it('stores an evaluation and answers with a receipt and its place in the ledger', async () => {
    const projectNo = await newCase();
    const response = await post('/api/v1/evaluations', rating(projectNo, { clientId: 'c-1', comment: '窗口服务很好 👍' }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.status).toBe('stored');
    expect(body.evaluation.receiptNo).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(body.evaluation.ledger.hash).toMatch(/^[0-9a-f]{64}$/);
    const read = await signedInject(system.app, integrator, clock(), 'GET', `/api/v1/evaluations/${body.evaluation.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ projectNo, level: 5, levelName: '非常满意', comment: '窗口服务很好 👍', orgId: org.id, regionCode: '510104' });
  });

  it('answers a retry with the original result and never stores twice, also when retries race', async () => {
    const projectNo = await newCase();
    const body = rating(projectNo, { clientId: 'retry-1' });
    const first = await post('/api/v1/evaluations', body);
    const again = await post('/api/v1/evaluations', body);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('duplicate');
    expect(again.json().evaluation.id).toBe(first.json().evaluation.id);

    const racing = await newCase();
    const before = await countRows();
    const raced = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/evaluations', rating(racing, { clientId: 'race-1' }))));
    const statuses = raced.map((r) => r.json().status).sort();
    expect(statuses).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'stored']);
    expect(new Set(raced.map((r) => r.json().evaluation.id)).size).toBe(1);
    expect(await countRows()).toBe(before + 1);
  });

  it('refuses a reused client id with other content', async () => {
    const projectNo = await newCase();
    await post('/api/v1/evaluations', rating(projectNo, { clientId: 'reuse-1' }));
    const other = await post('/api/v1/evaluations', rating(projectNo, { clientId: 'reuse-1', level: 4 }));
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), messageEn: expect.any(String) });
  });

  it('enforces the rules, with a stable code and nothing stored', async () => {
    const projectNo = await newCase();
    const before = await countRows();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ level: 2, indicators: [] }, 422, 'EVALUATION_INDICATOR_REQUIRED'],
      [{ level: 1, indicators: ['101'] }, 422, 'EVALUATION_INDICATOR_INVALID'],
      [{ level: 2, indicators: ['505'], indicatorVersion: '1999.1' }, 422, 'INDICATOR_VERSION_UNKNOWN'],
      [{ level: 6 }, 400, 'VALIDATION_FAILED'],
      [{ level: '5' }, 400, 'VALIDATION_FAILED'],
      [{ unexpected: true }, 400, 'VALIDATION_FAILED'],
      [{ channel: 'fax' }, 400, 'VALIDATION_FAILED'],
      [{ anonymous: true, rater: { name: '张三' } }, 422, 'EVALUATION_ANONYMOUS_WITH_IDENTITY'],
      [{ comment: '好'.repeat(501) }, 422, 'EVALUATION_COMMENT_TOO_LONG'],
      [{ comment: 'bad\u0007byte' }, 422, 'TEXT_INVALID_CHARACTERS'],
      [{ comment: 'bad\u0000byte' }, 422, 'REQUEST_NUL_CHARACTER'],
      [{ assessedAt: '2026-11-30 09:00:00' }, 422, 'EVALUATION_TIME_INVALID'],
      [{ assessedAt: '2026-11-17 09:00:00' }, 422, 'EVALUATION_TIME_INVALID'],
      [{ assessedAt: '2026-02-30 09:00:00' }, 422, 'EVALUATION_TIME_INVALID'],
      [{ rater: { phone: '12345' } }, 422, 'PII_INVALID'],
      [{ isDefault: true }, 422, 'EVALUATION_DEFAULT_NOT_ALLOWED'],
      [{ assessNumber: 2 }, 422, 'EVALUATION_FOLLOW_UP_WITHOUT_FIRST'],
      [{ projectNo: 'NO-SUCH-CASE' }, 404, 'CASE_NOT_FOUND'],
      [{ projectNo: 'NUL\u0000BYTE' }, 422, 'REQUEST_NUL_CHARACTER'],
      [{ serviceNumber: 7 }, 404, 'CASE_STAGE_NOT_FOUND'],
    ];
    for (const [overrides, status, code] of cases) {
      const response = await post('/api/v1/evaluations', rating(projectNo, overrides));
      expect({ overrides, status: response.statusCode, code: response.json().code }).toEqual({ overrides, status, code });
    }
    expect(await countRows()).toBe(before);
    // The stage is still open for a correct rating after all those refusals.
    expect((await post('/api/v1/evaluations', rating(projectNo))).statusCode).toBe(201);
  });

  it('allows one evaluation per stage plus one follow-up', async () => {
    const projectNo = await newCase();
    expect((await post('/api/v1/evaluations', rating(projectNo, { clientId: 'one-a' }))).statusCode).toBe(201);
    const second = await post('/api/v1/evaluations', rating(projectNo, { clientId: 'one-b', level: 3, indicators: [] }));
    expect([second.statusCode, second.json().code]).toEqual([409, 'EVALUATION_ALREADY_EXISTS']);
    const followUp = await post('/api/v1/evaluations', rating(projectNo, { clientId: 'one-c', assessNumber: 2, level: 2, indicators: ['507'], comment: '补充：态度差' }));
    expect(followUp.statusCode).toBe(201);
    const secondFollowUp = await post('/api/v1/evaluations', rating(projectNo, { clientId: 'one-d', assessNumber: 2, level: 4, indicators: [] }));
    expect(secondFollowUp.json().code).toBe('EVALUATION_ALREADY_EXISTS');
  });

  it('closes the rating window 30 days after completion', async () => {
    const projectNo = await makeCompletedCase(database().db, config, item, '2026-10-01 10:00:00');
    const late = await post('/api/v1/evaluations', rating(projectNo, { assessedAt: '2026-11-19 09:00:00' }));
    expect([late.statusCode, late.json().code]).toEqual([422, 'EVALUATION_WINDOW_CLOSED']);
  });

  it('refuses a stage that is not completed, and a case outside the app’s region', async () => {
    const open = await newCase({ proStatus: 2, resultDate: undefined });
    expect((await post('/api/v1/evaluations', rating(open))).json().code).toBe('EVALUATION_STAGE_NOT_COMPLETED');
    const zigong = await makeIntegrator(database().db, config, { regionCode: '510300' });
    const projectNo = await newCase();
    const response = await post('/api/v1/evaluations', rating(projectNo), zigong);
    expect([response.statusCode, response.json().code]).toEqual([403, 'AUTH_OUT_OF_SCOPE']);
  });

  it('takes a batch in national field names, storing the good items and reporting the bad', async () => {
    const [a, b, c] = [await newCase(), await newCase(), await newCase()];
    const response = await post('/api/v1/evaluations/batch', {
      format: 'national',
      items: [
        { projectNo: a, satisfaction: '2', pf: '6', evalDetail: '505,507', writingEvaluation: '等了两个小时', assessTime: '2026-11-19 08:00:00', assessNumber: '1', userProp: '1', userName: '李四', mobile: '13812341234', taskName: 'ignored extra field' },
        { projectNo: b, satisfaction: 1, pf: 2, assessTime: '2026-11-19 08:00:00' },
        { projectNo: c, satisfaction: '5', pf: '9', assessTime: '2026-11-19 08:00:00' },
        { projectNo: c, satisfaction: '4', pf: '1', assessTime: '2026-11-19 08:00:00' },
        'not an object',
      ],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ total: 5, stored: 2, refused: 3, duplicates: 0 });
    expect(body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual([
      'stored',
      'EVALUATION_INDICATOR_REQUIRED',
      'EVALUATION_CHANNEL_INVALID',
      'stored',
      'VALIDATION_FAILED',
    ]);
    const stored = await database().db.selectFrom('evaluation').selectAll().where('project_no', '=', a).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ channel: 'hotline', level: 2, indicator_codes: ['505', '507'], is_anonymous: false, user_prop: 1 });
    expect(stored.rater_masked).toEqual({ name: '李*', phone: '138****1234' });
    // Encrypted at rest: the phone number is nowhere in the stored bytes.
    expect(Buffer.from(stored.rater_pii ?? new Uint8Array()).includes(Buffer.from('13812341234'))).toBe(false);
    // A retry of the whole batch stores nothing new.
    const retry = await post('/api/v1/evaluations/batch', { format: 'national', items: [{ projectNo: a, satisfaction: '2', pf: '6', evalDetail: '505,507', writingEvaluation: '等了两个小时', assessTime: '2026-11-19 08:00:00', assessNumber: '1', userProp: '1', userName: '李四', mobile: '13812341234' }] });
    expect(retry.json()).toMatchObject({ stored: 0, duplicates: 1 });
  });

  it('maps pf per peer: in the sms-six table pf 7 is a system default rating, flagged and counted apart', async () => {
    const peer = await makeIntegrator(database().db, config, { channelProfile: 'sms-six' });
    const [a, b] = [await newCase(), await newCase()];
    const response = await post('/api/v1/evaluations/batch', { format: 'national', items: [{ projectNo: a, satisfaction: 3, pf: 7, assessTime: '2026-11-19 08:00:00' }, { projectNo: b, satisfaction: 4, pf: 6, assessTime: '2026-11-19 08:00:00' }] }, peer);
    expect(response.json().stored).toBe(2);
    const rows = await database().db.selectFrom('evaluation').select(['project_no', 'channel', 'is_default']).where('project_no', 'in', [a, b]).orderBy('project_no').execute();
    expect(rows).toEqual([
      { project_no: a, channel: 'system', is_default: true },
      { project_no: b, channel: 'sms', is_default: false },
    ]);
  });

  it('refuses oversize batches, bodies that are not JSON or not UTF-8, and unsigned or replayed requests', async () => {
    const tooMany = await post('/api/v1/evaluations/batch', { items: Array.from({ length: 1001 }, () => ({})) });
    expect([tooMany.statusCode, tooMany.json().code]).toEqual([413, 'BATCH_TOO_LARGE']);
    const headers = { 'content-type': 'application/json' };
    const huge = await system.app.inject({ method: 'POST', url: '/api/v1/evaluations/batch', headers, payload: `{"items":["${'x'.repeat(5 * 1024 * 1024)}"]}` });
    expect([huge.statusCode, huge.json().code]).toEqual([413, 'BODY_TOO_LARGE']);
    const text = await system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers: { 'content-type': 'text/plain' }, payload: 'level=5' });
    expect([text.statusCode, text.json().code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const unsigned = await system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers, payload: '{}' });
    expect([unsigned.statusCode, unsigned.json().code]).toEqual([401, 'AUTH_REQUIRED']);
    const { signRequest } = await import('../auth/signature.ts');
    const latin1 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1
    const signed = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path: '/api/v1/evaluations', body: latin1, timestamp: clock().getTime(), nonce: 'nonce-latin1-000001' });
    const notUtf8 = await system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers: { ...headers, ...signed }, payload: latin1 });
    expect([notUtf8.statusCode, notUtf8.json().code]).toEqual([400, 'BODY_NOT_JSON']);
    // A body that cannot be parsed never reaches the signature check; a valid one replayed is refused.
    const valid = JSON.stringify(rating(await newCase()));
    const once = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path: '/api/v1/evaluations', body: valid, timestamp: clock().getTime(), nonce: 'nonce-replayed-00001' });
    expect((await system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers: { ...headers, ...once }, payload: valid })).statusCode).toBe(201);
    const replay = await system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers: { ...headers, ...once }, payload: valid });
    expect([replay.statusCode, replay.json().code]).toEqual([401, 'AUTH_NONCE_REPLAYED']);
    // A replay racing its original: exactly one of them is stored.
    const racing = JSON.stringify(rating(await newCase()));
    const signedOnce = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path: '/api/v1/evaluations', body: racing, timestamp: clock().getTime(), nonce: 'nonce-racing-0000001' });
    const raced = await Promise.all([1, 2, 3].map(() => system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers: { ...headers, ...signedOnce }, payload: racing })));
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 401, 401]);
    // A genuine retry (new nonce) racing a replay of the original (old nonce): the retry gets the
    // original result, the replay is refused, whichever comes first.
    const original = JSON.stringify(rating(await newCase(), { clientId: 'retry-vs-replay' }));
    const first = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path: '/api/v1/evaluations', body: original, timestamp: clock().getTime(), nonce: 'nonce-original-00001' });
    const retry = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path: '/api/v1/evaluations', body: original, timestamp: clock().getTime(), nonce: 'nonce-retry-0000001' });
    const send = (h: Record<string, string>) => system.app.inject({ method: 'POST', url: '/api/v1/evaluations', headers: { ...headers, ...h }, payload: original });
    expect((await send(first)).statusCode).toBe(201);
    const [replayed, retried] = await Promise.all([send(first), send(retry)]);
    expect([replayed?.statusCode, replayed?.json().code]).toEqual([401, 'AUTH_NONCE_REPLAYED']);
    expect([retried?.statusCode, retried?.json().status]).toEqual([200, 'duplicate']);
  });

  it('masks personal data, and reveals it only to an allowed role, logging the read', async () => {
    const projectNo = await newCase();
    const comment = '引号"与反斜杠\\、换行\n和表情😀 / quote, backslash, newline, emoji';
    const stored = await post('/api/v1/evaluations', rating(projectNo, { comment, rater: { name: '王小明', phone: '13900001111', certNo: '11010519491231002X' } }));
    const id = stored.json().evaluation.id;
    // Every column as hashed, read back from the stored row (the rows travel as their canonical arrays).
    expect((await verifyLedger(database().db)).ok).toBe(true);
    expect(await database().db.selectFrom('evaluation').select(['comment', 'rater_masked']).where('id', '=', id).executeTakeFirst()).toEqual({
      comment,
      rater_masked: { name: '王**', phone: '139****1111', certNo: '1101**********002X' },
    });
    await createStaffAccount(database().db, { username: 'super1', password: 'correct horse battery', displayName: '督查一', role: 'supervisor', scopeRegionCode: '510100' }, clock());
    await createStaffAccount(database().db, { username: 'handler1', password: 'correct horse battery', displayName: '经办一', role: 'org_handler', scopeOrgId: org.id }, clock());
    const tokenOf = async (username: string) => (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'correct horse battery' } })).json().token as string;
    const handler = await tokenOf('handler1');
    const masked = await system.app.inject({ method: 'GET', url: `/api/v1/evaluations/${id}`, headers: { authorization: `Bearer ${handler}` } });
    expect(masked.json().rater).toEqual({ name: '王**', phone: '139****1111', certNo: '1101**********002X' });
    const refused = await system.app.inject({ method: 'GET', url: `/api/v1/evaluations/${id}?reveal=true`, headers: { authorization: `Bearer ${handler}` } });
    expect(refused.json().code).toBe('AUTH_FORBIDDEN');
    const supervisor = await tokenOf('super1');
    const revealed = await system.app.inject({ method: 'GET', url: `/api/v1/evaluations/${id}?reveal=true&purpose=核实`, headers: { authorization: `Bearer ${supervisor}` } });
    expect(revealed.json()).toMatchObject({ raterRevealed: true, rater: { name: '王小明', phone: '13900001111', certNo: '11010519491231002X' } });
    const log = await database().db.selectFrom('pii_access_log').selectAll().where('subject_id', '=', id).execute();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ actor: 'super1', actor_role: 'supervisor', purpose: '核实', subject_table: 'evaluation' });
    // Later facts are append-only events beside the evaluation, which itself never changes.
    const flagged = await system.app.inject({ method: 'POST', url: `/api/v1/evaluations/${id}/flags`, headers: { authorization: `Bearer ${supervisor}` }, payload: { kind: 'fraud_suspected', reason: '同一IP短时间内大量好评' } });
    expect(flagged.statusCode).toBe(201);
    const byHandler = await system.app.inject({ method: 'POST', url: `/api/v1/evaluations/${id}/flags`, headers: { authorization: `Bearer ${handler}` }, payload: { kind: 'fraud_cleared', reason: '自己清除' } });
    expect(byHandler.json().code).toBe('AUTH_FORBIDDEN');
    // Risk findings are for the supervising level: the org's handler does not see them.
    const after = await system.app.inject({ method: 'GET', url: `/api/v1/evaluations/${id}`, headers: { authorization: `Bearer ${handler}` } });
    expect(after.json().flags).toEqual([]);
    const bySupervisor = await system.app.inject({ method: 'GET', url: `/api/v1/evaluations/${id}`, headers: { authorization: `Bearer ${supervisor}` } });
    expect(bySupervisor.json().flags).toMatchObject([{ kind: 'fraud_suspected', reason: '同一IP短时间内大量好评' }, { kind: 'risk_held' }]);
    await expect(sql`UPDATE evaluation_event SET reason = 'x'`.execute(database().db)).rejects.toThrow(/LEDGER_APPEND_ONLY/);
    await expect(sql`DELETE FROM pii_access_log`.execute(database().db)).rejects.toThrow(/LEDGER_APPEND_ONLY/);
  });

  it('keeps the ledger append-only in the database itself', async () => {
    await expect(sql`UPDATE evaluation SET level = 5`.execute(database().db)).rejects.toThrow(/LEDGER_APPEND_ONLY/);
    await expect(sql`DELETE FROM evaluation`.execute(database().db)).rejects.toThrow(/LEDGER_APPEND_ONLY/);
    await expect(sql`TRUNCATE evaluation CASCADE`.execute(database().db)).rejects.toThrow(/LEDGER_APPEND_ONLY/);
  });

  it('keeps chains and counters consistent under a burst of concurrent requests', async () => {
    const projects = await Promise.all(Array.from({ length: 60 }, () => newCase()));
    const responses = await Promise.all(projects.map((p, i) => post('/api/v1/evaluations', rating(p, { clientId: `burst-${i}`, level: (i % 5) + 1, indicators: i % 5 < 2 ? ['509'] : [] }))));
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    const report = await verifyLedger(database().db);
    expect(report.ok).toBe(true);
    expect(await readCounters(database().db)).toEqual(await readCountersFromLedger(database().db));
  });
});

