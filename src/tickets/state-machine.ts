// The rectification workflow of one bad evaluation (差评工单), as a pure function:
// (ticket, event, actor, now) → the next ticket, or a coded refusal. A ticket's current state is
// the fold of its append-only events over the opening (see `replay`). Deadlines are computed by
// the caller on the working-day calendar and passed in; this module only moves them.
import type { Refusal } from '../errors.ts';

export type TicketState =
  | 'open' // opened with the evaluation, waiting for the handling org to take it up
  | 'verifying' // 核实: the org checks what happened
  | 'rectifying' // 整改: the problem is being fixed
  | 'appealing' // judged invalid (mistaken or malicious): a supervisor decides the appeal
  | 'cannot_fix_requested' // 无法整改 asked for: a supervisor decides
  | 'cannot_fix_approved' // 无法整改 approved: the rater must still be answered (答复, with its SMS)
  | 'replied' // 答复: the rater has been answered; waiting for the callback (回访)
  | 'cannot_fix_replied' // answered after an approved 无法整改; the callback closes it, whatever its outcome
  | 'closed' // callback done, rater satisfied or basically satisfied
  | 'closed_invalid' // appeal upheld: the evaluation leaves the scores (a flag, never a delete)
  | 'closed_cannot_fix' // cannot be fixed: answered and called back (or, by the legacy rule, approved)
  | 'voided'; // its rating was confirmed as fraud or superseded: nothing to do unless restored

export type ActorRole = 'handler' | 'supervisor' | 'system' | 'rater';

export interface Actor {
  role: ActorRole;
  id: string;
}

export type CallbackOutcome = 'satisfied' | 'basically_satisfied' | 'unsatisfied';

export type TicketEvent =
  | { type: 'accept' }
  | { type: 'verified' }
  // The org contests the evaluation (申诉); the caller computes the supervisor's decision deadline.
  | { type: 'judge_invalid'; kind: AppealKind; reason: string; decideBy: string }
  | { type: 'decide_appeal'; upheld: boolean; note?: string }
  // The rule that applied travels with the event, so a replay judges it as it was judged live:
  // `maxDays` is the extension limit in force (absent in events stored before: the legacy 15).
  | { type: 'request_extension'; days: number; reason: string; maxDays?: number }
  | { type: 'decide_extension'; granted: boolean; note?: string }
  | { type: 'request_cannot_fix'; reason: string }
  // `replyFollows`: the approval leads to the 答复 (absent in events stored before: the approval
  // itself closed the ticket and counted as the reply).
  | { type: 'decide_cannot_fix'; approved: boolean; note?: string; replyFollows?: boolean }
  | { type: 'reply'; text: string }
  | { type: 'callback'; outcome: CallbackOutcome; by: 'phone' | 'rater' }
  | { type: 'escalate'; deadline: DeadlineName }
  // A working-day deadline counted beyond the known calendar, counted again once the year's
  // notice is entered (src/tickets/recompute.ts); `calendarYear` is the notice's year.
  | { type: 'recompute_deadline'; deadline: 'verify' | 'appeal'; dueAt: string; calendarYear: number }
  // The rating behind the ticket was confirmed as fraud (two reviewers) or superseded by the
  // applicant's own: the ticket is voided; clearing the rating restores it where it was.
  | { type: 'void'; reason: string }
  | { type: 'restore' };

export type AppealKind = 'mistaken' | 'malicious';
export type DeadlineName = 'verify' | 'reply' | 'appeal';

export type DeadlineStatus = 'active' | 'met' | 'missed';

export interface Deadline {
  dueAt: Date;
  /** When the step was done; null while it is not. */
  doneAt: Date | null;
}

export interface Ticket {
  state: TicketState;
  verify: Deadline;
  reply: Deadline;
  extension: { state: 'requested' | 'granted' | 'refused'; days: number } | null;
  /** The org's appeal, at most one per ticket; `upheld` is null while the supervisor has not decided. */
  appeal: { kind: AppealKind; deadline: Deadline; upheld: boolean | null } | null;
  /** Which deadlines have been escalated to the supervising level (each once). */
  escalated: DeadlineName[];
  reopenCount: number;
  /** The latest reply (a reopened ticket is answered again); the callback follows it. */
  lastReplyAt: Date | null;
  lastCallback: CallbackOutcome | null;
  callbackAt: Date | null;
  /** While voided: the state it was voided from, and when. */
  voided: { from: TicketState; at: Date } | null;
  /** Number of events applied: the expected version for optimistic concurrency. */
  version: number;
}

/** The extension limit of events stored before the limit was recorded in them. */
export const LEGACY_MAX_EXTENSION_DAYS = 15;

/** The states in which the rater's callback (回访) is awaited. */
export const AWAITING_CALLBACK: ReadonlySet<TicketState> = new Set(['replied', 'cannot_fix_replied']);

export function openTicket(deadlines: { verifyDueAt: Date; replyDueAt: Date }): Ticket {
  return {
    state: 'open',
    verify: { dueAt: deadlines.verifyDueAt, doneAt: null },
    reply: { dueAt: deadlines.replyDueAt, doneAt: null },
    extension: null,
    appeal: null,
    escalated: [],
    reopenCount: 0,
    lastReplyAt: null,
    lastCallback: null,
    callbackAt: null,
    voided: null,
    version: 0,
  };
}

/** Who may take each step. Raters only answer the callback through their link. */
const ACTORS: Record<TicketEvent['type'], readonly ActorRole[]> = {
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

/** The states in which each step may be taken. */
const FROM: Record<TicketEvent['type'], readonly TicketState[]> = {
  accept: ['open'],
  verified: ['verifying'],
  judge_invalid: ['verifying'],
  decide_appeal: ['appealing'],
  request_extension: ['verifying', 'rectifying'],
  decide_extension: ['verifying', 'rectifying'],
  request_cannot_fix: ['rectifying'],
  decide_cannot_fix: ['cannot_fix_requested'],
  reply: ['rectifying', 'cannot_fix_approved'],
  callback: ['replied', 'cannot_fix_replied'],
  escalate: ['open', 'verifying', 'rectifying', 'appealing', 'cannot_fix_requested', 'cannot_fix_approved'],
  recompute_deadline: ['open', 'verifying', 'appealing'],
  void: ['open', 'verifying', 'rectifying', 'appealing', 'cannot_fix_requested', 'cannot_fix_approved', 'replied', 'cannot_fix_replied'],
  restore: ['voided'],
};

const DAY_MS = 86_400_000;

function refuse(code: Refusal['code'], details: Record<string, unknown>): Refusal {
  return { code, details };
}

export function isRefusal(value: Ticket | Refusal): value is Refusal {
  return 'code' in value;
}

/**
 * The next ticket, or a coded refusal. Every rule a step is judged by comes from the ticket and the
 * event itself (the configured extension limit is written into the event by the command that
 * records it), so a replay of stored events gives what was decided live, whatever the settings now.
 */
export function applyEvent(ticket: Ticket, event: TicketEvent, actor: Actor, now: Date): Ticket | Refusal {
  if (!ACTORS[event.type].includes(actor.role)) return refuse('TICKET_ACTOR_NOT_ALLOWED', { step: event.type, role: actor.role });
  if (!FROM[event.type].includes(ticket.state)) return refuse('TICKET_TRANSITION_INVALID', { step: event.type, state: ticket.state });
  const next: Ticket = { ...ticket, version: ticket.version + 1 };
  switch (event.type) {
    case 'accept':
      return { ...next, state: 'verifying' };
    case 'verified':
      return { ...next, state: 'rectifying', verify: { ...ticket.verify, doneAt: now } };
    case 'judge_invalid': {
      if (ticket.appeal !== null) return refuse('TICKET_APPEAL_INVALID', { reason: 'one appeal per ticket' });
      const decideBy = new Date(event.decideBy);
      if (Number.isNaN(decideBy.getTime()) || decideBy.getTime() <= now.getTime()) return refuse('TICKET_APPEAL_INVALID', { decideBy: event.decideBy });
      // Verification is done (the org reached a view); the reply deadline keeps running.
      return {
        ...next,
        state: 'appealing',
        verify: { ...ticket.verify, doneAt: ticket.verify.doneAt ?? now },
        appeal: { kind: event.kind, deadline: { dueAt: decideBy, doneAt: null }, upheld: null },
      };
    }
    case 'decide_appeal': {
      const appeal = ticket.appeal && { ...ticket.appeal, deadline: { ...ticket.appeal.deadline, doneAt: now }, upheld: event.upheld };
      // Refused: back to rectification with the reply deadline unchanged.
      return event.upheld ? { ...next, state: 'closed_invalid', appeal } : { ...next, state: 'rectifying', appeal };
    }
    case 'request_extension': {
      if (ticket.extension !== null) return refuse('TICKET_EXTENSION_INVALID', { reason: 'one extension per ticket' });
      const max = event.maxDays ?? LEGACY_MAX_EXTENSION_DAYS;
      if (!Number.isInteger(event.days) || event.days < 1 || event.days > max) {
        return refuse('TICKET_EXTENSION_INVALID', { days: event.days, max });
      }
      return { ...next, extension: { state: 'requested', days: event.days } };
    }
    case 'decide_extension': {
      if (ticket.extension?.state !== 'requested') return refuse('TICKET_TRANSITION_INVALID', { step: event.type, extension: ticket.extension?.state ?? null });
      if (!event.granted) return { ...next, extension: { ...ticket.extension, state: 'refused' } };
      return {
        ...next,
        extension: { ...ticket.extension, state: 'granted' },
        reply: { ...ticket.reply, dueAt: new Date(ticket.reply.dueAt.getTime() + ticket.extension.days * DAY_MS) },
      };
    }
    case 'request_cannot_fix':
      return { ...next, state: 'cannot_fix_requested' };
    case 'decide_cannot_fix':
      if (!event.approved) return { ...next, state: 'rectifying' };
      // Approved: the solution worked out must still reach the rater (答复, then 回访). Events stored
      // before this rule closed the ticket at once and counted the approval as the reply.
      if (event.replyFollows === true) return { ...next, state: 'cannot_fix_approved' };
      return { ...next, state: 'closed_cannot_fix', reply: { ...ticket.reply, doneAt: ticket.reply.doneAt ?? now } };
    case 'reply':
      // A reopened ticket keeps the time of its first reply: the 15-day limit is about the first answer.
      return {
        ...next,
        state: ticket.state === 'cannot_fix_approved' ? 'cannot_fix_replied' : 'replied',
        reply: { ...ticket.reply, doneAt: ticket.reply.doneAt ?? now },
        lastReplyAt: now,
      };
    case 'callback':
      // A supervisor found it cannot be fixed: the callback records the rater's view and closes it.
      if (ticket.state === 'cannot_fix_replied') return { ...next, state: 'closed_cannot_fix', lastCallback: event.outcome, callbackAt: now };
      if (event.outcome === 'unsatisfied') return { ...next, state: 'rectifying', reopenCount: ticket.reopenCount + 1, lastCallback: event.outcome, callbackAt: now };
      return { ...next, state: 'closed', lastCallback: event.outcome, callbackAt: now };
    case 'escalate': {
      if (ticket.escalated.includes(event.deadline)) return refuse('TICKET_TRANSITION_INVALID', { step: 'escalate', deadline: event.deadline, reason: 'already escalated' });
      const deadline = deadlineOf(ticket, event.deadline);
      if (!deadline || deadlineStatus(deadline, now) !== 'missed') return refuse('TICKET_TRANSITION_INVALID', { step: 'escalate', deadline: event.deadline, reason: 'not overdue' });
      return { ...next, escalated: [...ticket.escalated, event.deadline] };
    }
    case 'void':
      return { ...next, state: 'voided', voided: { from: ticket.state, at: now } };
    case 'restore': {
      if (!ticket.voided) return refuse('TICKET_TRANSITION_INVALID', { step: event.type, reason: 'not voided' });
      // The time spent voided was nobody's to use: running deadlines move on by it.
      const shift = now.getTime() - ticket.voided.at.getTime();
      const moved = (d: Deadline): Deadline => (d.doneAt === null ? { ...d, dueAt: new Date(d.dueAt.getTime() + shift) } : d);
      return {
        ...next,
        state: ticket.voided.from,
        voided: null,
        verify: moved(ticket.verify),
        reply: moved(ticket.reply),
        appeal: ticket.appeal ? { ...ticket.appeal, deadline: moved(ticket.appeal.deadline) } : null,
      };
    }
    case 'recompute_deadline': {
      // Only a deadline still running and not yet escalated moves: one already met or missed stays
      // as the unit was told it.
      const deadline = deadlineOf(ticket, event.deadline);
      const dueAt = new Date(event.dueAt);
      if (!deadline || deadline.doneAt !== null || ticket.escalated.includes(event.deadline) || Number.isNaN(dueAt.getTime())) {
        return refuse('TICKET_TRANSITION_INVALID', { step: event.type, deadline: event.deadline, reason: 'not running' });
      }
      if (event.deadline === 'verify') return { ...next, verify: { ...ticket.verify, dueAt } };
      return ticket.appeal ? { ...next, appeal: { ...ticket.appeal, deadline: { ...ticket.appeal.deadline, dueAt } } } : next;
    }
  }
}

export function deadlineOf(ticket: Ticket, name: DeadlineName): Deadline | null {
  if (name === 'verify') return ticket.verify;
  if (name === 'reply') return ticket.reply;
  return ticket.appeal?.deadline ?? null;
}

/** SLA status of one deadline at `now`: met (done in time), missed (late or overdue), or active. */
export function deadlineStatus(deadline: Deadline, now: Date): DeadlineStatus {
  if (deadline.doneAt !== null) return deadline.doneAt.getTime() <= deadline.dueAt.getTime() ? 'met' : 'missed';
  return now.getTime() > deadline.dueAt.getTime() ? 'missed' : 'active';
}

export interface RecordedEvent {
  event: TicketEvent;
  actor: Actor;
  at: Date;
}

/** The current ticket, derived from its opening and its events; the first refusal stops the fold. */
export function replay(opening: Ticket, events: readonly RecordedEvent[]): Ticket | Refusal {
  let ticket = opening;
  for (const recorded of events) {
    const next = applyEvent(ticket, recorded.event, recorded.actor, recorded.at);
    if (isRefusal(next)) return next;
    ticket = next;
  }
  return ticket;
}

export const TERMINAL_STATES: ReadonlySet<TicketState> = new Set(['closed', 'closed_invalid', 'closed_cannot_fix']);

/** States with no deadline to watch: the closed ones, and a voided ticket (until it is restored). */
export const UNWATCHED_STATES: ReadonlySet<TicketState> = new Set([...TERMINAL_STATES, 'voided']);
