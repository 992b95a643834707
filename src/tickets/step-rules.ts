// Which steps a staff member may take on a ticket, as pure functions that takeStep
// (src/tickets/commands.ts) judges every step by: the caller's actor on the ticket (scope and
// role), the event a step input becomes, and the state machine. `allowedSteps` asks the same
// questions of every step, so the actions a desk shows never disagree with what the server accepts.
import { callerCovers, type Placement } from '../auth/policy.ts';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import type { Refusal } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import { appealDeadline, type TicketSettings } from './rules.ts';
import { applyEvent, isRefusal, type Actor, type AppealKind, type CallbackOutcome, type Ticket, type TicketEvent } from './state-machine.ts';

/** A step as the API takes it; dates and the phone/rater distinction are filled in by {@link eventOf}. */
export type StepInput =
  | { step: 'accept' }
  | { step: 'verified' }
  | { step: 'judge_invalid'; kind: AppealKind; reason: string }
  | { step: 'decide_appeal'; upheld: boolean }
  | { step: 'request_extension'; days: number; reason: string }
  | { step: 'decide_extension'; granted: boolean }
  | { step: 'request_cannot_fix'; reason: string }
  | { step: 'decide_cannot_fix'; approved: boolean }
  | { step: 'reply'; text: string }
  | { step: 'callback'; outcome: CallbackOutcome };

export type StepName = StepInput['step'];

/** Every step a staff member can take, in the order of the workflow. */
export const STAFF_STEPS: readonly StepName[] = ['accept', 'verified', 'judge_invalid', 'decide_appeal', 'request_extension', 'decide_extension', 'request_cannot_fix', 'decide_cannot_fix', 'reply', 'callback'];

export interface StepRules {
  settings: TicketSettings;
  calendar: WorkingDayCalendar;
}

/** Which actor a staff member is on a ticket, or a refusal: 谁办理谁负责, supervisors above it. */
export function actorOf(caller: StaffCaller, place: Placement): Actor | Refusal {
  if (!callerCovers(caller, place)) return { code: 'AUTH_OUT_OF_SCOPE' };
  if (caller.role === 'org_handler') return { role: 'handler', id: caller.accountId };
  if (caller.role === 'supervisor') return { role: 'supervisor', id: caller.accountId };
  return { code: 'TICKET_ACTOR_NOT_ALLOWED', details: { role: caller.role } };
}

export const isActor = (value: Actor | Refusal): value is Actor => !('code' in value);

/** The event a step input becomes at `now`; the rules in force go into it, so a replay judges it as it was judged now. */
export function eventOf(input: StepInput, now: Date, rules: StepRules, byRater: boolean): TicketEvent {
  switch (input.step) {
    case 'judge_invalid':
      return { type: 'judge_invalid', kind: input.kind, reason: input.reason, decideBy: appealDeadline(now, rules.calendar, rules.settings).dueAt.toISOString() };
    case 'callback':
      return { type: 'callback', outcome: input.outcome, by: byRater ? 'rater' : 'phone' };
    case 'reply':
      return { type: 'reply', text: input.text };
    case 'request_extension':
      return { type: 'request_extension', days: input.days, reason: input.reason, maxDays: rules.settings.maxExtensionDays };
    case 'decide_cannot_fix':
      return { type: 'decide_cannot_fix', approved: input.approved, replyFollows: true };
    case 'accept':
    case 'verified':
      return { type: input.step };
    case 'decide_appeal':
      return { type: 'decide_appeal', upheld: input.upheld };
    case 'decide_extension':
      return { type: 'decide_extension', granted: input.granted };
    case 'request_cannot_fix':
      return { type: 'request_cannot_fix', reason: input.reason };
  }
}

/** A valid input for each step: the fields a caller fills in do not decide whether the step is open. */
const PROBES: Record<StepName, StepInput> = {
  accept: { step: 'accept' },
  verified: { step: 'verified' },
  judge_invalid: { step: 'judge_invalid', kind: 'mistaken', reason: '——' },
  decide_appeal: { step: 'decide_appeal', upheld: false },
  request_extension: { step: 'request_extension', days: 1, reason: '——' },
  decide_extension: { step: 'decide_extension', granted: false },
  request_cannot_fix: { step: 'request_cannot_fix', reason: '——' },
  decide_cannot_fix: { step: 'decide_cannot_fix', approved: false },
  reply: { step: 'reply', text: '——' },
  callback: { step: 'callback', outcome: 'satisfied' },
};

/** The steps this caller may take on the ticket now: exactly those takeStep would not refuse. */
export function allowedSteps(caller: StaffCaller, place: Placement, ticket: Ticket, now: Date, rules: StepRules): StepName[] {
  const actor = actorOf(caller, place);
  if (!isActor(actor)) return [];
  return STAFF_STEPS.filter((name) => !isRefusal(applyEvent(ticket, eventOf(PROBES[name], now, rules, false), actor, now)));
}
