// Ticket commands: a step taken by a handler, a supervisor or the rater, and the watch job that
// warns, escalates and reminds. Each runs in one transaction with everything it causes: the event,
// the projection, notifications, the message to the rater, the evaluation's exclusion flag.
import type { Kysely, Transaction } from 'kysely';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB, TicketAttachmentRef } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { resolveAttachments, type AttachmentInput } from '../evidence/store.ts';
import type { StaffCaller } from '../http/caller.ts';
import { cancelJob, scheduleJob, type JobHandler } from '../jobs/scheduled-jobs.ts';
import { signLink } from '../links/signed-link.ts';
import { notify, type Recipients } from '../notifications/notifications.ts';
import { queueOutbound } from '../outbound/outbound.ts';
import { appendEvaluationFlag, applyTicketStep } from '../scoring/footprint.ts';
import { TICKET_OPENED, TICKET_WATCH } from './opening.ts';
import { appealDeadline, planWatch } from './rules.ts';
import { applyEvent, AWAITING_CALLBACK, isRefusal, UNWATCHED_STATES, type Actor, type CallbackOutcome, type TicketEvent } from './state-machine.ts';
import { actorOf, eventOf, isActor, type StepInput, type StepRules } from './step-rules.ts';
import { appendStep, recordWatchDone, setProvisionalDeadlines, ticketFromRow, type TicketRow } from './store.ts';

export interface TicketDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  calendar: WorkingDayCalendar;
}

export interface StepRequest {
  ticketId: string;
  input: StepInput;
  /** The version the caller saw; a different current version is a conflict. */
  version: number | null;
  note: string | null;
  /** References, or evidence files by digest (checked and described from evidence_file by takeStep). */
  attachments: AttachmentInput[];
}

/** A step with its attachments as the event records them. */
type ResolvedStepRequest = Omit<StepRequest, 'attachments'> & { attachments: TicketAttachmentRef[] };

export const CALLBACK_LINK = 'callback';

/** Which actor a staff member is on this ticket (step-rules.ts actorOf), or the refusal thrown. */
export function actorFor(caller: StaffCaller, ticket: Pick<TicketRow, 'org_id' | 'region_path'>): Actor {
  const actor = actorOf(caller, { regionPath: ticket.region_path, orgId: ticket.org_id });
  if (!isActor(actor)) throw new AppError(actor.code, actor.details);
  return actor;
}

const stepRules = (deps: TicketDeps): StepRules => ({ settings: deps.config.tickets, calendar: deps.calendar });

async function lockTicket(trx: Transaction<DB>, id: string): Promise<TicketRow> {
  const row = await trx.selectFrom('ticket').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new AppError('TICKET_NOT_FOUND');
  return row;
}

/** Take one step on a ticket as `actor` (already checked against the ticket by the caller). */
async function step(trx: Transaction<DB>, deps: TicketDeps, row: TicketRow, actor: Actor, request: ResolvedStepRequest, now: Date, byRater: boolean): Promise<TicketRow> {
  if (request.version !== null && request.version !== row.version) throw new AppError('TICKET_CONFLICT', { ticketId: row.id, version: row.version, state: row.state });
  const ticket = ticketFromRow(row);
  const event = eventOf(request.input, now, stepRules(deps), byRater);
  const next = applyEvent(ticket, event, actor, now);
  if (isRefusal(next)) throw new AppError(next.code, next.details);
  let moved = await appendStep(trx, row, next, { event, actor, note: request.note, attachments: request.attachments }, now);
  // An appeal's decision date counted beyond the known calendar is marked, to be recomputed with the notice.
  if (event.type === 'judge_invalid' && appealDeadline(now, deps.calendar, deps.config.tickets).provisional) {
    moved = await setProvisionalDeadlines(trx, moved, [...moved.provisional_deadlines, 'appeal']);
  }
  await applyTicketStep(trx, row.evaluation_id, row.opened_day, ticket, next);
  await stepEffects(trx, deps, moved, event, actor, request, now);
  // A closed ticket needs no watch; otherwise the watch looks again at once (deadlines and reminders changed).
  if (UNWATCHED_STATES.has(moved.state)) await cancelJob(trx, TICKET_WATCH, row.id, now);
  else await scheduleJob(trx, { kind: TICKET_WATCH, subjectId: row.id, dueAt: now }, now);
  return moved;
}

/** A staff member's step. */
export async function takeStep(deps: TicketDeps, caller: StaffCaller, request: StepRequest): Promise<TicketRow> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockTicket(trx, request.ticketId);
    const actor = actorFor(caller, row);
    // Evidence files are looked up in this transaction: the event names exactly what was checked.
    const attachments = await resolveAttachments(trx, caller.accountId, row.id, request.attachments);
    return step(trx, deps, row, actor, { ...request, attachments }, now, false);
  });
}

/**
 * The rater's answer to the callback on the receipt page: whoever holds the receipt number (an
 * anonymous rater has nothing else) rates the fix of the answer they read, once. `seenVersion` is
 * the ticket's version on the page they read, so a newer answer they have not seen is not rated.
 */
export async function answerCallbackByReceipt(deps: TicketDeps, receiptNo: string, seenVersion: number, outcome: CallbackOutcome): Promise<TicketRow> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('ticket').select('id').where('receipt_no', '=', receiptNo).executeTakeFirst();
    if (!found) throw new AppError('RECEIPT_NOT_FOUND');
    const row = await lockTicket(trx, found.id);
    if (!AWAITING_CALLBACK.has(row.state)) throw new AppError('CALLBACK_NOT_OPEN', { state: row.state });
    if (row.version !== seenVersion) throw new AppError('CALLBACK_REPLY_CHANGED');
    return step(trx, deps, row, { role: 'rater', id: 'receipt' }, { ticketId: row.id, input: { step: 'callback', outcome }, version: seenVersion, note: null, attachments: [] }, now, true);
  });
}

/** The rater's answer to the callback, through the signed link of the latest reply. */
export async function answerCallback(deps: TicketDeps, ticketId: string, linkVersion: number, outcome: CallbackOutcome): Promise<TicketRow> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockTicket(trx, ticketId);
    // A link belongs to one reply: once answered, or after a new reply, it is spent.
    if (!AWAITING_CALLBACK.has(row.state) || row.version !== linkVersion) throw new AppError('LINK_EXPIRED', { reason: 'answered or superseded' });
    return step(trx, deps, row, { role: 'rater', id: 'callback-link' }, { ticketId, input: { step: 'callback', outcome }, version: linkVersion, note: null, attachments: [] }, now, true);
  });
}

/** Signed for another purpose, a link of the callback link's exact shape that opens nothing (the reply preview). */
export const PREVIEW_LINK = 'callback-preview';

export function callbackLink(deps: Pick<TicketDeps, 'config'>, row: Pick<TicketRow, 'id' | 'version'>, now: Date, purpose = CALLBACK_LINK): string {
  const token = signLink(deps.config.links.key, {
    purpose,
    subjectId: row.id,
    version: row.version,
    expiresAt: new Date(now.getTime() + deps.config.tickets.callbackLinkDays * 86_400_000),
  });
  return `${deps.config.http.publicBaseUrl}/c/${token}`;
}

async function tell(trx: Transaction<DB>, row: TicketRow, kind: string, params: Record<string, unknown>, to: Recipients, now: Date, email = false): Promise<void> {
  await notify(trx, { kind, ticketId: row.id, params: { receiptNo: row.receipt_no, ...params }, to, email }, now);
}

const handlersOf = (row: TicketRow): Recipients => ({ orgHandlersOf: row.org_id });
const supervisorsOf = (row: TicketRow): Recipients => ({ supervisorsOver: row.region_path, nearestOnly: true });

/**
 * Every rater who left a phone gets the answer by SMS with the callback link, whichever way they
 * rated (a text to the hotline, a rating page, a hall evaluator); the others read it behind their
 * receipt number, where they may rate the fix too.
 */
export const repliesBySms = (rated: { rater_phone_lookup: Uint8Array | null }) => rated.rater_phone_lookup !== null;

/** The SMS a rater gets with a reply (the one template; the desk's preview shows it too). */
export function replySms(receiptNo: string, text: string, link: string): string {
  return `【政务服务好差评】您的评价（回执号${receiptNo}）已收到答复：${text} 请对整改结果作出评价：${link}`;
}

async function replyToRater(trx: Transaction<DB>, deps: TicketDeps, row: TicketRow, text: string, now: Date): Promise<void> {
  const rated = await trx.selectFrom('evaluation').select(['rater_phone_lookup']).where('id', '=', row.evaluation_id).executeTakeFirst();
  if (!rated || !repliesBySms(rated)) return;
  const body = replySms(row.receipt_no, text, callbackLink(deps, row, now));
  await queueOutbound(trx, { channel: 'sms', recipient: { kind: 'rater', id: row.evaluation_id }, purpose: 'ticket-reply', body }, now);
}

async function stepEffects(trx: Transaction<DB>, deps: TicketDeps, row: TicketRow, event: TicketEvent, actor: Actor, request: ResolvedStepRequest, now: Date): Promise<void> {
  switch (event.type) {
    case 'judge_invalid':
      return tell(trx, row, 'appeal_filed', { kind: event.kind }, supervisorsOf(row), now, true);
    case 'decide_appeal':
      if (event.upheld) {
        // The evaluation leaves every score by an append-only flag; it is never deleted.
        await appendEvaluationFlag(trx, { evaluationId: row.evaluation_id, kind: 'appeal_upheld', reason: request.note ?? `ticket ${row.id}`, actor: actor.id }, now);
      }
      return tell(trx, row, 'appeal_decided', { upheld: event.upheld }, handlersOf(row), now);
    case 'request_extension':
      return tell(trx, row, 'extension_requested', { days: event.days }, supervisorsOf(row), now, true);
    case 'decide_extension':
      return tell(trx, row, 'extension_decided', { granted: event.granted }, handlersOf(row), now);
    case 'request_cannot_fix':
      return tell(trx, row, 'cannot_fix_requested', {}, supervisorsOf(row), now, true);
    case 'decide_cannot_fix':
      return tell(trx, row, 'cannot_fix_decided', { approved: event.approved, replyFollows: event.replyFollows === true }, handlersOf(row), now);
    case 'reply':
      return replyToRater(trx, deps, row, event.text, now);
    case 'callback':
      // An unhappy callback reopens the ticket, except after an approved 无法整改, which it closes.
      if (event.outcome === 'unsatisfied' && row.state !== 'closed_cannot_fix') return tell(trx, row, 'callback_unsatisfied', {}, handlersOf(row), now, true);
      return tell(trx, row, 'ticket_closed', { state: row.state }, handlersOf(row), now);
    default:
      return;
  }
}

/**
 * The scheduled check of one ticket (job kind 'ticket.watch'): announce, warn, escalate and remind
 * as planWatch says, remember what was done, and book the next check.
 */
export function watchTicket(deps: Pick<TicketDeps, 'config'>): JobHandler {
  return async (trx, job, now) => {
    let row = await trx.selectFrom('ticket').selectAll().where('id', '=', job.subjectId).forUpdate().executeTakeFirst();
    if (!row) return;
    const plan = planWatch(ticketFromRow(row), row.evaluated_at, row.watch_done, now, deps.config.tickets);
    for (const action of plan.actions) {
      switch (action.kind) {
        case 'opened':
          await tell(trx, row, TICKET_OPENED, { level: row.level }, handlersOf(row), now);
          break;
        case 'warn':
          await tell(trx, row, 'deadline_warning', { deadline: action.deadline, dueAt: action.dueAt.toISOString(), hoursLeft: action.hoursLeft }, action.deadline === 'appeal' ? supervisorsOf(row) : handlersOf(row), now, true);
          break;
        case 'escalate': {
          const event: TicketEvent = { type: 'escalate', deadline: action.deadline };
          const next = applyEvent(ticketFromRow(row), event, { role: 'system', id: 'scheduler' }, now);
          if (isRefusal(next)) break;
          row = await appendStep(trx, row, next, { event, actor: { role: 'system', id: 'scheduler' }, note: null, attachments: [] }, now);
          await tell(trx, row, 'deadline_missed', { deadline: action.deadline }, handlersOf(row), now, true);
          await tell(trx, row, 'ticket_escalated', { deadline: action.deadline }, supervisorsOf(row), now, true);
          break;
        }
        case 'remind_callback':
          await tell(trx, row, 'callback_due', {}, handlersOf(row), now);
          break;
      }
    }
    await recordWatchDone(trx, row.id, plan.done);
    if (plan.nextAt !== null) await scheduleJob(trx, { kind: TICKET_WATCH, subjectId: row.id, dueAt: plan.nextAt }, now);
  };
}
