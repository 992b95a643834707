import type { Transaction } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { DB } from '../db/schema.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { deliverOutbound, type OutboundJob } from './deliver.ts';
import { OUTBOUND_DELIVERY } from './outbound.ts';
import { startGatewayDouble, type GatewayDouble } from './gateway-double.ts';
import { httpGateway } from './gateway.ts';
import { queueOutbound, type OutboundDraft } from './outbound.ts';

const config = testConfig({ JOBS_ENABLED: 'false' });
const NOW = new Date('2026-11-20T02:00:00.000Z');
const CREDENTIALS = { appId: 'hcp-province', secret: 'gateway-secret-0123456789abcdef' };
const PHONE = '13812341234';

describeOnEngines('deliverOutbound through the HTTP gateway double', (database) => {
  const clock = testClock(NOW);
  let system: System;
  let double: GatewayDouble;
  let deliver: ReturnType<typeof deliverOutbound>;
  const accounts = { withEmail: '', withoutEmail: '', disabled: '' };
  const raters = { withPhone: '', anonymous: '', nameOnly: '' };

  /** The job runner's part: one transaction per run. */
  const run = (id: string) => database().db.transaction().execute((trx) => deliver(trx, { subjectId: id }, NOW));
  const retry = (id: string) =>
    database().db.selectFrom('scheduled_job').select(['due_at']).where('kind', '=', OUTBOUND_DELIVERY).where('subject_id', '=', id).where('done_at', 'is', null).executeTakeFirst();
  const queue = (message: Partial<OutboundDraft> & Pick<OutboundDraft, 'recipient'>) =>
    queueOutbound(database().db, { channel: 'email', purpose: 'test', subject: '【好差评】测试', body: '测试正文 / test body', ...message }, NOW);
  const stored = (id: string) => database().db.selectFrom('outbound_message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const requestsFor = (id: string) => double.requests.filter((r) => r.idempotencyKey === id).map((r) => r.status);
  const accessLog = (evaluationId: string) => database().db.selectFrom('pii_access_log').selectAll().where('subject_id', '=', evaluationId).execute();

  beforeAll(async () => {
    const { db } = database();
    system = await startSystem(config, { database: database(), clock });
    double = await startGatewayDouble(CREDENTIALS);
    deliver = deliverOutbound({ config, gateway: httpGateway({ url: double.url, ...CREDENTIALS }) });

    const org = await makeOrg(db);
    const settings = [
      ['withEmail', { email: 'wang.a1@jinjiang.gov.cn', active: true }],
      ['withoutEmail', { email: null, active: true }],
      ['disabled', { email: 'gone@jinjiang.gov.cn', active: false }],
    ] as const;
    for (const [key, extra] of settings) {
      const account = await createStaffAccount(db, { username: `deliver.${key.toLowerCase()}`, password: 'sichuan-2026-good', displayName: key, role: 'org_handler', scopeOrgId: org.id }, NOW);
      await db.updateTable('staff_account').set(extra).where('id', '=', account.id).execute();
      accounts[key] = account.id;
    }

    const item = await makeItem(db, { id: org.id, region_code: org.region_code });
    const ratings = {
      withPhone: { isAnonymous: false, rater: { name: '李四', phone: PHONE } },
      anonymous: {},
      nameOnly: { isAnonymous: false, rater: { name: '王五' } },
    };
    for (const [key, overrides] of Object.entries(ratings) as Array<[keyof typeof raters, object]>) {
      const projectNo = await makeCompletedCase(db, config, item, '2026-11-18 10:00:00');
      const [outcome] = await submitDrafts(system.intake, [draft(projectNo, overrides)]);
      if (outcome?.status !== 'stored') throw new Error(`evaluation not stored: ${JSON.stringify(outcome)}`);
      raters[key] = outcome.evaluation.id;
    }
  });
  afterAll(async () => {
    await double.close();
    await system.close();
  });

  it('sends a staff e-mail signed as the double expects, and marks it sent with the gateway ref', async () => {
    const id = await queue({ recipient: { kind: 'account', id: accounts.withEmail } });
    await run(id);
    const sent = double.messages.find((m) => m.id === id);
    expect(sent).toEqual({ id, channel: 'email', to: 'wang.a1@jinjiang.gov.cn', subject: '【好差评】测试', body: '测试正文 / test body', ref: expect.any(String) });
    expect(await stored(id)).toMatchObject({ status: 'sent', gateway_ref: sent?.ref, sent_at: NOW, attempts: 1, last_error: null });
  });

  it('sends once when delivered twice, one after the other or at the same time', async () => {
    const one = await queue({ recipient: { kind: 'account', id: accounts.withEmail } });
    await run(one);
    await run(one);
    expect(requestsFor(one)).toEqual([200]);
    // A slow hand-over, so that the runs overlap (on PostgreSQL; PGlite has one connection anyway).
    const http = httpGateway({ url: double.url, ...CREDENTIALS });
    const slow = deliverOutbound({
      config,
      gateway: {
        async send(message) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return http.send(message);
        },
      },
    });
    const two = await queue({ recipient: { kind: 'account', id: accounts.withEmail } });
    await Promise.all([1, 2, 3].map(() => database().db.transaction().execute((trx) => slow(trx, { subjectId: two }, NOW))));
    expect(requestsFor(two)).toEqual([200]);
  });

  it('is safe to retry after a crash between the hand-over and the commit', async () => {
    const id = await queue({ recipient: { kind: 'account', id: accounts.withEmail } });
    const crash = new Error('process died before commit');
    await expect(
      database().db.transaction().execute(async (trx: Transaction<DB>) => {
        await deliver(trx, { subjectId: id }, NOW);
        throw crash;
      }),
    ).rejects.toBe(crash);
    expect((await stored(id)).status).toBe('pending');
    await run(id);
    expect(double.messages.filter((m) => m.id === id)).toHaveLength(1);
    expect(requestsFor(id)).toEqual([200, 200]);
    expect((await stored(id)).gateway_ref).toBe(double.messages.find((m) => m.id === id)?.ref);
  });

  it('records a 503 and books the delivery again after a back-off; sends on the retry', async () => {
    const id = await queue({ recipient: { kind: 'account', id: accounts.withEmail } });
    double.failNext(1);
    await run(id);
    expect(await stored(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('503') });
    expect(await retry(id)).toEqual({ due_at: new Date(NOW.getTime() + 30_000) });
    await run(id);
    expect(await stored(id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(requestsFor(id)).toEqual([503, 200]);
  });

  it('marks the message failed on the eighth failed attempt and books no more', async () => {
    const id = await queue({ recipient: { kind: 'account', id: accounts.withEmail } });
    double.failNext(8);
    for (let i = 0; i < 8; i++) await run(id);
    expect(await stored(id)).toMatchObject({ status: 'failed', attempts: 8, sent_at: null, last_error: expect.stringMatching(/^gave up after 8 attempts: outbound gateway answered 503/) });
    expect(requestsFor(id)).toHaveLength(8);
    // A failed message stays failed: a stray re-run sends nothing.
    await run(id);
    expect(requestsFor(id)).toHaveLength(8);
  });

  it('texts a rater at the phone unsealed from the evaluation, and logs the read', async () => {
    const id = await queue({ channel: 'sms', recipient: { kind: 'rater', id: raters.withPhone }, purpose: 'ticket-reply', subject: undefined, body: '您的评价已答复' });
    expect(await accessLog(raters.withPhone)).toEqual([]);
    await run(id);
    expect(double.messages.find((m) => m.id === id)).toMatchObject({ channel: 'sms', to: PHONE, subject: null, body: '您的评价已答复' });
    expect((await stored(id)).status).toBe('sent');
    const log = await accessLog(raters.withPhone);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ actor: 'system', actor_role: 'system', purpose: 'outbound-sms:ticket-reply', subject_table: 'evaluation', at: NOW });
    expect(log[0]?.fields).toContain('phone');
  });

  it('keeps the log of a phone read by an attempt that failed', async () => {
    const id = await queue({ channel: 'sms', recipient: { kind: 'rater', id: raters.withPhone }, purpose: 'callback-link', subject: undefined, body: '请评价整改结果' });
    const before = (await accessLog(raters.withPhone)).length;
    double.failNext(1);
    await run(id);
    expect(await accessLog(raters.withPhone)).toHaveLength(before + 1);
    expect((await stored(id)).status).toBe('pending');
  });

  it('fails a message with no address at once, with the reason, without calling the gateway or unsealing anything', async () => {
    const cases: Array<[OutboundDraft['channel'], 'rater' | 'account', string, string]> = [
      ['sms', 'rater', raters.anonymous, 'the rater left no phone number'],
      ['sms', 'rater', raters.nameOnly, 'the rater left no phone number'],
      ['email', 'rater', raters.withPhone, 'raters are reached by SMS only'],
      ['email', 'account', accounts.withoutEmail, 'the staff account has no e-mail address'],
      ['email', 'account', accounts.disabled, 'the staff account is disabled'],
      ['sms', 'account', accounts.withEmail, 'staff accounts have no phone number for SMS'],
      ['email', 'account', '0190a5b0-0000-7000-8000-00000000dead', 'staff account 0190a5b0-0000-7000-8000-00000000dead does not exist'],
    ];
    const logged = (await database().db.selectFrom('pii_access_log').select('id').execute()).length;
    for (const [channel, kind, recipient, reason] of cases) {
      const id = await queue({ channel, recipient: { kind, id: recipient } });
      await run(id);
      expect(await stored(id), reason).toMatchObject({ status: 'failed', attempts: 1, last_error: reason, gateway_ref: null });
      expect(requestsFor(id), reason).toEqual([]);
    }
    expect((await database().db.selectFrom('pii_access_log').select('id').execute()).length).toBe(logged);
  });

  it('refuses to run for a message that does not exist', async () => {
    const job: OutboundJob = { subjectId: '0190a5b0-0000-7000-8000-00000000beef' };
    await expect(database().db.transaction().execute((trx) => deliver(trx, job, NOW))).rejects.toThrow('does not exist');
  });
});
