import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  deadlineStatus,
  isRefusal,
  openTicket,
  replay,
  TERMINAL_STATES,
  type Actor,
  type RecordedEvent,
  type Ticket,
  type TicketEvent,
} from './state-machine.ts';

const handler: Actor = { role: 'handler', id: 'h1' };
const supervisor: Actor = { role: 'supervisor', id: 's1' };
const system: Actor = { role: 'system', id: 'scheduler' };
const rater: Actor = { role: 'rater', id: 'link' };

const opened = openTicket({ verifyDueAt: new Date('2026-10-09T15:59:59.999Z'), replyDueAt: new Date('2026-10-15T15:59:59.999Z') });
const at = (iso: string) => new Date(iso);

function run(steps: Array<[TicketEvent, Actor, string]>, start: Ticket = opened): Ticket {
  let ticket = start;
  for (const [event, actor, when] of steps) {
    const next = applyEvent(ticket, event, actor, at(when));
    if (isRefusal(next)) throw new Error(`${event.type} refused: ${next.code}`);
    ticket = next;
  }
  return ticket;
}

describe('ticket lifecycle', () => {
  it('goes open → verifying → rectifying → replied → closed, with both deadlines met', () => {
    const closed = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T03:00:00Z'],
      [{ type: 'reply', text: '已整改：增设取号机' }, handler, '2026-10-12T03:00:00Z'],
      [{ type: 'callback', outcome: 'satisfied', by: 'phone' }, handler, '2026-10-13T03:00:00Z'],
    ]);
    expect(closed).toMatchObject({ state: 'closed', version: 4, lastCallback: 'satisfied' });
    expect(deadlineStatus(closed.verify, at('2026-12-01T00:00:00Z'))).toBe('met');
    expect(deadlineStatus(closed.reply, at('2026-12-01T00:00:00Z'))).toBe('met');
  });

  it('reopens when the rater is unhappy at the callback, keeping the first reply time', () => {
    const reopened = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'reply', text: '已答复' }, handler, '2026-10-10T02:00:00Z'],
      [{ type: 'callback', outcome: 'unsatisfied', by: 'rater' }, rater, '2026-10-11T02:00:00Z'],
    ]);
    expect(reopened).toMatchObject({ state: 'rectifying', reopenCount: 1, lastCallback: 'unsatisfied' });
    const again = run([[{ type: 'reply', text: '再次整改' }, handler, '2026-10-20T02:00:00Z']], reopened);
    expect(again.reply.doneAt).toEqual(at('2026-10-10T02:00:00Z'));
  });

  it('closes as invalid when an appeal is upheld, and returns to rectifying with the same deadline when refused', () => {
    const appealing = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'judge_invalid', kind: 'mistaken', reason: '误评：评价人选错了办件', decideBy: '2026-10-15T15:59:59.999Z' }, handler, '2026-10-08T02:00:00Z'],
    ]);
    expect(appealing.state).toBe('appealing');
    expect(appealing.appeal).toEqual({ kind: 'mistaken', deadline: { dueAt: at('2026-10-15T15:59:59.999Z'), doneAt: null }, upheld: null });
    // One appeal per ticket, and its deadline must lie ahead.
    expect(applyEvent(run([[{ type: 'decide_appeal', upheld: false }, supervisor, '2026-10-09T02:00:00Z']], appealing), { type: 'judge_invalid', kind: 'malicious', reason: '再申诉', decideBy: '2026-10-20T00:00:00Z' }, handler, at('2026-10-10T00:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    const verifying = run([[{ type: 'accept' }, handler, '2026-10-08T01:00:00Z']]);
    expect(applyEvent(verifying, { type: 'judge_invalid', kind: 'mistaken', reason: 'x', decideBy: '2026-10-01T00:00:00Z' }, handler, at('2026-10-08T02:00:00Z'))).toMatchObject({ code: 'TICKET_APPEAL_INVALID' });
    // A supervisor who does not decide in time is escalated.
    expect(run([[{ type: 'escalate', deadline: 'appeal' }, system, '2026-10-16T00:00:00Z']], appealing).escalated).toEqual(['appeal']);
    expect(run([[{ type: 'decide_appeal', upheld: true }, supervisor, '2026-10-09T02:00:00Z']], appealing).state).toBe('closed_invalid');
    const refused = run([[{ type: 'decide_appeal', upheld: false }, supervisor, '2026-10-09T02:00:00Z']], appealing);
    expect(refused.state).toBe('rectifying');
    expect(refused.reply.dueAt).toEqual(opened.reply.dueAt);
  });

  it('extends the reply deadline only when a supervisor grants it, once per ticket, within the limit', () => {
    const rectifying = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T02:00:00Z'],
    ]);
    expect(applyEvent(rectifying, { type: 'request_extension', days: 30, reason: '需采购设备' }, handler, at('2026-10-09T00:00:00Z'))).toMatchObject({ code: 'TICKET_EXTENSION_INVALID' });
    const requested = run([[{ type: 'request_extension', days: 10, reason: '需采购设备' }, handler, '2026-10-09T00:00:00Z']], rectifying);
    expect(applyEvent(requested, { type: 'decide_extension', granted: true }, handler, at('2026-10-09T01:00:00Z'))).toMatchObject({ code: 'TICKET_ACTOR_NOT_ALLOWED' });
    const granted = run([[{ type: 'decide_extension', granted: true }, supervisor, '2026-10-09T01:00:00Z']], requested);
    expect(granted.reply.dueAt).toEqual(at('2026-10-25T15:59:59.999Z'));
    expect(applyEvent(granted, { type: 'request_extension', days: 5, reason: '再延' }, handler, at('2026-10-20T00:00:00Z'))).toMatchObject({ code: 'TICKET_EXTENSION_INVALID' });
    const refused = run([[{ type: 'decide_extension', granted: false }, supervisor, '2026-10-09T01:00:00Z']], requested);
    expect(refused).toMatchObject({ extension: { state: 'refused' }, reply: { dueAt: opened.reply.dueAt } });
  });

  it('handles 无法整改: approved closes the ticket, refused sends it back', () => {
    const asked = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'request_cannot_fix', reason: '法律规定的材料不能免除' }, handler, '2026-10-09T02:00:00Z'],
    ]);
    expect(asked.state).toBe('cannot_fix_requested');
    expect(run([[{ type: 'decide_cannot_fix', approved: true }, supervisor, '2026-10-10T02:00:00Z']], asked).state).toBe('closed_cannot_fix');
    expect(run([[{ type: 'decide_cannot_fix', approved: false }, supervisor, '2026-10-10T02:00:00Z']], asked).state).toBe('rectifying');
  });

  it('escalates a deadline only once it is missed, and only once', () => {
    expect(applyEvent(opened, { type: 'escalate', deadline: 'verify' }, system, at('2026-10-09T15:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    const escalated = run([[{ type: 'escalate', deadline: 'verify' }, system, '2026-10-09T16:00:00Z']]);
    expect(escalated.escalated).toEqual(['verify']);
    expect(applyEvent(escalated, { type: 'escalate', deadline: 'verify' }, system, at('2026-10-10T16:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    expect(deadlineStatus(escalated.verify, at('2026-10-09T16:00:00Z'))).toBe('missed');
    // Done late is still missed.
    const late = run([
      [{ type: 'accept' }, handler, '2026-10-10T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-10T02:00:00Z'],
    ]);
    expect(deadlineStatus(late.verify, at('2026-10-10T03:00:00Z'))).toBe('missed');
  });

  it('refuses steps out of order and by the wrong role', () => {
    expect(applyEvent(opened, { type: 'reply', text: 'x' }, handler, at('2026-10-08T01:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID', details: { state: 'open' } });
    expect(applyEvent(opened, { type: 'accept' }, rater, at('2026-10-08T01:00:00Z'))).toMatchObject({ code: 'TICKET_ACTOR_NOT_ALLOWED' });
    expect(applyEvent(opened, { type: 'accept' }, supervisor, at('2026-10-08T01:00:00Z'))).toMatchObject({ code: 'TICKET_ACTOR_NOT_ALLOWED' });
  });
});

describe('replay', () => {
  const actors = [handler, supervisor, system, rater];
  const event: fc.Arbitrary<TicketEvent> = fc.oneof(
    fc.constant<TicketEvent>({ type: 'accept' }),
    fc.constant<TicketEvent>({ type: 'verified' }),
    fc.constant<TicketEvent>({ type: 'judge_invalid', kind: 'malicious', reason: '恶意差评', decideBy: '2026-10-30T00:00:00Z' }),
    fc.boolean().map<TicketEvent>((upheld) => ({ type: 'decide_appeal', upheld })),
    fc.integer({ min: -2, max: 20 }).map<TicketEvent>((days) => ({ type: 'request_extension', days, reason: '延期' })),
    fc.boolean().map<TicketEvent>((granted) => ({ type: 'decide_extension', granted })),
    fc.constant<TicketEvent>({ type: 'request_cannot_fix', reason: '无法整改' }),
    fc.boolean().map<TicketEvent>((approved) => ({ type: 'decide_cannot_fix', approved })),
    fc.constant<TicketEvent>({ type: 'reply', text: '答复' }),
    fc.constantFrom<TicketEvent>({ type: 'callback', outcome: 'satisfied', by: 'phone' }, { type: 'callback', outcome: 'unsatisfied', by: 'rater' }),
    fc.constantFrom<TicketEvent>({ type: 'escalate', deadline: 'verify' }, { type: 'escalate', deadline: 'reply' }, { type: 'escalate', deadline: 'appeal' }),
  );
  const step = fc.record({ event, actor: fc.constantFrom(...actors), day: fc.integer({ min: 0, max: 40 }) });

  it('derives the same ticket from the accepted events as applying them one by one; closed tickets take no step', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let ticket = opened;
        const accepted: RecordedEvent[] = [];
        for (const { event: e, actor, day } of steps) {
          const when = new Date(Date.UTC(2026, 9, 8 + day));
          const next = applyEvent(ticket, e, actor, when);
          if (TERMINAL_STATES.has(ticket.state)) expect(isRefusal(next)).toBe(true);
          if (isRefusal(next)) continue;
          expect(next.version).toBe(ticket.version + 1);
          accepted.push({ event: e, actor, at: when });
          ticket = next;
        }
        expect(replay(opened, accepted)).toEqual(ticket);
        // The reply deadline only ever moves by a granted extension.
        const granted = ticket.extension?.state === 'granted' ? ticket.extension.days : 0;
        expect(ticket.reply.dueAt.getTime() - opened.reply.dueAt.getTime()).toBe(granted * 86_400_000);
      }),
      { numRuns: 300 },
    );
  });
});
