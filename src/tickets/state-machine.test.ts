import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  deadlineOf,
  deadlineStatus,
  isRefusal,
  openTicket,
  replay,
  TERMINAL_STATES,
  type Actor,
  type ActorRole,
  type CallbackOutcome,
  type RecordedEvent,
  type Ticket,
  type TicketEvent,
  type TicketState,
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

  it('closes on a 基本满意 callback as on a satisfied one: only an unhappy callback reopens', () => {
    const replied = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'reply', text: '已答复' }, handler, '2026-10-10T02:00:00Z'],
    ]);
    for (const [outcome, actor] of [['basically_satisfied', rater], ['basically_satisfied', handler], ['satisfied', rater]] as const) {
      const closed = run([[{ type: 'callback', outcome, by: actor === rater ? 'rater' : 'phone' }, actor, '2026-10-11T02:00:00Z']], replied);
      expect(closed, outcome).toMatchObject({ state: 'closed', reopenCount: 0, lastCallback: outcome, callbackAt: at('2026-10-11T02:00:00Z') });
      expect(TERMINAL_STATES.has(closed.state)).toBe(true);
      expect(applyEvent(closed, { type: 'reply', text: '再答复' }, handler, at('2026-10-12T02:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    }
  });

  it('answers only after rectification: no 答复 straight from 核实 (or before it), nor a second one before the callback', () => {
    const verifying = run([[{ type: 'accept' }, handler, '2026-10-08T01:00:00Z']]);
    expect(applyEvent(verifying, { type: 'reply', text: '已核实，直接答复' }, handler, at('2026-10-08T02:00:00Z'))).toMatchObject({
      code: 'TICKET_TRANSITION_INVALID',
      details: { step: 'reply', state: 'verifying' },
    });
    // 核实 done, the ticket is being rectified: now the answer may go out.
    const rectifying = run([[{ type: 'verified' }, handler, '2026-10-08T02:00:00Z']], verifying);
    expect(rectifying.state).toBe('rectifying');
    const replied = run([[{ type: 'reply', text: '已整改' }, handler, '2026-10-09T02:00:00Z']], rectifying);
    expect(applyEvent(replied, { type: 'reply', text: '又一次' }, handler, at('2026-10-09T03:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    // Nor while an appeal or a 无法整改 request waits for the supervisor.
    const appealing = run([[{ type: 'judge_invalid', kind: 'malicious', reason: '恶意', decideBy: '2026-10-20T00:00:00Z' }, handler, '2026-10-08T02:00:00Z']], verifying);
    expect(applyEvent(appealing, { type: 'reply', text: 'x' }, handler, at('2026-10-09T00:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
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

  it('handles 无法整改: approved, the rater is still answered and called back; refused sends it back', () => {
    const asked = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'request_cannot_fix', reason: '法律规定的材料不能免除' }, handler, '2026-10-09T02:00:00Z'],
    ]);
    expect(asked.state).toBe('cannot_fix_requested');
    expect(run([[{ type: 'decide_cannot_fix', approved: false, replyFollows: true }, supervisor, '2026-10-10T02:00:00Z']], asked).state).toBe('rectifying');
    // The approval is no answer: the reply deadline keeps running until the 答复 reaches the rater.
    const approved = run([[{ type: 'decide_cannot_fix', approved: true, replyFollows: true }, supervisor, '2026-10-10T02:00:00Z']], asked);
    expect(approved).toMatchObject({ state: 'cannot_fix_approved', reply: { doneAt: null } });
    expect(TERMINAL_STATES.has(approved.state)).toBe(false);
    expect(deadlineStatus(approved.reply, at('2026-10-16T00:00:00Z'))).toBe('missed');
    expect(run([[{ type: 'escalate', deadline: 'reply' }, system, '2026-10-16T00:00:00Z']], approved).escalated).toEqual(['reply']);
    const answered = run([[{ type: 'reply', text: '该材料为法定要求；已为您开通帮办代办，下周可一次办结' }, handler, '2026-10-12T02:00:00Z']], approved);
    expect(answered).toMatchObject({ state: 'cannot_fix_replied', reply: { doneAt: at('2026-10-12T02:00:00Z') }, lastReplyAt: at('2026-10-12T02:00:00Z') });
    expect(deadlineStatus(answered.reply, at('2026-12-01T00:00:00Z'))).toBe('met');
    // The callback closes it, whatever the rater thinks (recorded, and counted in the figures).
    for (const outcome of ['satisfied', 'basically_satisfied', 'unsatisfied'] as const) {
      expect(run([[{ type: 'callback', outcome, by: 'rater' }, rater, '2026-10-13T02:00:00Z']], answered)).toMatchObject({ state: 'closed_cannot_fix', lastCallback: outcome, reopenCount: 0 });
    }
  });

  it('replays a 无法整改 approval stored before the rule as it was decided then: closed, counted as the reply', () => {
    const asked = run([
      [{ type: 'accept' }, handler, '2026-10-08T01:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'request_cannot_fix', reason: '法律规定的材料不能免除' }, handler, '2026-10-09T02:00:00Z'],
    ]);
    expect(run([[{ type: 'decide_cannot_fix', approved: true }, supervisor, '2026-10-10T02:00:00Z']], asked)).toMatchObject({ state: 'closed_cannot_fix', reply: { doneAt: at('2026-10-10T02:00:00Z') } });
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

const STATES: TicketState[] = ['open', 'verifying', 'rectifying', 'appealing', 'cannot_fix_requested', 'cannot_fix_approved', 'replied', 'cannot_fix_replied', 'closed', 'closed_invalid', 'closed_cannot_fix', 'voided'];
const ROLES: ActorRole[] = ['handler', 'supervisor', 'system', 'rater'];

/** Who may take each step (DESIGN §4): the handling org acts, a supervisor decides, the scheduler escalates, the rater answers the callback. */
const WHO: Record<TicketEvent['type'], ActorRole[]> = {
  accept: ['handler'],
  verified: ['handler'],
  judge_invalid: ['handler'],
  decide_appeal: ['supervisor'],
  request_extension: ['handler'],
  decide_extension: ['supervisor'],
  request_cannot_fix: ['handler'],
  decide_cannot_fix: ['supervisor'],
  reply: ['handler'],
  callback: ['handler', 'rater'],
  escalate: ['system'],
  recompute_deadline: ['system'],
  void: ['system'],
  restore: ['system'],
};

// Each step as it is tried in the tables below: at 2026-10-20, after the verify and reply
// deadlines of `opened` and before the appeal's decision date.
const TRY_AT = at('2026-10-20T00:00:00Z');
const STEPS: Array<{ event: TicketEvent; label: string; patch?: Partial<Ticket> }> = [
  { event: { type: 'accept' }, label: 'accept' },
  { event: { type: 'verified' }, label: 'verified' },
  { event: { type: 'judge_invalid', kind: 'mistaken', reason: '误评', decideBy: '2026-10-30T00:00:00Z' }, label: 'judge_invalid' },
  { event: { type: 'decide_appeal', upheld: true }, label: 'decide_appeal upheld', patch: { appeal: { kind: 'mistaken', deadline: { dueAt: at('2026-10-30T00:00:00Z'), doneAt: null }, upheld: null } } },
  { event: { type: 'decide_appeal', upheld: false }, label: 'decide_appeal refused', patch: { appeal: { kind: 'mistaken', deadline: { dueAt: at('2026-10-30T00:00:00Z'), doneAt: null }, upheld: null } } },
  { event: { type: 'request_extension', days: 5, reason: '需采购设备' }, label: 'request_extension' },
  { event: { type: 'decide_extension', granted: true }, label: 'decide_extension granted', patch: { extension: { state: 'requested', days: 5 } } },
  { event: { type: 'decide_extension', granted: false }, label: 'decide_extension refused', patch: { extension: { state: 'requested', days: 5 } } },
  { event: { type: 'request_cannot_fix', reason: '法定材料不能免除' }, label: 'request_cannot_fix' },
  { event: { type: 'decide_cannot_fix', approved: true, replyFollows: true }, label: 'decide_cannot_fix approved' },
  { event: { type: 'decide_cannot_fix', approved: true }, label: 'decide_cannot_fix approved (legacy)' },
  { event: { type: 'decide_cannot_fix', approved: false, replyFollows: true }, label: 'decide_cannot_fix refused' },
  { event: { type: 'reply', text: '已整改' }, label: 'reply' },
  { event: { type: 'callback', outcome: 'satisfied', by: 'rater' }, label: 'callback satisfied' },
  { event: { type: 'callback', outcome: 'basically_satisfied', by: 'rater' }, label: 'callback basically_satisfied' },
  { event: { type: 'callback', outcome: 'unsatisfied', by: 'rater' }, label: 'callback unsatisfied' },
  { event: { type: 'escalate', deadline: 'reply' }, label: 'escalate reply' },
  { event: { type: 'recompute_deadline', deadline: 'verify', dueAt: '2026-10-21T15:59:59.999Z', calendarYear: 2026 }, label: 'recompute_deadline verify' },
  { event: { type: 'void', reason: '评价经两名复核人确认为刷评' }, label: 'void' },
  { event: { type: 'restore' }, label: 'restore', patch: { voided: { from: 'rectifying', at: at('2026-10-19T00:00:00Z') } } },
];

/** state → step → the state it leads to; a step missing from a state's row is refused there. */
const TRANSITIONS: Partial<Record<TicketState, Record<string, TicketState>>> = {
  open: { accept: 'verifying', 'escalate reply': 'open', 'recompute_deadline verify': 'open', void: 'voided' },
  verifying: {
    verified: 'rectifying',
    judge_invalid: 'appealing',
    request_extension: 'verifying',
    'decide_extension granted': 'verifying',
    'decide_extension refused': 'verifying',
    'escalate reply': 'verifying',
    'recompute_deadline verify': 'verifying',
    void: 'voided',
  },
  rectifying: {
    request_extension: 'rectifying',
    'decide_extension granted': 'rectifying',
    'decide_extension refused': 'rectifying',
    request_cannot_fix: 'cannot_fix_requested',
    reply: 'replied',
    'escalate reply': 'rectifying',
    void: 'voided',
  },
  appealing: { 'decide_appeal upheld': 'closed_invalid', 'decide_appeal refused': 'rectifying', 'escalate reply': 'appealing', 'recompute_deadline verify': 'appealing', void: 'voided' },
  cannot_fix_requested: {
    'decide_cannot_fix approved': 'cannot_fix_approved',
    'decide_cannot_fix approved (legacy)': 'closed_cannot_fix',
    'decide_cannot_fix refused': 'rectifying',
    'escalate reply': 'cannot_fix_requested',
    void: 'voided',
  },
  // Approved as cannot be fixed: the rater is still answered, and the callback closes it.
  cannot_fix_approved: { reply: 'cannot_fix_replied', 'escalate reply': 'cannot_fix_approved', void: 'voided' },
  replied: { 'callback satisfied': 'closed', 'callback basically_satisfied': 'closed', 'callback unsatisfied': 'rectifying', void: 'voided' },
  cannot_fix_replied: { 'callback satisfied': 'closed_cannot_fix', 'callback basically_satisfied': 'closed_cannot_fix', 'callback unsatisfied': 'closed_cannot_fix', void: 'voided' },
  // Back to where it was voided from (here: rectifying).
  voided: { restore: 'rectifying' },
};

describe('voiding and restoring', () => {
  it('voids a ticket from where it stands and restores it there, its running deadlines moved on by the time voided', () => {
    const rectifying = run([
      [{ type: 'accept' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'verified' }, handler, '2026-10-08T03:00:00Z'],
    ]);
    const voided = run([[{ type: 'void', reason: '确认刷评' }, system, '2026-10-09T00:00:00Z']], rectifying);
    expect(voided).toMatchObject({ state: 'voided', voided: { from: 'rectifying', at: at('2026-10-09T00:00:00Z') } });
    expect(applyEvent(voided, { type: 'reply', text: '答复' }, handler, at('2026-10-09T01:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    const restored = run([[{ type: 'restore' }, system, '2026-10-12T00:00:00Z']], voided);
    expect(restored.state).toBe('rectifying');
    expect(restored.voided).toBeNull();
    // The reply was still due: three days later. The verify step was done: unchanged.
    expect(restored.reply.dueAt.getTime() - rectifying.reply.dueAt.getTime()).toBe(3 * 86_400_000);
    expect(restored.verify).toEqual(rectifying.verify);
    expect(applyEvent(rectifying, { type: 'void', reason: 'x' }, handler, at('2026-10-09T00:00:00Z'))).toMatchObject({ code: 'TICKET_ACTOR_NOT_ALLOWED' });
  });
});

describe('recomputing a provisional deadline', () => {
  it('moves a running verify or appeal deadline, and nothing else', () => {
    const recompute = (deadline: 'verify' | 'appeal', dueAt: string): TicketEvent => ({ type: 'recompute_deadline', deadline, dueAt, calendarYear: 2026 });
    const moved = run([[recompute('verify', '2026-10-12T15:59:59.999Z'), system, '2026-10-08T02:00:00Z']]);
    expect(moved.verify).toEqual({ dueAt: at('2026-10-12T15:59:59.999Z'), doneAt: null });
    expect(moved.reply).toEqual(opened.reply);
    expect(moved.state).toBe('open');
    const appealing = run([
      [{ type: 'accept' }, handler, '2026-10-08T02:00:00Z'],
      [{ type: 'judge_invalid', kind: 'mistaken', reason: '误评', decideBy: '2026-10-15T15:59:59.999Z' }, handler, '2026-10-08T03:00:00Z'],
    ]);
    const later = run([[recompute('appeal', '2026-10-16T15:59:59.999Z'), system, '2026-10-09T02:00:00Z']], appealing);
    expect(later.appeal?.deadline.dueAt).toEqual(at('2026-10-16T15:59:59.999Z'));
    // A deadline already met, or already escalated as missed, stays as it was; only the system recomputes.
    expect(applyEvent(appealing, recompute('verify', '2026-10-12T15:59:59.999Z'), system, at('2026-10-09T02:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    const escalated = run([[{ type: 'escalate', deadline: 'verify' }, system, '2026-10-10T00:00:00Z']]);
    expect(applyEvent(escalated, recompute('verify', '2026-10-12T15:59:59.999Z'), system, at('2026-10-10T01:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID' });
    expect(applyEvent(opened, recompute('verify', '2026-10-12T15:59:59.999Z'), handler, at('2026-10-08T02:00:00Z'))).toMatchObject({ code: 'TICKET_ACTOR_NOT_ALLOWED' });
  });
});

describe('the transition table', () => {
  it('lets each step be taken by its roles only, in any state', () => {
    for (const { event, label } of STEPS) {
      for (const role of ROLES) {
        const result = applyEvent(opened, event, { role, id: role }, TRY_AT);
        const refusedForRole = isRefusal(result) && result.code === 'TICKET_ACTOR_NOT_ALLOWED';
        expect(refusedForRole, `${label} by ${role}`).toBe(!WHO[event.type].includes(role));
      }
    }
  });

  it('takes each step from its states only, to the state it leads to', () => {
    for (const state of STATES) {
      for (const { event, label, patch } of STEPS) {
        const actor: Actor = { role: WHO[event.type][0] ?? 'handler', id: 'a' };
        const result = applyEvent({ ...opened, ...patch, state }, event, actor, TRY_AT);
        const next = TRANSITIONS[state]?.[label];
        if (next === undefined) {
          expect(result, `${label} in ${state}`).toMatchObject({ code: 'TICKET_TRANSITION_INVALID', details: { step: event.type, state } });
        } else {
          expect(isRefusal(result) ? result.code : result.state, `${label} in ${state}`).toBe(next);
        }
      }
    }
  });
});

describe('replay', () => {
  const actors = [handler, supervisor, system, rater];
  const event: fc.Arbitrary<TicketEvent> = fc.oneof(
    fc.constant<TicketEvent>({ type: 'accept' }),
    fc.constant<TicketEvent>({ type: 'verified' }),
    fc.constant<TicketEvent>({ type: 'judge_invalid', kind: 'malicious', reason: '恶意差评', decideBy: '2026-10-30T00:00:00Z' }),
    fc.boolean().map<TicketEvent>((upheld) => ({ type: 'decide_appeal', upheld })),
    fc.record({ days: fc.integer({ min: -2, max: 35 }), maxDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }) }).map<TicketEvent>(({ days, maxDays }) => ({ type: 'request_extension', days, reason: '延期', ...(maxDays === undefined ? {} : { maxDays }) })),
    fc.boolean().map<TicketEvent>((granted) => ({ type: 'decide_extension', granted })),
    fc.constant<TicketEvent>({ type: 'request_cannot_fix', reason: '无法整改' }),
    fc.record({ approved: fc.boolean(), replyFollows: fc.boolean() }).map<TicketEvent>(({ approved, replyFollows }) => ({ type: 'decide_cannot_fix', approved, ...(replyFollows ? { replyFollows } : {}) })),
    fc.constant<TicketEvent>({ type: 'reply', text: '答复' }),
    fc.record({ outcome: fc.constantFrom<CallbackOutcome>('satisfied', 'basically_satisfied', 'unsatisfied'), by: fc.constantFrom<'phone' | 'rater'>('phone', 'rater') }).map<TicketEvent>((c) => ({ type: 'callback', ...c })),
    fc.constantFrom<TicketEvent>({ type: 'escalate', deadline: 'verify' }, { type: 'escalate', deadline: 'reply' }, { type: 'escalate', deadline: 'appeal' }),
    fc.constantFrom<'verify' | 'appeal'>('verify', 'appeal').map<TicketEvent>((deadline) => ({ type: 'recompute_deadline', deadline, dueAt: '2026-10-12T15:59:59.999Z', calendarYear: 2026 })),
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

  it('moves only along the table, and keeps a record that agrees with the steps accepted', () => {
    const labelOf = (e: TicketEvent) =>
      e.type === 'decide_appeal' ? `decide_appeal ${e.upheld ? 'upheld' : 'refused'}`
      : e.type === 'decide_extension' ? `decide_extension ${e.granted ? 'granted' : 'refused'}`
      : e.type === 'decide_cannot_fix' ? `decide_cannot_fix ${e.approved ? (e.replyFollows ? 'approved' : 'approved (legacy)') : 'refused'}`
      : e.type === 'callback' ? `callback ${e.outcome}`
      : e.type === 'escalate' ? 'escalate reply'
      : e.type === 'recompute_deadline' ? 'recompute_deadline verify'
      : e.type;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let ticket = opened;
        let unhappy = 0;
        let firstReply: Date | null = null;
        let firstVerify: Date | null = null;
        for (const { event: e, actor, day } of steps) {
          const when = new Date(Date.UTC(2026, 9, 8 + day));
          const next = applyEvent(ticket, e, actor, when);
          if (!WHO[e.type].includes(actor.role)) {
            expect(next).toMatchObject({ code: 'TICKET_ACTOR_NOT_ALLOWED' });
            continue;
          }
          // Escalations of any deadline share one row of the table.
          const allowed = TRANSITIONS[ticket.state]?.[labelOf(e)];
          if (allowed === undefined) {
            expect(next).toMatchObject({ code: 'TICKET_TRANSITION_INVALID', details: { state: ticket.state } });
            continue;
          }
          if (isRefusal(next)) continue; // a guard of the step itself (one appeal, one extension, days, not overdue …)
          expect(next.state).toBe(allowed);
          if (e.type === 'callback' && e.outcome === 'unsatisfied') unhappy++;
          // Only a 答复 answers the rater; an approved 无法整改 counted as one only by the legacy rule.
          if ((e.type === 'reply' || (e.type === 'decide_cannot_fix' && e.approved && e.replyFollows !== true)) && firstReply === null) firstReply = when;
          if (e.type === 'request_extension') expect(e.days).toBeLessThanOrEqual(e.maxDays ?? 15);
          if ((e.type === 'verified' || e.type === 'judge_invalid') && firstVerify === null) firstVerify = when;
          if (e.type === 'escalate') expect(deadlineStatus(deadlineOf(ticket, e.deadline) ?? opened.verify, when)).toBe('missed');
          ticket = next;
        }
        expect(ticket.reopenCount).toBe(unhappy);
        expect(ticket.reply.doneAt).toEqual(firstReply);
        expect(ticket.verify.doneAt).toEqual(firstVerify);
        expect(new Set(ticket.escalated).size).toBe(ticket.escalated.length);
        if (ticket.state === 'closed') expect(['satisfied', 'basically_satisfied']).toContain(ticket.lastCallback);
        if (ticket.state === 'replied' || ticket.state === 'cannot_fix_replied') expect(ticket.lastReplyAt).not.toBeNull();
        if (ticket.state === 'cannot_fix_approved') expect(ticket.reply.doneAt === null || ticket.reopenCount > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the guards of each step', () => {
  const verifying = run([[{ type: 'accept' }, handler, '2026-10-08T01:00:00Z']]);
  const rectifying = run([[{ type: 'verified' }, handler, '2026-10-08T02:00:00Z']], verifying);
  const judge = (decideBy: string): TicketEvent => ({ type: 'judge_invalid', kind: 'mistaken', reason: '误评', decideBy });

  it('takes an appeal only with a decision date that lies ahead, and only one, whatever the ticket was loaded from', () => {
    const now = at('2026-10-08T02:00:00Z');
    expect(applyEvent(verifying, judge('not a date'), handler, now)).toMatchObject({ code: 'TICKET_APPEAL_INVALID', details: { decideBy: 'not a date' } });
    expect(applyEvent(verifying, judge('2026-10-08T02:00:00Z'), handler, now)).toMatchObject({ code: 'TICKET_APPEAL_INVALID' });
    expect(applyEvent(verifying, judge('2026-10-08T02:00:00.001Z'), handler, now)).toMatchObject({ state: 'appealing', verify: { doneAt: now } });
    // A projection that already holds an appeal (none can be reached by steps) still refuses a second one.
    const appealed = { ...verifying, appeal: { kind: 'malicious' as const, deadline: { dueAt: at('2026-10-09T00:00:00Z'), doneAt: at('2026-10-08T12:00:00Z') }, upheld: false } };
    expect(applyEvent(appealed, judge('2026-10-20T00:00:00Z'), handler, now)).toMatchObject({ code: 'TICKET_APPEAL_INVALID' });
    // Verification already done keeps its time.
    const verified = { ...verifying, verify: { ...verifying.verify, doneAt: at('2026-10-08T01:30:00Z') } };
    expect(applyEvent(verified, judge('2026-10-20T00:00:00Z'), handler, now)).toMatchObject({ verify: { doneAt: at('2026-10-08T01:30:00Z') } });
  });

  it('records the supervisor’s decision on the appeal', () => {
    const appealing = run([[judge('2026-10-20T00:00:00Z'), handler, '2026-10-08T02:00:00Z']], verifying);
    for (const upheld of [true, false]) {
      const decided = run([[{ type: 'decide_appeal', upheld }, supervisor, '2026-10-09T02:00:00Z']], appealing);
      expect(decided.appeal).toEqual({ kind: 'mistaken', deadline: { dueAt: at('2026-10-20T00:00:00Z'), doneAt: at('2026-10-09T02:00:00Z') }, upheld });
    }
  });

  it('asks for an extension of 1 to the most days allowed, whole days only, and decides it once', () => {
    const ask = (days: number) => applyEvent(rectifying, { type: 'request_extension', days, reason: '需采购设备' }, handler, at('2026-10-09T00:00:00Z'));
    for (const days of [0, -1, 2.5, 16, Number.NaN]) expect(ask(days), String(days)).toMatchObject({ code: 'TICKET_EXTENSION_INVALID' });
    for (const days of [1, 15]) expect(ask(days), String(days)).toMatchObject({ extension: { state: 'requested', days } });
    // The limit in force travels with the event; events stored before it carry none: the legacy 15.
    expect(applyEvent(rectifying, { type: 'request_extension', days: 20, reason: 'x', maxDays: 20 }, handler, at('2026-10-09T00:00:00Z'))).toMatchObject({ extension: { days: 20 } });
    expect(applyEvent(rectifying, { type: 'request_extension', days: 21, reason: 'x', maxDays: 20 }, handler, at('2026-10-09T00:00:00Z'))).toMatchObject({ code: 'TICKET_EXTENSION_INVALID', details: { max: 20 } });
    expect(applyEvent(rectifying, { type: 'request_extension', days: 5, reason: 'x', maxDays: 3 }, handler, at('2026-10-09T00:00:00Z'))).toMatchObject({ code: 'TICKET_EXTENSION_INVALID', details: { max: 3 } });
    const requested = run([[{ type: 'request_extension', days: 3, reason: 'x' }, handler, '2026-10-09T00:00:00Z']], rectifying);
    for (const granted of [true, false]) {
      const decided = run([[{ type: 'decide_extension', granted }, supervisor, '2026-10-09T01:00:00Z']], requested);
      expect(applyEvent(decided, { type: 'decide_extension', granted: true }, supervisor, at('2026-10-09T02:00:00Z'))).toMatchObject({
        code: 'TICKET_TRANSITION_INVALID',
        details: { extension: granted ? 'granted' : 'refused' },
      });
    }
    expect(applyEvent(rectifying, { type: 'decide_extension', granted: true }, supervisor, at('2026-10-09T02:00:00Z'))).toMatchObject({ code: 'TICKET_TRANSITION_INVALID', details: { extension: null } });
  });

  it('counts the 答复 after an approved 无法整改 as the reply, never the approval (the legacy rule did, at its time)', () => {
    const ask = (start: Ticket) => run([[{ type: 'request_cannot_fix', reason: '法定材料不能免除' }, handler, '2026-10-12T00:00:00Z']], start);
    const approved = run([[{ type: 'decide_cannot_fix', approved: true, replyFollows: true }, supervisor, '2026-10-13T00:00:00Z']], ask(rectifying));
    expect(approved.reply.doneAt).toBeNull();
    expect(run([[{ type: 'reply', text: '解决方案' }, handler, '2026-10-14T00:00:00Z']], approved).reply.doneAt).toEqual(at('2026-10-14T00:00:00Z'));
    expect(run([[{ type: 'decide_cannot_fix', approved: true }, supervisor, '2026-10-13T00:00:00Z']], ask(rectifying)).reply.doneAt).toEqual(at('2026-10-13T00:00:00Z'));
    const reopened = run(
      [
        [{ type: 'reply', text: '已整改' }, handler, '2026-10-10T00:00:00Z'],
        [{ type: 'callback', outcome: 'unsatisfied', by: 'rater' }, rater, '2026-10-11T00:00:00Z'],
      ],
      rectifying,
    );
    // After a reopening the first reply's time stands, under either rule.
    expect(run([[{ type: 'decide_cannot_fix', approved: true }, supervisor, '2026-10-13T00:00:00Z']], ask(reopened)).reply.doneAt).toEqual(at('2026-10-10T00:00:00Z'));
    const again = run([[{ type: 'decide_cannot_fix', approved: true, replyFollows: true }, supervisor, '2026-10-13T00:00:00Z'], [{ type: 'reply', text: '解决方案' }, handler, '2026-10-14T00:00:00Z']], ask(reopened));
    expect(again).toMatchObject({ state: 'cannot_fix_replied', reply: { doneAt: at('2026-10-10T00:00:00Z') }, lastReplyAt: at('2026-10-14T00:00:00Z') });
  });

  it('follows the latest reply for the callback, while the reply deadline keeps the first', () => {
    const again = run(
      [
        [{ type: 'reply', text: '已整改' }, handler, '2026-10-10T00:00:00Z'],
        [{ type: 'callback', outcome: 'unsatisfied', by: 'rater' }, rater, '2026-10-11T00:00:00Z'],
        [{ type: 'reply', text: '再次整改' }, handler, '2026-10-14T00:00:00Z'],
      ],
      rectifying,
    );
    expect(again).toMatchObject({ state: 'replied', lastReplyAt: at('2026-10-14T00:00:00Z'), reply: { doneAt: at('2026-10-10T00:00:00Z') }, reopenCount: 1 });
  });
});

describe('deadlines, replay and the end states', () => {
  it('escalates only a deadline the ticket has: no appeal, no appeal deadline', () => {
    const late = at('2026-10-20T00:00:00Z');
    expect(applyEvent(opened, { type: 'escalate', deadline: 'appeal' }, system, late)).toMatchObject({ code: 'TICKET_TRANSITION_INVALID', details: { reason: 'not overdue' } });
    expect(run([[{ type: 'escalate', deadline: 'reply' }, system, '2026-10-20T00:00:00Z']]).escalated).toEqual(['reply']);
  });

  it('meets a deadline done at its last millisecond, and misses it only after', () => {
    const dueAt = at('2026-10-15T15:59:59.999Z');
    expect(deadlineStatus({ dueAt, doneAt: dueAt }, at('2026-10-20T00:00:00Z'))).toBe('met');
    expect(deadlineStatus({ dueAt, doneAt: at('2026-10-15T16:00:00.000Z') }, at('2026-10-20T00:00:00Z'))).toBe('missed');
    expect(deadlineStatus({ dueAt, doneAt: null }, dueAt)).toBe('active');
    expect(deadlineStatus({ dueAt, doneAt: null }, at('2026-10-15T16:00:00.000Z'))).toBe('missed');
  });

  it('replays a 20-day extension accepted under a 30-day limit, with no setting passed (the rule is in the event)', () => {
    const events: RecordedEvent[] = [
      { event: { type: 'accept' }, actor: handler, at: at('2026-10-08T01:00:00Z') },
      { event: { type: 'verified' }, actor: handler, at: at('2026-10-08T02:00:00Z') },
      { event: { type: 'request_extension', days: 20, reason: '需采购设备', maxDays: 30 }, actor: handler, at: at('2026-10-09T00:00:00Z') },
      { event: { type: 'decide_extension', granted: true }, actor: supervisor, at: at('2026-10-09T01:00:00Z') },
      { event: { type: 'reply', text: '已整改' }, actor: handler, at: at('2026-10-30T01:00:00Z') },
    ];
    const replayed = replay(opened, events);
    expect(replayed).toMatchObject({ state: 'replied', extension: { state: 'granted', days: 20 }, reply: { dueAt: at('2026-11-04T15:59:59.999Z') } });
    expect(deadlineStatus((replayed as Ticket).reply, at('2026-12-01T00:00:00Z'))).toBe('met');
  });

  it('stops the replay at the first refused event', () => {
    const events: RecordedEvent[] = [
      { event: { type: 'accept' }, actor: handler, at: at('2026-10-08T01:00:00Z') },
      { event: { type: 'reply', text: '未整改先答复' }, actor: handler, at: at('2026-10-08T02:00:00Z') },
      { event: { type: 'verified' }, actor: handler, at: at('2026-10-08T03:00:00Z') },
    ];
    expect(replay(opened, events)).toMatchObject({ code: 'TICKET_TRANSITION_INVALID', details: { step: 'reply', state: 'verifying' } });
  });

  it('ends exactly in the states from which no step leads on', () => {
    expect(STATES.filter((s) => TERMINAL_STATES.has(s))).toEqual(STATES.filter((s) => TRANSITIONS[s] === undefined));
    expect([...TERMINAL_STATES].sort()).toEqual(['closed', 'closed_cannot_fix', 'closed_invalid']);
  });
});
