import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIntegratorApp } from '../auth/integrator-apps.ts';
import type { Config } from '../config/config.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { startGatewayDouble, type GatewayDouble } from '../outbound/gateway-double.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { MAX_HELP_REPLIES_PER_DAY } from './sms-inbound.ts';
import { NO_PENDING_TEXT, REPLY_INSTRUCTIONS } from './rules.ts';

const OUTBOUND = { appId: 'hcp-province', secret: 'gateway-secret-0123456789abcdef' };
const SMS_PATH = '/api/v1/hotline/sms/inbound';
const IVR_PATH = '/api/v1/hotline/ivr';
const SHORT_LINK = /https?:\/\/[^\s，。]+\/s\/([0-9a-z]{10})/;

describeOnEngines('hotline: SMS replies and IVR key presses', (database) => {
  const clock = testClock('2026-11-19T02:00:00.000Z');
  let config: Config;
  let system: System;
  let double: GatewayDouble;
  let item: { task_code: string };
  let smsGateway: TestIntegrator;
  let ivr: TestIntegrator;
  let serial = 0;

  const db = () => database().db;
  const runJobs = () => runDueJobs(db(), system.jobHandlers, clock());
  /** SMS the double accepted for a phone, oldest first. */
  const textsTo = (phone: string) => double.messages.filter((m) => m.channel === 'sms' && m.to === phone).map((m) => m.body);
  const sms = (body: { messageId: string; from: string; text: string; receivedAt?: string }, as = smsGateway) =>
    signedInject(system.app, as, clock(), 'POST', SMS_PATH, { receivedAt: clock().toISOString(), ...body });

  /**
   * A case whose applicant left `phone`, completed three days before the clock is set to (each a
   * minute later than the one before, so that invitations are ordered), and its invitation
   * delivered to the double.
   */
  async function invited(phone: string) {
    const minute = String(++serial).padStart(2, '0');
    const projectNo = await makeCompletedCase(db(), config, item, `2026-11-16 10:${minute}:00`, { userName: '李四', mobile: phone });
    clock.set(`2026-11-19T02:${minute}:00Z`);
    const before = textsTo(phone).length;
    await runJobs();
    const texts = textsTo(phone);
    expect(texts).toHaveLength(before + 1);
    return { projectNo, text: texts.at(-1) ?? '' };
  }
  const evaluationsOf = (projectNo: string) => db().selectFrom('evaluation').selectAll().where('project_no', '=', projectNo).execute();

  beforeAll(async () => {
    double = await startGatewayDouble(OUTBOUND);
    config = testConfig({
      JOBS_ENABLED: 'false',
      HOTLINE_APP_IDS: 'sms-gateway,ivr-hotline',
      OUTBOUND_GATEWAY: 'http',
      OUTBOUND_GATEWAY_URL: double.url,
      OUTBOUND_GATEWAY_APP_ID: OUTBOUND.appId,
      OUTBOUND_GATEWAY_SECRET: OUTBOUND.secret,
      PUBLIC_BASE_URL: 'https://hcp.sc.gov.cn',
    });
    system = await startSystem(config, { database: database(), clock });
    const org = await makeOrg(db(), { name: '锦江区政务服务中心' });
    item = await makeItem(db(), org);
    const register = async (appId: string, name: string) => {
      const { secret } = await createIntegratorApp(db(), config, { appId, name, regionCode: '510000', channelProfile: 'national' }, new Date('2026-01-01T00:00:00Z'));
      return { appId, secret };
    };
    smsGateway = await register('sms-gateway', '省短信网关');
    ivr = await register('ivr-hotline', '12345 热线语音系统');
  });
  afterAll(async () => {
    await system.close();
    await double.close();
  });

  it('an SMS reply round trip: invitation → reply "２" → evaluation (sms, level 2), ticket, thanks; the same message twice stores once', async () => {
    const phone = '13812340001';
    const { projectNo, text } = await invited(phone);
    // What the applicant reads: the instructions and the short link, which opens the rating page.
    expect(text).toContain(REPLY_INSTRUCTIONS);
    const code = SHORT_LINK.exec(text)?.[1] ?? '';
    expect((await system.app.inject({ method: 'GET', url: `/s/${code}` })).statusCode).toBe(302);

    clock.set('2026-11-19T02:30:00Z');
    const reply = await sms({ messageId: 'mo-20261119-0001', from: phone, text: '２', receivedAt: '2026-11-19 10:29:30' });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({ outcome: 'rated', repeated: false, replied: true, receiptNo: expect.any(String) });
    const { receiptNo } = reply.json();

    const [evaluation, ...more] = await evaluationsOf(projectNo);
    expect(more).toEqual([]);
    expect(evaluation).toMatchObject({
      receipt_no: receiptNo,
      level: 2,
      channel: 'sms',
      source_app: 'hcp-hotline',
      assess_number: 1,
      indicator_codes: ['509'],
      is_anonymous: false,
      assessed_at: new Date('2026-11-19T02:29:30Z'),
      rater_masked: { phone: '138****0001' },
    });
    expect(await db().selectFrom('ticket').select(['level', 'channel']).where('evaluation_id', '=', evaluation?.id ?? '').executeTakeFirst()).toEqual({ level: 2, channel: 'sms' });

    await runJobs();
    const thanks = textsTo(phone).at(-1) ?? '';
    expect(thanks).toContain(receiptNo);
    expect(thanks).toContain('不满意');
    // A 差评 by SMS is invited to add details through the same link (a follow-up).
    expect(thanks).toContain(`/s/${code}`);

    // The gateway delivers the same message again: nothing is stored or sent twice.
    const sent = double.messages.length;
    const again = await sms({ messageId: 'mo-20261119-0001', from: phone, text: '２', receivedAt: '2026-11-19 10:29:30' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ outcome: 'rated', repeated: true, replied: true, receiptNo });
    await runJobs();
    expect(await evaluationsOf(projectNo)).toHaveLength(1);
    expect(double.messages).toHaveLength(sent);
  });

  it('answers anything else with the instructions, then takes a word; rated stages and strangers get no rating', async () => {
    const phone = '13812340002';
    const { projectNo } = await invited(phone);
    const garbage = await sms({ messageId: 'mo-0002-a', from: phone, text: '好的，谢谢' });
    expect(garbage.json()).toEqual({ outcome: 'invalid', repeated: false, replied: true, receiptNo: null });
    await runJobs();
    const help = textsTo(phone).at(-1) ?? '';
    expect(help).toContain('未能识别');
    expect(help).toMatch(SHORT_LINK);
    expect(await evaluationsOf(projectNo)).toEqual([]);

    const word = await sms({ messageId: 'mo-0002-b', from: `+86 ${phone}`, text: ' 非常满意！' });
    expect(word.json()).toMatchObject({ outcome: 'rated', replied: true });
    expect(await evaluationsOf(projectNo)).toMatchObject([{ level: 5, channel: 'sms', indicator_codes: [] }]);
    await runJobs();
    expect(textsTo(phone).at(-1)).toContain('感谢您的评价（非常满意）');

    // Nothing left to rate: a polite answer, no evaluation.
    const late = await sms({ messageId: 'mo-0002-c', from: phone, text: '3' });
    expect(late.json()).toMatchObject({ outcome: 'no_pending', replied: true, receiptNo: null });
    await runJobs();
    expect(textsTo(phone).at(-1)).toBe(NO_PENDING_TEXT);
    expect(await evaluationsOf(projectNo)).toHaveLength(1);

    // A number the platform never texted is not texted back.
    const stranger = await sms({ messageId: 'mo-0002-d', from: '13999990000', text: '5' });
    expect(stranger.json()).toMatchObject({ outcome: 'unknown_sender', replied: false });
    await runJobs();
    expect(textsTo('13999990000')).toEqual([]);
  });

  it('answers unreadable replies a few times a day only, and rates the latest invitation', async () => {
    const phone = '13812340003';
    await invited(phone);
    const { projectNo: latest } = await invited(phone);
    const before = textsTo(phone).length;
    for (let i = 0; i < MAX_HELP_REPLIES_PER_DAY + 2; i++) {
      const response = await sms({ messageId: `mo-0003-${i}`, from: phone, text: `收到${i}` });
      expect(response.json().replied, `reply ${i}`).toBe(i < MAX_HELP_REPLIES_PER_DAY);
    }
    await runJobs();
    expect(textsTo(phone)).toHaveLength(before + MAX_HELP_REPLIES_PER_DAY);
    const rated = await sms({ messageId: 'mo-0003-rate', from: phone, text: '4' });
    expect(rated.json().outcome).toBe('rated');
    expect(await evaluationsOf(latest)).toMatchObject([{ level: 4 }]);

    // A crash after the evaluation was stored but before the message was recorded (with its
    // thanks): the gateway's retry finds the same evaluation and records the message then.
    await db().deleteFrom('hotline_sms').where('source_app', '=', smsGateway.appId).where('message_id', '=', 'mo-0003-rate').execute();
    const retried = await sms({ messageId: 'mo-0003-rate', from: phone, text: '4' });
    expect(retried.json()).toEqual({ outcome: 'rated', repeated: false, replied: true, receiptNo: rated.json().receiptNo });
    expect(await evaluationsOf(latest)).toHaveLength(1);
  });

  it('takes T / 退订 as an opt-out: no answer, and no further invitations', async () => {
    const phone = '13812340004';
    await invited(phone);
    const out = await sms({ messageId: 'mo-0004', from: phone, text: '退订' });
    expect(out.json()).toEqual({ outcome: 'unsubscribed', repeated: false, replied: false, receiptNo: null });
    clock.set('2026-11-17T02:00:00Z');
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-17 10:00:00', { mobile: phone });
    clock.set('2026-11-20T02:00:00Z');
    const before = textsTo(phone).length;
    await runJobs();
    expect(textsTo(phone)).toHaveLength(before);
    const stage = await db().selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
    expect(await db().selectFrom('rating_invitation').select('case_stage_id').where('case_stage_id', '=', stage.id).execute()).toEqual([]);
  });

  it('takes webhooks only from the apps named in HOTLINE_APP_IDS, signed', async () => {
    const other: TestIntegrator = await makeIntegrator(db(), config);
    const refused = await sms({ messageId: 'mo-0005', from: '13812340005', text: '5' }, other);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('HOTLINE_APP_NOT_ALLOWED');
    const unsigned = await system.app.inject({ method: 'POST', url: SMS_PATH, payload: { messageId: 'mo-0006', from: '13812340005', text: '5', receivedAt: clock().toISOString() } });
    expect(unsigned.statusCode).toBe(401);
    const forged = await sms({ messageId: 'mo-0007', from: '13812340005', text: '5' }, { appId: smsGateway.appId, secret: 'f'.repeat(64) });
    expect(forged.json().code).toBe('AUTH_SIGNATURE_INVALID');
    expect((await signedInject(system.app, other, clock(), 'POST', IVR_PATH, { callId: 'c-1', projectNo: 'x', digit: '5', pressedAt: clock().toISOString() })).json().code).toBe('HOTLINE_APP_NOT_ALLOWED');
  });

  it('IVR: the key pressed after a hotline call is an evaluation of channel hotline, once per call', async () => {
    clock.set('2026-11-19T02:00:00Z');
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 09:30:00', { projectNo: `12345-20261119-${String(++serial).padStart(6, '0')}` });
    const press = { callId: 'call-20261119-0001', projectNo, digit: '1', pressedAt: '2026-11-19 09:58:00', caller: '13912345678' };
    const first = await signedInject(system.app, ivr, clock(), 'POST', IVR_PATH, press);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'stored', level: 1 });
    const [evaluation] = await evaluationsOf(projectNo);
    expect(evaluation).toMatchObject({ channel: 'hotline', level: 1, indicator_codes: ['509'], source_app: 'hcp-hotline', is_anonymous: false, rater_masked: { phone: '139****5678' } });
    expect(await db().selectFrom('ticket').select('channel').where('evaluation_id', '=', evaluation?.id ?? '').executeTakeFirst()).toEqual({ channel: 'hotline' });

    const again = await signedInject(system.app, ivr, clock(), 'POST', IVR_PATH, press);
    expect(again.json()).toEqual({ status: 'duplicate', receiptNo: first.json().receiptNo, level: 1 });
    expect(await evaluationsOf(projectNo)).toHaveLength(1);
    const changed = await signedInject(system.app, ivr, clock(), 'POST', IVR_PATH, { ...press, digit: '4' });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().code).toBe('IDEMPOTENCY_KEY_REUSED');

    const anonymous = await makeCompletedCase(db(), config, item, '2026-11-19 09:30:00');
    const quiet = await signedInject(system.app, ivr, clock(), 'POST', IVR_PATH, { callId: 'call-2', projectNo: anonymous, digit: '5', pressedAt: '2026-11-19 09:59:00' });
    expect(quiet.json()).toMatchObject({ status: 'stored', level: 5 });
    expect(await evaluationsOf(anonymous)).toMatchObject([{ channel: 'hotline', is_anonymous: true, rater_masked: null }]);
  });

  it('IVR: refuses other keys, unknown work orders and closed windows with their codes', async () => {
    clock.set('2026-11-19T02:00:00Z');
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 09:30:00');
    const post = (body: Record<string, unknown>) => signedInject(system.app, ivr, clock(), 'POST', IVR_PATH, { callId: `call-x-${++serial}`, projectNo, pressedAt: '2026-11-19 09:58:00', ...body });
    const key = await post({ digit: '9' });
    expect(key.statusCode).toBe(422);
    expect(key.json().code).toBe('HOTLINE_DIGIT_INVALID');
    expect((await post({ digit: '#' })).json().code).toBe('HOTLINE_DIGIT_INVALID');
    const unknown = await post({ digit: '5', projectNo: 'no-such-order' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CASE_NOT_FOUND');
    const old = await makeCompletedCase(db(), config, item, '2026-09-01 09:30:00');
    const closed = await post({ digit: '5', projectNo: old });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().code).toBe('EVALUATION_WINDOW_CLOSED');
    expect(await evaluationsOf(projectNo)).toEqual([]);
  });
});
