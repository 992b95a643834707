import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import { endOfBeijingDay } from '../calendar/working-days.ts';
import type { StaffCaller } from '../http/caller.ts';
import { smsLength } from '../outbound/sms-segments.ts';
import { testConfig } from '../../test/config.ts';
import { excerpt } from './desk-presenter.ts';
import { containsPattern } from './desk-queries.ts';
import { nextDeadline, urgencyOf, warningBefore, workingDaysLeft } from './desk-rules.ts';
import { applyEvent, isRefusal, openTicket, type Actor, type Ticket, type TicketEvent } from './state-machine.ts';
import { allowedSteps } from './step-rules.ts';

const calendar = chinaCalendar();
const rules = { settings: testConfig().tickets, calendar };
const at = (iso: string) => new Date(iso);
// Friday 20 November 2026, 10:00 Beijing.
const FRIDAY = at('2026-11-20T02:00:00Z');
const due = (day: string) => endOfBeijingDay(day);

describe('working days left and urgency on the official calendar', () => {
  it('counts the working days after today up to the due day, 0 when due today, negative once passed', () => {
    expect(workingDaysLeft(due('2026-11-20'), FRIDAY, calendar)).toBe(0);
    expect(workingDaysLeft(due('2026-11-21'), FRIDAY, calendar)).toBe(0); // Saturday
    expect(workingDaysLeft(due('2026-11-23'), FRIDAY, calendar)).toBe(1);
    expect(workingDaysLeft(due('2026-11-24'), FRIDAY, calendar)).toBe(2);
    expect(workingDaysLeft(due('2026-11-25'), FRIDAY, calendar)).toBe(3);
    expect(workingDaysLeft(due('2026-11-19'), FRIDAY, calendar)).toBe(-1);
    expect(workingDaysLeft(due('2026-11-13'), FRIDAY, calendar)).toBe(-5);
    // Passed on Friday night, seen on Saturday: no working day has gone by, still −1.
    expect(workingDaysLeft(due('2026-11-20'), at('2026-11-21T02:00:00Z'), calendar)).toBe(-1);
    // National Day 2025: seen on 30 September, 9 October is the first working day after it.
    expect(workingDaysLeft(due('2025-10-09'), at('2025-09-30T02:00:00Z'), calendar)).toBe(1);
    expect(workingDaysLeft(due('2025-10-11'), at('2025-09-30T02:00:00Z'), calendar)).toBe(3); // 9, 10 and the adjusted Saturday 11
  });

  it('is a warning with 2 working days left or fewer, overdue once passed, normal otherwise', () => {
    expect(urgencyOf(due('2026-11-24'), FRIDAY, 2)).toBe('warning');
    expect(urgencyOf(due('2026-11-25'), FRIDAY, 3)).toBe('normal');
    expect(urgencyOf(due('2026-11-20'), FRIDAY, 0)).toBe('warning');
    expect(urgencyOf(due('2026-11-19'), FRIDAY, -1)).toBe('overdue');
  });

  it('puts the warning threshold where the rule puts it, holidays included (the SQL filters use it)', () => {
    const nows = [FRIDAY, at('2026-11-21T12:00:00Z'), at('2026-11-23T15:00:00Z'), at('2025-09-29T02:00:00Z'), at('2025-09-30T15:59:59Z'), at('2026-02-13T02:00:00Z')];
    for (const now of nows) {
      const threshold = warningBefore(now, calendar);
      for (let i = -3; i < 30; i++) {
        for (const offset of [0, -3_600_000, -86_399_999]) {
          const dueAt = new Date(endOfBeijingDay(new Date(now.getTime() + i * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10)).getTime() + offset);
          const status = urgencyOf(dueAt, now, workingDaysLeft(dueAt, now, calendar));
          expect(status === 'overdue', `${now.toISOString()} ${dueAt.toISOString()}`).toBe(dueAt.getTime() < now.getTime());
          expect(status === 'warning', `${now.toISOString()} ${dueAt.toISOString()}`).toBe(dueAt.getTime() >= now.getTime() && dueAt.getTime() < threshold.getTime());
        }
      }
    }
  });
});

describe('the next deadline of a ticket', () => {
  const handler: Actor = { role: 'handler', id: 'h' };
  const supervisor: Actor = { role: 'supervisor', id: 's' };
  const fold = (events: Array<[TicketEvent, Actor]>): Ticket => {
    let ticket = openTicket({ verifyDueAt: due('2026-11-23'), replyDueAt: due('2026-12-05') });
    for (const [event, actor] of events) {
      const next = applyEvent(ticket, event, actor, FRIDAY);
      if (isRefusal(next)) throw new Error(next.code);
      ticket = next;
    }
    return ticket;
  };

  it('is the running deadline due first, null when nothing runs', () => {
    expect(nextDeadline(fold([]), FRIDAY, calendar)).toEqual({ name: 'verify', dueAt: due('2026-11-23'), workingDaysLeft: 1, hoursLeft: 86, status: 'warning' });
    const rectifying = fold([[{ type: 'accept' }, handler], [{ type: 'verified' }, handler]]);
    expect(nextDeadline(rectifying, FRIDAY, calendar)).toMatchObject({ name: 'reply', workingDaysLeft: 10, status: 'normal' });
    const appealing = fold([[{ type: 'accept' }, handler], [{ type: 'judge_invalid', kind: 'mistaken', reason: 'x', decideBy: due('2026-11-27').toISOString() }, handler]]);
    expect(nextDeadline(appealing, FRIDAY, calendar)).toMatchObject({ name: 'appeal', dueAt: due('2026-11-27'), workingDaysLeft: 5 });
    const replied = fold([[{ type: 'accept' }, handler], [{ type: 'verified' }, handler], [{ type: 'reply', text: 'x' }, handler]]);
    expect(nextDeadline(replied, FRIDAY, calendar)).toBeNull();
    const closed = fold([[{ type: 'accept' }, handler], [{ type: 'judge_invalid', kind: 'mistaken', reason: 'x', decideBy: due('2026-11-27').toISOString() }, handler], [{ type: 'decide_appeal', upheld: true }, supervisor]]);
    expect(nextDeadline(closed, FRIDAY, calendar)).toBeNull();
    // Missed and still running: overdue, with negative days and hours.
    expect(nextDeadline(fold([]), at('2026-11-25T02:00:00Z'), calendar)).toMatchObject({ name: 'verify', workingDaysLeft: -2, hoursLeft: -34, status: 'overdue' });
  });
});

describe('the steps a staff member may take', () => {
  const staff = (role: StaffCaller['role'], scope: { orgId?: string; regionPath?: string }): StaffCaller => ({ kind: 'staff', accountId: `${role}-1`, username: role, role, regionPath: scope.regionPath ?? null, orgId: scope.orgId ?? null });
  const place = { regionPath: '510000/510100/510104/', orgId: 'org-a' };
  const handler = staff('org_handler', { orgId: 'org-a' });
  const other = staff('org_handler', { orgId: 'org-b' });
  const supervisor = staff('supervisor', { regionPath: '510000/510100/' });
  const elsewhere = staff('supervisor', { regionPath: '510000/510700/' });
  const admin = staff('province_admin', { regionPath: '510000/' });
  const open = openTicket({ verifyDueAt: due('2026-11-23'), replyDueAt: due('2026-12-05') });
  const step = (ticket: Ticket, event: TicketEvent, actor: Actor) => {
    const next = applyEvent(ticket, event, actor, FRIDAY);
    if (isRefusal(next)) throw new Error(next.code);
    return next;
  };

  it('follows role, scope and state: handlers of the org act, supervisors above decide, nobody else', () => {
    expect(allowedSteps(handler, place, open, FRIDAY, rules)).toEqual(['accept']);
    expect(allowedSteps(supervisor, place, open, FRIDAY, rules)).toEqual([]);
    expect(allowedSteps(other, place, open, FRIDAY, rules)).toEqual([]);
    expect(allowedSteps(admin, place, open, FRIDAY, rules)).toEqual([]);
    const verifying = step(open, { type: 'accept' }, { role: 'handler', id: 'h' });
    expect(allowedSteps(handler, place, verifying, FRIDAY, rules)).toEqual(['verified', 'judge_invalid', 'request_extension']);
    const asked = step(verifying, { type: 'request_extension', days: 3, reason: 'x', maxDays: 15 }, { role: 'handler', id: 'h' });
    // One extension per ticket; the supervisor above decides it, one elsewhere does not.
    expect(allowedSteps(handler, place, asked, FRIDAY, rules)).toEqual(['verified', 'judge_invalid']);
    expect(allowedSteps(supervisor, place, asked, FRIDAY, rules)).toEqual(['decide_extension']);
    expect(allowedSteps(elsewhere, place, asked, FRIDAY, rules)).toEqual([]);
  });
});

describe('small texts', () => {
  it('counts Chinese SMS at 70 characters in one message, else 67 per part', () => {
    expect(smsLength('好'.repeat(70))).toEqual({ characters: 70, segments: 1 });
    expect(smsLength('好'.repeat(71))).toEqual({ characters: 71, segments: 2 });
    expect(smsLength('好'.repeat(134))).toEqual({ characters: 134, segments: 2 });
    expect(smsLength('好'.repeat(135))).toEqual({ characters: 135, segments: 3 });
    expect(smsLength('a'.repeat(160))).toEqual({ characters: 160, segments: 1 });
    expect(smsLength(`${'a'.repeat(69)}好`)).toEqual({ characters: 70, segments: 1 });
  });

  it('cuts an excerpt at 60 characters with an ellipsis, and escapes LIKE patterns', () => {
    expect(excerpt('差'.repeat(60))).toBe('差'.repeat(60));
    expect(excerpt('差'.repeat(61))).toBe(`${'差'.repeat(59)}…`);
    expect(excerpt('  排队\n\n太久  ')).toBe('排队 太久');
    expect(excerpt(null)).toBeNull();
    expect(containsPattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});
