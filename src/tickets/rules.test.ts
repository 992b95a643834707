import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import { buildCalendar, coveredYears } from '../calendar/working-days.ts';
import { testConfig } from '../../test/config.ts';
import { ticketRates } from './figures.ts';
import { appealDeadline, openingDeadlines, planWatch, runningDeadlines, workingDeadline } from './rules.ts';
import { applyEvent, isRefusal, openTicket, type Ticket } from './state-machine.ts';

const settings = testConfig().tickets;
const calendar = chinaCalendar();
const at = (iso: string) => new Date(iso);

describe('opening deadlines on the official calendar', () => {
  it('verifies within one working day, skipping National Day 2025 and counting its adjusted working days', () => {
    // Tuesday 30 September 2025, 16:00 Beijing: 1–8 October are holidays.
    expect(openingDeadlines(at('2025-09-30T08:00:00Z'), calendar, settings)).toEqual({
      verifyDueAt: at('2025-10-09T15:59:59.999Z'),
      replyDueAt: at('2025-10-15T15:59:59.999Z'),
      provisional: false,
    });
    // Saturday 27 September: Sunday the 28th is an adjusted working day (调休上班).
    expect(openingDeadlines(at('2025-09-27T02:00:00Z'), calendar, settings).verifyDueAt).toEqual(at('2025-09-28T15:59:59.999Z'));
    // Friday 10 October: Saturday the 11th is an adjusted working day too.
    expect(openingDeadlines(at('2025-10-10T02:00:00Z'), calendar, settings).verifyDueAt).toEqual(at('2025-10-11T15:59:59.999Z'));
    // An ordinary Friday: the next Monday. Late on Friday night in Beijing is still Friday.
    expect(openingDeadlines(at('2026-11-20T15:30:00Z'), calendar, settings).verifyDueAt).toEqual(at('2026-11-23T15:59:59.999Z'));
  });

  it('gives appeals five working days, across the Spring Festival 2026', () => {
    // Friday 13 February 2026: Saturday the 14th is a working day (1), 15–23 February are off, then 24–27 (2–5).
    expect(appealDeadline(at('2026-02-13T02:00:00Z'), calendar, settings).dueAt).toEqual(at('2026-02-27T15:59:59.999Z'));
  });

  it('still opens a ticket when next year’s schedule is missing: statutory holidays only, marked provisional', () => {
    const only2025 = buildCalendar(calendar.schedules.filter((s) => s.year === 2025));
    // Wednesday 31 December 2025: 2026 is outside this calendar; 1 January (元旦) is a statutory holiday.
    expect(workingDeadline(at('2025-12-31T02:00:00Z'), 1, only2025)).toEqual({ dueAt: at('2026-01-02T15:59:59.999Z'), provisional: true });
    // With 2026 known: 1–3 January are off and Sunday the 4th is an adjusted working day.
    expect(workingDeadline(at('2025-12-31T02:00:00Z'), 1, calendar)).toEqual({ dueAt: at('2026-01-04T15:59:59.999Z'), provisional: false });
    // Three days of the estimate: Friday the 2nd, then Monday and Tuesday (the weekend is skipped).
    expect(workingDeadline(at('2025-12-31T02:00:00Z'), 3, only2025)).toEqual({ dueAt: at('2026-01-06T15:59:59.999Z'), provisional: true });
    // Within the known years nothing is provisional, even on the last day of the calendar.
    expect(workingDeadline(at('2025-12-29T02:00:00Z'), 1, only2025)).toEqual({ dueAt: at('2025-12-30T15:59:59.999Z'), provisional: false });
  });

  it('skips the computed Spring Festival of a year with no notice (除夕 to 初三, 2024 rules)', () => {
    // Thursday 4 February 2027; 春节 2027 is 6 February, so 除夕 is Friday the 5th and 5–8 February are
    // off; Monday the 8th is 初三. The first working day after is Tuesday 9 February.
    expect(coveredYears(calendar).last).toBeLessThan(2027);
    expect(workingDeadline(at('2027-02-04T02:00:00Z'), 1, calendar)).toEqual({ dueAt: at('2027-02-09T15:59:59.999Z'), provisional: true });
    // National Day 2027: 1–3 October are off (Friday to Sunday); Monday the 4th counts.
    expect(workingDeadline(at('2027-09-30T02:00:00Z'), 1, calendar)).toEqual({ dueAt: at('2027-10-04T15:59:59.999Z'), provisional: true });
  });
});

describe('the watch of a ticket', () => {
  const openedAt = at('2026-11-20T02:00:00Z'); // Friday 10:00 Beijing
  const ticket = openTicket({ verifyDueAt: at('2026-11-23T15:59:59.999Z'), replyDueAt: at('2026-12-05T15:59:59.999Z') });

  it('announces the ticket once and books the first warning', () => {
    const first = planWatch(ticket, openedAt, [], openedAt, settings);
    expect(first.actions).toEqual([{ kind: 'opened' }]);
    // Warnings at 72, 24 and 4 hours before the verify deadline; 72 h before is after the opening.
    expect(first.nextAt).toEqual(at('2026-11-20T15:59:59.999Z'));
    expect(planWatch(ticket, openedAt, first.done, openedAt, settings).actions).toEqual([]);
  });

  it('sends one warning when several thresholds passed at once, then the next at its time, never twice', () => {
    const done = ['opened'];
    const monday = planWatch(ticket, openedAt, done, at('2026-11-23T10:00:00Z'), settings);
    expect(monday.actions).toEqual([{ kind: 'warn', deadline: 'verify', dueAt: ticket.verify.dueAt, hoursLeft: 6 }]);
    expect(monday.nextAt).toEqual(at('2026-11-23T11:59:59.999Z'));
    const again = planWatch(ticket, openedAt, monday.done, at('2026-11-23T10:30:00Z'), settings);
    expect(again.actions).toEqual([]);
    const fourHours = planWatch(ticket, openedAt, monday.done, at('2026-11-23T12:00:00Z'), settings);
    expect(fourHours.actions).toEqual([{ kind: 'warn', deadline: 'verify', dueAt: ticket.verify.dueAt, hoursLeft: 4 }]);
  });

  it('escalates a missed deadline until the escalation is recorded, and then stops watching it', () => {
    const tuesday = at('2026-11-24T01:00:00Z');
    const plan = planWatch(ticket, openedAt, ['opened'], tuesday, settings);
    expect(plan.actions.filter((a) => a.kind === 'escalate')).toEqual([{ kind: 'escalate', deadline: 'verify' }]);
    const escalated = applyEvent(ticket, { type: 'escalate', deadline: 'verify' }, { role: 'system', id: 's' }, tuesday);
    if (isRefusal(escalated)) throw new Error(escalated.code);
    const after = planWatch(escalated, openedAt, plan.done, tuesday, settings);
    expect(after.actions.filter((a) => a.kind === 'escalate')).toEqual([]);
    // The reply deadline is still watched.
    expect(after.nextAt).toEqual(at('2026-12-02T15:59:59.999Z'));
  });

  it('reminds of the callback after a reply, once per reply; a closed ticket needs no watch', () => {
    const replied: Ticket = { ...ticket, state: 'replied', verify: { ...ticket.verify, doneAt: openedAt }, reply: { ...ticket.reply, doneAt: at('2026-11-21T02:00:00Z') }, lastReplyAt: at('2026-11-21T02:00:00Z') };
    const early = planWatch(replied, openedAt, ['opened'], at('2026-11-22T02:00:00Z'), settings);
    expect(early.actions).toEqual([]);
    expect(early.nextAt).toEqual(at('2026-11-23T02:00:00Z'));
    const due = planWatch(replied, openedAt, ['opened'], at('2026-11-23T02:00:00Z'), settings);
    expect(due.actions).toEqual([{ kind: 'remind_callback', repliedAt: at('2026-11-21T02:00:00Z') }]);
    expect(due.nextAt).toBeNull();
    expect(planWatch({ ...replied, state: 'closed' }, openedAt, ['opened'], at('2026-11-23T02:00:00Z'), settings)).toEqual({ actions: [], done: ['opened'], nextAt: null });
    // A ticket closed before its watch first ran is not announced.
    expect(planWatch({ ...replied, state: 'closed' }, openedAt, [], at('2026-11-23T02:00:00Z'), settings).actions).toEqual([]);
  });
});

describe('the watch of a ticket, edge cases', () => {
  const ticket = openTicket({ verifyDueAt: at('2026-11-23T15:59:59.999Z'), replyDueAt: at('2026-12-05T15:59:59.999Z') });

  it('gives no warning whose time had passed before the ticket opened', () => {
    // Opened 6 hours before the verify deadline: the 72- and 24-hour warnings never apply, the 4-hour one does.
    const lateOpening = at('2026-11-23T10:00:00Z');
    const plan = planWatch(ticket, lateOpening, [], lateOpening, settings);
    expect(plan.actions).toEqual([{ kind: 'opened' }]);
    expect(plan.nextAt).toEqual(at('2026-11-23T11:59:59.999Z'));
  });

  it('reminds of a callback once, and not while a reopened ticket is being rectified again', () => {
    const replied: Ticket = { ...ticket, state: 'replied', verify: { ...ticket.verify, doneAt: at('2026-11-20T03:00:00Z') }, reply: { ...ticket.reply, doneAt: at('2026-11-21T02:00:00Z') }, lastReplyAt: at('2026-11-21T02:00:00Z') };
    const due = planWatch(replied, at('2026-11-20T02:00:00Z'), ['opened'], at('2026-11-23T02:00:00Z'), settings);
    expect(due.actions).toEqual([{ kind: 'remind_callback', repliedAt: at('2026-11-21T02:00:00Z') }]);
    expect(planWatch(replied, at('2026-11-20T02:00:00Z'), due.done, at('2026-11-24T02:00:00Z'), settings).actions).toEqual([]);
    const reopened: Ticket = { ...replied, state: 'rectifying', reopenCount: 1, lastCallback: 'unsatisfied' };
    expect(planWatch(reopened, at('2026-11-20T02:00:00Z'), ['opened'], at('2026-11-24T02:00:00Z'), settings).actions).toEqual([]);
  });

  it('runs no deadline on a ticket closed by an upheld appeal, even one never answered', () => {
    const invalid: Ticket = { ...ticket, state: 'closed_invalid', verify: { ...ticket.verify, doneAt: at('2026-11-20T03:00:00Z') } };
    expect(invalid.reply.doneAt).toBeNull();
    expect(runningDeadlines(invalid)).toEqual([]);
    expect(runningDeadlines(ticket)).toEqual(['verify', 'reply']);
  });
});

describe('ticket rates', () => {
  it('divides as GB/T 39734 names them, to four decimals, and says null when nothing could be counted', () => {
    expect(ticketRates({ bad: 8, replied: 6, repliedOnTime: 5, calledBack: 3, callbackSatisfied: 2, overdue: 3, appealsFiled: 2, appealsUpheld: 1 })).toEqual({
      replyRate: 0.75,
      onTimeReplyRate: 0.625,
      callbackRate: 0.5,
      callbackSatisfactionRate: 0.6667,
    });
    expect(ticketRates({ bad: 0, replied: 0, repliedOnTime: 0, calledBack: 0, callbackSatisfied: 0, overdue: 0, appealsFiled: 1, appealsUpheld: 1 })).toEqual({
      replyRate: null,
      onTimeReplyRate: null,
      callbackRate: null,
      callbackSatisfactionRate: null,
    });
  });
});
