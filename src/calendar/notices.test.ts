import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminChangesOf, cliActor } from '../auth/admin-audit.ts';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { startSystem, type System } from '../system.ts';
import { replayRow, ticketFromRow } from '../tickets/store.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { CALENDAR_ENDING, scheduleCalendarWatch } from './calendar-watch.ts';
import { liveCalendar } from './live-calendar.ts';
import { parseNoticeText, type NoticeInput } from './notice-file.ts';
import { CALENDAR_WATCH, enterNotice, loadCalendar, refreshCalendar } from './notices.ts';
import { chinaCalendar } from './china-calendar.ts';

const PASSWORD = 'calendar-test-password';

/**
 * A made-up 2027 notice for the test (the real one is not available here): 春节 5–12 February
 * with Sunday the 14th worked, and the statutory days of the other holidays.
 */
function testNotice(): NoticeInput {
  const parsed = parseNoticeText(`
year: 2027
title: 测试用通知（非真实）
published: 2026-11-12
holiday: 元旦 2027-01-01..2027-01-03
holiday: 春节 2027-02-05..2027-02-12
holiday: 清明节 2027-04-05
holiday: 劳动节 2027-05-01..2027-05-05
holiday: 端午节 2027-06-09
holiday: 中秋节 2027-09-15
holiday: 国庆节 2027-10-01..2027-10-07
workday: 2027-02-14
`);
  if ('code' in parsed) throw new Error(JSON.stringify(parsed));
  return parsed;
}

describeOnEngines('holiday notices and provisional deadlines', (database) => {
  // Saturday 31 October 2026, 10:00 Beijing: the last day before the warning period (from 1 November).
  const clock = testClock('2026-10-31T02:00:00.000Z');
  let config: Config;
  let system: System;
  let integrator: TestIntegrator;
  let org: { id: string; region_code: string };
  let item: { task_code: string };
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const db = () => database().db;
  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload === undefined ? {} : { payload }) });
  const runJobs = () => runDueJobs(db(), system.jobHandlers, clock());
  const notificationsOf = (who: string, kind: string) => db().selectFrom('notification').selectAll().where('account_id', '=', ids[who] ?? '').where('kind', '=', kind).execute();

  async function account(username: string, role: 'org_handler' | 'supervisor' | 'province_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    const created = await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    ids[username] = created.id;
    await login(username);
  }

  /** Sessions last at most 30 days; the tests jump months. */
  async function login(username: string) {
    const response = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    tokens[username] = response.json().token;
  }
  const loginAll = () => Promise.all(['handler', 'supervisor', 'admin'].map(login));

  async function badRating() {
    const projectNo = await makeCompletedCase(db(), config, item, '2027-02-03 10:00:00');
    const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', {
      projectNo,
      level: 1,
      indicators: ['507'],
      channel: 'mobile',
      assessedAt: new Date(clock().getTime() - 60_000).toISOString(),
    });
    expect(response.statusCode, response.body).toBe(201);
    return db().selectFrom('ticket').selectAll().where('evaluation_id', '=', response.json().evaluation.id).executeTakeFirstOrThrow();
  }

  const ticketRow = (id: string) => db().selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  async function expectReplayMatches(id: string) {
    const row = await ticketRow(id);
    const events = await db().selectFrom('ticket_event').selectAll().where('ticket_id', '=', id).orderBy('seq').execute();
    expect(replayRow(row, events)).toEqual(ticketFromRow(row));
  }
  const step = async (who: string, id: string, body: Record<string, unknown>) => {
    const response = await as(who, 'POST', `/api/v1/tickets/${id}/steps`, body);
    expect(response.statusCode, response.body).toBe(200);
  };

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false' });
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(db(), { regionCode: '510104' });
    item = await makeItem(db(), org);
    integrator = await makeIntegrator(db(), config);
    await account('handler', 'org_handler', { scopeOrgId: org.id });
    await account('supervisor', 'supervisor', { scopeRegionCode: '510104' });
    await account('admin', 'province_admin', { scopeRegionCode: '510000' });
  });
  afterAll(async () => {
    await system.close();
  });

  it('warns the province admins once, from 60 days before the calendar ends, by the scheduled check', async () => {
    expect((await loadCalendar(db())).lastYear).toBe(2026);
    await scheduleCalendarWatch(db(), clock());
    await runJobs();
    expect(await notificationsOf('admin', CALENDAR_ENDING)).toHaveLength(0);
    // The next check is booked for the first moment of the warning period, 1 November 00:00 Beijing
    // (sooner than the daily check).
    const booked = await db().selectFrom('scheduled_job').select('due_at').where('kind', '=', CALENDAR_WATCH).where('done_at', 'is', null).executeTakeFirstOrThrow();
    expect(booked.due_at).toEqual(new Date('2026-10-31T16:00:00.000Z'));
    clock.set('2026-10-31T15:59:59.000Z');
    await loginAll();
    await runJobs();
    expect(await notificationsOf('admin', CALENDAR_ENDING)).toHaveLength(0);
    const status = await as('admin', 'GET', '/api/v1/calendar/status');
    expect(status.json()).toMatchObject({ lastYear: 2026, endsOn: '2026-12-31', warnFrom: '2026-11-01', warningDue: false, daysLeft: 61 });

    clock.set('2026-10-31T16:00:00.000Z');
    await loginAll();
    await runJobs();
    const warned = await notificationsOf('admin', CALENDAR_ENDING);
    expect(warned).toHaveLength(1);
    expect(warned[0]?.params).toMatchObject({ lastYear: 2026, endsOn: '2026-12-31', nextYear: 2027 });
    expect(await notificationsOf('handler', CALENDAR_ENDING)).toHaveLength(0);
    expect((await as('handler', 'GET', '/api/v1/calendar/status')).json()).toMatchObject({ warningDue: true, daysLeft: 60 });
    // Once: the daily checks after it say nothing more.
    clock.advance(86_400_000);
    await runJobs();
    clock.advance(86_400_000);
    await runJobs();
    expect(await notificationsOf('admin', CALENDAR_ENDING)).toHaveLength(1);
  });

  it('stores the provisional mark on tickets whose deadline reaches a year with no notice, and shows it', async () => {
    // Thursday 4 February 2027, 10:00 Beijing. The computed 春节 2027 (除夕 5 February to 初三 the
    // 8th) is skipped: verification is due Tuesday 9 February, provisionally.
    clock.set('2027-02-04T02:00:00.000Z');
    await loginAll();
    const opened = await badRating();
    ids.openTicket = opened.id;
    expect(opened.provisional_deadlines).toEqual(['verify']);
    expect(opened.verify_due_at).toEqual(new Date('2027-02-09T15:59:59.999Z'));
    const view = (await as('handler', 'GET', `/api/v1/tickets/${opened.id}`)).json();
    expect(view.ticket ?? view).toMatchObject({ provisional: true, deadlines: { verify: { provisional: true }, reply: { provisional: false } } });

    // An appeal filed the same day: five working days on the estimate, to Monday 15 February.
    const appealed = await badRating();
    ids.appealTicket = appealed.id;
    await step('handler', appealed.id, { step: 'accept' });
    await step('handler', appealed.id, { step: 'judge_invalid', kind: 'mistaken', reason: '系统误操作' });
    const appealing = await ticketRow(appealed.id);
    expect(appealing.provisional_deadlines).toEqual(['appeal', 'verify']);
    expect(appealing.appeal_due_at).toEqual(new Date('2027-02-15T15:59:59.999Z'));

    // Verified in time on the estimate: that deadline stays as the unit was told it.
    const verified = await badRating();
    ids.verifiedTicket = verified.id;
    await step('handler', verified.id, { step: 'accept' });
    await step('handler', verified.id, { step: 'verified' });

    const status = (await as('admin', 'GET', '/api/v1/calendar/status')).json();
    expect(status.provisionalTickets).toBe(3);
    expect((await as('handler', 'GET', '/api/v1/calendar/status')).json().provisionalTickets).toBe(3);
  });

  it('refuses a notice that does not check out, storing nothing', async () => {
    const notice = testNotice();
    const refusal = async (input: NoticeInput) => {
      const error = await enterNotice({ db: db(), config }, input, cliActor('tester'), clock()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      return (error as AppError).code;
    };
    expect(await refusal({ ...notice, year: 2028 })).toBe('CALENDAR_NOTICE_YEAR_INVALID');
    // 除夕 (5 February) left as a working day: a typo the statutory check catches.
    expect(await refusal({ ...notice, holidays: notice.holidays.map((h) => (h.name === '春节' ? { ...h, from: '2027-02-06' } : h)) })).toBe('CALENDAR_NOTICE_MISSES_STATUTORY');
    expect(await refusal({ ...notice, workdays: ['2027-02-15'] })).toBe('CALENDAR_NOTICE_INVALID'); // a Monday
    expect(await db().selectFrom('calendar_notice').selectAll().execute()).toEqual([]);
    expect((await ticketRow(ids.openTicket ?? '')).provisional_deadlines).toEqual(['verify']);
  });

  it('entering the notice recomputes the running provisional deadlines in one transaction, as events, and clears their marks', async () => {
    clock.set('2027-02-04T06:00:00.000Z');
    await loginAll();
    const { recomputed, calendar } = await enterNotice({ db: db(), config }, testNotice(), cliActor('tester'), clock());
    expect(calendar.lastYear).toBe(2027);
    // Verification: 5–12 February off, Sunday the 14th worked → due 14 February.
    const open = await ticketRow(ids.openTicket ?? '');
    expect(open.verify_due_at).toEqual(new Date('2027-02-14T15:59:59.999Z'));
    expect(open.provisional_deadlines).toEqual([]);
    // The appeal: 14, 15, 16, 17, 18 February → due Thursday 18 February; its verify was done.
    const appeal = await ticketRow(ids.appealTicket ?? '');
    expect(appeal.appeal_due_at).toEqual(new Date('2027-02-18T15:59:59.999Z'));
    expect(appeal.provisional_deadlines).toEqual(['verify']);
    const verified = await ticketRow(ids.verifiedTicket ?? '');
    expect(verified.verify_due_at).toEqual(new Date('2027-02-09T15:59:59.999Z'));
    expect(verified.provisional_deadlines).toEqual(['verify']);
    expect(recomputed.moved.map((m) => [m.ticketId, m.deadline, m.to]).sort()).toEqual(
      [
        [ids.openTicket, 'verify', '2027-02-14T15:59:59.999Z'],
        [ids.appealTicket, 'appeal', '2027-02-18T15:59:59.999Z'],
      ].sort(),
    );

    // Each move is an event of the system actor; the projection is still the fold of the events.
    const events = await db().selectFrom('ticket_event').selectAll().where('ticket_id', '=', ids.openTicket ?? '').where('type', '=', 'recompute_deadline').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_role: 'system', actor_id: 'calendar', payload: { deadline: 'verify', dueAt: '2027-02-14T15:59:59.999Z', calendarYear: 2027 } });
    for (const id of [ids.openTicket, ids.appealTicket, ids.verifiedTicket]) await expectReplayMatches(id ?? '');
    // The handlers are told of the verify deadline, the supervisors of the appeal's; the watch looks again.
    expect((await notificationsOf('handler', 'deadline_recomputed')).map((n) => n.ticket_id)).toEqual([ids.openTicket]);
    expect((await notificationsOf('supervisor', 'deadline_recomputed')).map((n) => n.ticket_id)).toEqual([ids.appealTicket]);
    const audit = await adminChangesOf(db(), 'calendar_notice', '2027');
    expect(audit).toMatchObject([{ action: 'calendar_notice.enter', actor: { id: 'cli', name: 'tester' }, details: { ticketsRecomputed: 2, deadlinesMoved: 2 } }]);
    const view = (await as('handler', 'GET', `/api/v1/tickets/${ids.openTicket}`)).json();
    expect(view.ticket ?? view).toMatchObject({ provisional: false, deadlines: { verify: { provisional: false, dueAt: '2027-02-14T15:59:59.999Z' } } });

    // The year is final: entering it again is refused.
    await expect(enterNotice({ db: db(), config }, testNotice(), cliActor('tester'), clock())).rejects.toMatchObject({ code: 'CALENDAR_NOTICE_YEAR_INVALID' });
    expect((await as('admin', 'GET', '/api/v1/calendar/status')).json()).toMatchObject({
      lastYear: 2027,
      warningDue: false,
      provisionalTickets: 2,
      years: expect.arrayContaining([{ year: 2027, source: 'entered', title: '测试用通知（非真实）' }]),
    });
  });

  it('a ticket opened meanwhile on the old calendar is recomputed by the calendar check; a server reads the notice on refresh', async () => {
    // This server still holds the calendar it started with (its refresh runs every minute).
    const stale = await badRating();
    expect(stale.provisional_deadlines).toEqual(['verify']);
    expect(stale.verify_due_at).toEqual(new Date('2027-02-09T15:59:59.999Z'));
    clock.advance(3 * 60_000);
    await runJobs();
    const fixed = await ticketRow(stale.id);
    expect(fixed.verify_due_at).toEqual(new Date('2027-02-14T15:59:59.999Z'));
    expect(fixed.provisional_deadlines).toEqual([]);
    await expectReplayMatches(stale.id);

    const live = liveCalendar(chinaCalendar());
    expect(live.calendar.lastYear).toBe(2026);
    expect(await refreshCalendar(db(), live)).toBe(true);
    expect(live.calendar.lastYear).toBe(2027);
    expect(live.calendar.workdays.has('2027-02-14')).toBe(true);
    expect(await refreshCalendar(db(), live)).toBe(false);
  });
});
