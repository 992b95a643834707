import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerCase } from '../cases/register-case.ts';
import { runDueJobs, scheduleJob } from '../jobs/scheduled-jobs.ts';
import { queueOutbound } from '../outbound/outbound.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { RATING_INVITE } from './invitations.ts';
import { REPLY_INSTRUCTIONS } from './rules.ts';

const PHONE = '13812341234';

describeOnEngines('SMS invitation to rate', (database) => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false', SMS_INVITE_AFTER_DAYS: '3', SMS_QUIET_HOURS: '21-8' });
  let system: System;
  let item: { task_code: string };

  const db = () => database().db;
  /** The job runner's part, at the test clock. */
  const runJobs = (at: string) => {
    clock.set(at);
    return runDueJobs(db(), system.jobHandlers, clock());
  };
  /** A case completed at `completedAt` (Beijing time), with the applicant's phone unless told otherwise. */
  async function completedCase(completedAt: string, mobile: string | null = PHONE) {
    const projectNo = await makeCompletedCase(db(), config, item, completedAt, mobile ? { userName: '张三', mobile } : {});
    const stage = await db()
      .selectFrom('case_stage as s')
      .innerJoin('service_case as c', 'c.id', 's.case_id')
      .select(['s.id', 's.case_id'])
      .where('c.project_no', '=', projectNo)
      .executeTakeFirstOrThrow();
    return { projectNo, stageId: stage.id, caseId: stage.case_id };
  }
  const inviteJob = (stageId: string) =>
    db().selectFrom('scheduled_job').select(['due_at', 'done_at']).where('kind', '=', RATING_INVITE).where('subject_id', '=', stageId).orderBy('created_at').execute();
  const invitations = (stageId: string) => db().selectFrom('rating_invitation').selectAll().where('case_stage_id', '=', stageId).execute();
  const messagesTo = (caseId: string) => db().selectFrom('outbound_message').selectAll().where('recipient_kind', '=', 'applicant').where('recipient_id', '=', caseId).execute();

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    const org = await makeOrg(db(), { name: '锦江区政务服务中心' });
    item = await makeItem(db(), org);
  });
  afterAll(async () => {
    await system.close();
  });

  it('goes N days after completion, not before, with the link and the instructions, to the applicant’s phone (read logged)', async () => {
    const { stageId, caseId } = await completedCase('2026-11-16 10:00:00');
    // Booked with the completion, in the transaction that registered it.
    expect(await inviteJob(stageId)).toEqual([{ due_at: new Date('2026-11-19T02:00:00Z'), done_at: null }]);
    await runJobs('2026-11-19T01:59:59Z');
    expect(await invitations(stageId)).toEqual([]);

    await runJobs('2026-11-19T02:00:00Z');
    const [invitation] = await invitations(stageId);
    expect(invitation).toMatchObject({ case_id: caseId, sent_at: new Date('2026-11-19T02:00:00Z'), expires_at: new Date('2026-12-16T02:00:00Z') });
    const link = await db().selectFrom('rating_link').selectAll().where('id', '=', invitation?.link_id ?? '').executeTakeFirstOrThrow();
    expect(link).toMatchObject({ case_stage_id: stageId, channel: 'sms', source_app: 'hcp-hotline' });
    const [message] = await messagesTo(caseId);
    expect(message).toMatchObject({ id: invitation?.message_id, channel: 'sms', purpose: 'rating-invitation', status: 'sent' });
    expect(message?.body).toContain(REPLY_INSTRUCTIONS);
    expect(message?.body).toContain(`/s/${link.short_code}`);
    expect(message?.body).not.toContain(PHONE);
    // The console gateway took it; the applicant's phone was unsealed for it, and that read is logged.
    const log = await db().selectFrom('pii_access_log').selectAll().where('subject_id', '=', caseId).execute();
    expect(log).toMatchObject([{ actor: 'system', purpose: 'outbound-sms:rating-invitation', subject_table: 'service_case' }]);
  });

  it('waits out the quiet hours (21:00–08:00 Beijing) and goes when they end', async () => {
    const { stageId, caseId } = await completedCase('2026-11-16 22:30:00');
    await runJobs('2026-11-19T14:30:00Z'); // 22:30 Beijing, three days on
    expect(await invitations(stageId)).toEqual([]);
    expect((await inviteJob(stageId)).at(-1)).toEqual({ due_at: new Date('2026-11-20T00:00:00Z'), done_at: null });
    await runJobs('2026-11-19T23:59:00Z');
    expect(await invitations(stageId)).toEqual([]);
    await runJobs('2026-11-20T00:00:00Z'); // 08:00 Beijing
    expect(await invitations(stageId)).toHaveLength(1);
    expect(await messagesTo(caseId)).toHaveLength(1);
  });

  it('is never sent twice for a stage, whatever books it again', async () => {
    const { projectNo, stageId, caseId } = await completedCase('2026-11-17 10:00:00');
    await runJobs('2026-11-20T02:00:00Z');
    expect(await invitations(stageId)).toHaveLength(1);
    // The case registered again (same completion): nothing new is booked.
    await makeCompletedCase(db(), config, item, '2026-11-17 10:00:00', { projectNo, userName: '张三', mobile: PHONE });
    expect(await inviteJob(stageId)).toHaveLength(1);
    // Booked by hand, run again: still one invitation and one SMS.
    await scheduleJob(db(), { kind: RATING_INVITE, subjectId: stageId, dueAt: clock() }, clock());
    await runJobs('2026-11-20T03:00:00Z');
    expect(await invitations(stageId)).toHaveLength(1);
    expect(await messagesTo(caseId)).toHaveLength(1);
  });

  it('is not sent for a stage rated meanwhile, nor for a case without a phone', async () => {
    const rated = await completedCase('2026-11-18 10:00:00');
    clock.set('2026-11-19T02:00:00Z');
    const [outcome] = await submitDrafts(system.intake, [draft(rated.projectNo, { level: 5, assessedAt: new Date('2026-11-19T01:00:00Z') })]);
    expect(outcome?.status).toBe('stored');
    await runJobs('2026-11-21T02:00:00Z');
    expect(await invitations(rated.stageId)).toEqual([]);
    expect(await inviteJob(rated.stageId)).toMatchObject([{ done_at: new Date('2026-11-21T02:00:00Z') }]);
    expect(await messagesTo(rated.caseId)).toEqual([]);

    const phoneless = await completedCase('2026-11-18 10:00:00', null);
    expect(await inviteJob(phoneless.stageId)).toEqual([]);
    await scheduleJob(db(), { kind: RATING_INVITE, subjectId: phoneless.stageId, dueAt: clock() }, clock());
    await runJobs('2026-11-21T03:00:00Z');
    expect(await invitations(phoneless.stageId)).toEqual([]);
    expect(await messagesTo(phoneless.caseId)).toEqual([]);
  });

  it('is booked when a registered stage completes later, and not for a stage that is not completed', async () => {
    const projectNo = '510104-20261118-900001';
    const scope = { regionPath: '510000/', orgId: null };
    const register = (proStatus: 1 | 3, now: string) =>
      registerCase(
        { db: db(), config, now: new Date(now), sourceApp: 'test', scope },
        { projectNo, taskCode: item.task_code, proStatus, acceptDate: '2026-11-18 09:00:00', ...(proStatus === 3 ? { resultDate: '2026-11-19 09:00:00' } : {}), mobile: PHONE },
      );
    await register(1, '2026-11-18T02:00:00Z');
    const stage = await db().selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
    expect(await inviteJob(stage.id)).toEqual([]);
    await register(3, '2026-11-19T02:00:00Z');
    expect(await inviteJob(stage.id)).toEqual([{ due_at: new Date('2026-11-22T01:00:00Z'), done_at: null }]);
  });

  it('fails the SMS of an applicant who left no phone, without calling the gateway', async () => {
    const { caseId } = await completedCase('2026-11-18 10:00:00', null);
    const id = await queueOutbound(db(), { channel: 'sms', recipient: { kind: 'applicant', id: caseId }, purpose: 'test', body: '测试' }, clock());
    await runJobs(clock().toISOString());
    expect(await db().selectFrom('outbound_message').select(['status', 'last_error']).where('id', '=', id).executeTakeFirst()).toEqual({ status: 'failed', last_error: 'the applicant left no phone number' });
  });
});
