import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import { appealDeadline, openingDeadlines } from '../tickets/rules.ts';
import { applyEvent, isRefusal, openTicket, type Ticket, type TicketEvent } from '../tickets/state-machine.ts';
import { testConfig } from '../../test/config.ts';
import { seededRandom } from './random.ts';
import { demoActorId, formatTicketStates, planTicket, prefecturePath, type PlanContext, type PlannedStep, type Story, type TicketFacts } from './tickets.ts';
import { beijingMidnight, beijingWeekday, DAY, HOUR } from './time.ts';

const NOW = new Date('2026-11-20T04:00:00.000Z').getTime();
const settings = testConfig().tickets;
const calendar = chinaCalendar();
const context: PlanContext = { now: NOW, calendar, settings };

function factsAt(evaluatedAt: number, smsReply: boolean): TicketFacts {
  const deadlines = openingDeadlines(new Date(evaluatedAt), calendar, settings);
  return { evaluatedAt, verifyDueAt: deadlines.verifyDueAt.getTime(), replyDueAt: deadlines.replyDueAt.getTime(), smsReply, theme: 'attitude' };
}

/** Many tickets over six months, planned with one generator. */
function planMany(seed: number, n: number) {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const facts = factsAt(NOW - random.between(0, 180 * DAY), random.chance(0.3));
    return { facts, plan: planTicket(random, facts, context) };
  });
}

/** The ticket the steps lead to, through the state machine as the commands would drive it. */
function walk(facts: TicketFacts, steps: PlannedStep[]): Ticket {
  let ticket = openTicket({ verifyDueAt: new Date(facts.verifyDueAt), replyDueAt: new Date(facts.replyDueAt) });
  for (const step of steps) {
    const at = new Date(step.at);
    const { input } = step;
    const event: TicketEvent =
      input.step === 'judge_invalid'
        ? { type: 'judge_invalid', kind: input.kind, reason: input.reason, decideBy: appealDeadline(at, calendar, settings).dueAt.toISOString() }
        : input.step === 'callback'
          ? { type: 'callback', outcome: input.outcome, by: step.by === 'rater' ? 'rater' : 'phone' }
          : input.step === 'reply'
            ? { type: 'reply', text: input.text }
            : input.step === 'request_extension'
              ? { type: 'request_extension', days: input.days, reason: input.reason, maxDays: settings.maxExtensionDays }
              : input.step === 'decide_cannot_fix'
                ? { type: 'decide_cannot_fix', approved: input.approved, replyFollows: true }
                : ({ type: input.step, ...input } as unknown as TicketEvent);
    const next = applyEvent(ticket, event, { role: step.by === 'rater' ? 'rater' : step.by, id: 'test' }, at);
    if (isRefusal(next)) throw new Error(`${next.code} at ${input.step}: ${JSON.stringify(next.details)}`);
    ticket = next;
  }
  return ticket;
}

const inOfficeHours = (ms: number) => {
  const hour = (ms - beijingMidnight(ms)) / HOUR;
  const weekday = beijingWeekday(ms);
  return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 17.5;
};

describe('planTicket', () => {
  const planned = planMany(2026, 4000);

  it('plans steps the state machine accepts, in time order, between the evaluation and now', () => {
    for (const { facts, plan } of planned) {
      walk(facts, plan.steps);
      let previous = facts.evaluatedAt;
      for (const step of plan.steps) {
        expect(step.at).toBeGreaterThan(previous);
        expect(step.at).toBeLessThanOrEqual(NOW);
        previous = step.at;
      }
    }
  });

  it('tells the stories in the intended shares, and closes nearly all settled tickets', () => {
    const shares = (story: Story) => planned.filter((p) => p.plan.story === story).length / planned.length;
    expect(shares('closed')).toBeCloseTo(0.84, 1);
    for (const [story, share] of [['reopened', 0.05], ['appeal', 0.04], ['closed_late', 0.03], ['extension', 0.02], ['cannot_fix', 0.02]] as const) {
      expect(shares(story), story).toBeGreaterThan(share * 0.6);
      expect(shares(story), story).toBeLessThan(share * 1.5);
    }
    const settled = planned.filter((p) => p.facts.evaluatedAt < NOW - 45 * DAY).map((p) => walk(p.facts, p.plan.steps));
    const states = new Map<string, number>();
    for (const ticket of settled) states.set(ticket.state, (states.get(ticket.state) ?? 0) + 1);
    expect([...states.keys()].sort()).toEqual(['closed', 'closed_cannot_fix', 'closed_invalid']);
    expect((states.get('closed') ?? 0) / settled.length).toBeGreaterThan(0.9);
  });

  it('keeps most deadlines, misses a few, and works in office hours', () => {
    const tickets = planned.map((p) => ({ ...p, ticket: walk(p.facts, p.plan.steps) }));
    const verified = tickets.filter((t) => t.ticket.verify.doneAt !== null);
    const verifiedOnTime = verified.filter((t) => (t.ticket.verify.doneAt?.getTime() ?? 0) <= t.facts.verifyDueAt).length / verified.length;
    expect(verifiedOnTime).toBeGreaterThan(0.9);
    expect(verifiedOnTime).toBeLessThan(0.98);
    const replied = tickets.filter((t) => t.ticket.reply.doneAt !== null && t.ticket.state !== 'closed_cannot_fix');
    const late = replied.filter((t) => (t.ticket.reply.doneAt?.getTime() ?? 0) > t.ticket.reply.dueAt.getTime()).length / replied.length;
    expect(late).toBeGreaterThan(0.02);
    expect(late).toBeLessThan(0.08);
    const firstReplyDays = replied.map((t) => ((t.ticket.reply.doneAt?.getTime() ?? 0) - t.facts.evaluatedAt) / DAY).sort((a, b) => a - b);
    expect(firstReplyDays[Math.floor(firstReplyDays.length / 2)]).toBeGreaterThan(3);
    expect(firstReplyDays[Math.floor(firstReplyDays.length / 2)]).toBeLessThan(9);
    const staffSteps = planned.flatMap((p) => p.plan.steps).filter((s) => s.by !== 'rater');
    expect(staffSteps.filter((s) => inOfficeHours(s.at)).length / staffSteps.length).toBeGreaterThan(0.95);
    // Raters answer by their link only when the reply reached them by SMS.
    expect(planned.every((p) => p.facts.smsReply || p.plan.steps.every((s) => s.by !== 'rater'))).toBe(true);
    expect(planned.some((p) => p.plan.steps.some((s) => s.by === 'rater'))).toBe(true);
  });

  it('leaves recent tickets at work and a few older ones overdue', () => {
    const recent = planned.filter((p) => p.facts.evaluatedAt > NOW - 10 * DAY).map((p) => walk(p.facts, p.plan.steps).state);
    for (const state of ['open', 'verifying', 'rectifying', 'replied', 'closed']) expect(recent, state).toContain(state);
    const neglected = planned.filter((p) => p.facts.evaluatedAt < NOW - 16 * DAY && p.facts.evaluatedAt > NOW - 45 * DAY).map((p) => walk(p.facts, p.plan.steps));
    const overdue = neglected.filter((t) => t.state === 'rectifying' && t.reply.doneAt === null && t.reply.dueAt.getTime() < NOW).length;
    expect(overdue).toBeGreaterThan(0);
    expect(overdue / neglected.length).toBeLessThan(0.1);
  });

  it('plans the same histories for the same seed', () => {
    expect(JSON.stringify(planMany(5, 200))).toBe(JSON.stringify(planMany(5, 200)));
    expect(JSON.stringify(planMany(5, 200))).not.toBe(JSON.stringify(planMany(6, 200)));
  });
});

describe('ticket actors and the summary line', () => {
  it('gives stable uuid-shaped ids and supervisors at the prefecture', () => {
    expect(demoActorId('handler:x')).toBe(demoActorId('handler:x'));
    expect(demoActorId('handler:x')).not.toBe(demoActorId('handler:y'));
    expect(demoActorId('handler:x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(prefecturePath('510000/510100/510104/')).toBe('510000/510100/');
    expect(prefecturePath('510000/510100/')).toBe('510000/510100/');
    expect(prefecturePath('510000/')).toBe('510000/');
  });

  it('prints the states largest first, leaving out the empty ones', () => {
    expect(formatTicketStates({ open: 3, closed: 90, rectifying: 0, replied: 3 })).toBe('closed 90 · open 3 · replied 3');
  });
});
