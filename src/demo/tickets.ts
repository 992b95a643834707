// The demo's bad-rating tickets, walked through months of plausible work: each ticket opened by
// intake gets a story (closed after a satisfied callback, reopened, appealed, extended, cannot be
// fixed, replied late), planned here as timed steps and taken through the real ticket commands
// with a clock that shows each step's own time. Tickets of the last days stop where the clock is,
// so that the console has live work; a few are neglected and overdue.
//
// The steps are taken before the demo accounts exist, so the history leaves no notifications;
// afterwards the scheduled jobs run once at the demo's `now` (runTicketJobs), which writes the
// notifications of the current state only, escalates what is overdue, and hands the SMS replies
// to raters to a console gateway that prints nothing (see runTicketJobs).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import type { StaffCaller } from '../http/caller.ts';
import { runDueJobs, type JobCounts } from '../jobs/scheduled-jobs.ts';
import { deliverOutbound } from '../outbound/deliver.ts';
import { OUTBOUND_DELIVERY } from '../outbound/outbound.ts';
import { consoleGateway } from '../outbound/gateway.ts';
import { answerCallback, repliesBySms, takeStep, watchTicket, type TicketDeps } from '../tickets/commands.ts';
import type { StepInput } from '../tickets/step-rules.ts';
import { TICKET_WATCH } from '../tickets/opening.ts';
import { appealDeadline, type TicketSettings } from '../tickets/rules.ts';
import type { CallbackOutcome } from '../tickets/state-machine.ts';
import type { TicketRow } from '../tickets/store.ts';
import {
  BAD_COMMENTS,
  TICKET_APPEAL_REASONS,
  TICKET_CANNOT_FIX_REASONS,
  TICKET_DECISION_NOTES,
  TICKET_EXTENSION_REASONS,
  TICKET_REPLIES,
  TICKET_SECOND_REPLIES,
} from './content.ts';
import { DEMO_SOURCE_APP } from './constants.ts';
import type { Random } from './random.ts';
import { DAY, HOUR, intoOfficeHours, MINUTE } from './time.ts';

/** What a ticket's story is, before the clock cuts it short. */
export type Story = 'closed' | 'closed_late' | 'reopened' | 'appeal' | 'extension' | 'cannot_fix';

const STORIES: ReadonlyArray<readonly [Story, number]> = [
  ['closed', 0.84],
  ['reopened', 0.05],
  ['appeal', 0.04],
  ['closed_late', 0.03],
  ['extension', 0.02],
  ['cannot_fix', 0.02],
];

/** Tickets opened this recently are live work: some not yet taken up, some stuck. */
const LIVE_DAYS = 10;
/** Of tickets opened this long ago, a few were verified and then never answered (reply overdue). */
const NEGLECTED_FROM_DAYS = 16;
const NEGLECTED_TO_DAYS = 45;

export interface TicketFacts {
  evaluatedAt: number;
  verifyDueAt: number;
  replyDueAt: number;
  /** The reply reaches the rater by SMS, with a link to answer the callback. */
  smsReply: boolean;
  /** Theme of the complaint (content.ts BAD_COMMENTS keys), for the reply's wording. */
  theme: string;
}

export type StepBy = 'handler' | 'supervisor' | 'rater';

export interface PlannedStep {
  at: number;
  by: StepBy;
  input: StepInput;
  note: string | null;
}

export interface TicketPlan {
  story: Story;
  /** Only the steps taken by `now`, in time order. */
  steps: PlannedStep[];
}

export interface PlanContext {
  now: number;
  calendar: WorkingDayCalendar;
  settings: TicketSettings;
}

/** An office-hours time at or after `earliest`, and by `latest` if office hours allow; else somewhere in between. */
function officeBetween(random: Random, earliest: number, latest: number): number {
  const at = intoOfficeHours(random, earliest);
  if (at <= latest) return at;
  return latest <= earliest ? earliest : earliest + Math.floor(random.next() * (latest - earliest));
}

const office = (random: Random, at: number) => intoOfficeHours(random, at);

/** Days from the evaluation to the reply: 2 to 14, mostly within a week. */
function replyDays(random: Random): number {
  return 2 + 12 * random.next() ** 1.7;
}

function closingOutcome(random: Random): CallbackOutcome {
  return random.chance(0.7) ? 'satisfied' : 'basically_satisfied';
}

/**
 * The ticket's whole story as timed steps, then cut at `now`; live and neglected tickets stop
 * earlier. Pure: the same random state and facts give the same plan.
 */
export function planTicket(random: Random, facts: TicketFacts, context: PlanContext): TicketPlan {
  const { evaluatedAt, verifyDueAt, replyDueAt } = facts;
  const story = random.weighted(STORIES);
  const steps: PlannedStep[] = [];
  const add = (at: number, by: StepBy, input: StepInput, note: string | null = null) => {
    // Each step after the one before it, whatever the office hours did.
    const previous = steps.at(-1)?.at ?? evaluatedAt;
    steps.push({ at: Math.max(at, previous + random.int(1, 20) * MINUTE), by, input, note });
  };
  const last = () => steps.at(-1)?.at ?? evaluatedAt;
  const replyText = () => random.pick(TICKET_REPLIES[facts.theme] ?? TICKET_REPLIES.other ?? ['您好，您反映的问题已整改完毕。']);

  /** The reply and its callback (by the rater's link or by phone); an unsatisfied callback reopens the ticket. */
  const replyAndCallback = (replyAt: number, text: string, outcome: CallbackOutcome) => {
    add(replyAt, 'handler', { step: 'reply', text });
    // Drawn whether or not the rater can answer by link, so that who gets an SMS does not reshuffle the rest of the story.
    const answersLink = random.chance(0.55);
    const byLink = facts.smsReply && answersLink;
    const callbackAt = byLink ? last() + random.between(2 * HOUR, 3 * DAY) : office(random, last() + random.between(1 * DAY, 3 * DAY));
    add(callbackAt, byLink ? 'rater' : 'handler', { step: 'callback', outcome }, byLink ? null : '电话回访');
  };
  const onTimeReplyAt = (earliest: number) => officeBetween(random, Math.max(earliest, evaluatedAt + replyDays(random) * DAY), replyDueAt - 30 * MINUTE);

  // Taken up within hours; verified within the working-day limit, mostly.
  add(office(random, evaluatedAt + random.between(10 * MINUTE, 3 * HOUR)), 'handler', { step: 'accept' });
  const verifyAt = random.chance(0.06) ? office(random, verifyDueAt + random.between(1 * HOUR, 30 * HOUR)) : officeBetween(random, last() + random.between(20 * MINUTE, 4 * HOUR), verifyDueAt - 5 * MINUTE);

  if (story === 'appeal') {
    const kind = random.chance(0.6) ? 'mistaken' : 'malicious';
    add(verifyAt, 'handler', { step: 'judge_invalid', kind, reason: random.pick(TICKET_APPEAL_REASONS[kind]) });
    const decideBy = appealDeadline(new Date(last()), context.calendar, context.settings).dueAt.getTime();
    const upheld = random.chance(0.5);
    add(officeBetween(random, last() + random.between(4 * HOUR, 3 * DAY), decideBy - HOUR), 'supervisor', { step: 'decide_appeal', upheld }, random.pick(upheld ? TICKET_DECISION_NOTES.appealUpheld : TICKET_DECISION_NOTES.appealRefused));
    if (!upheld) replyAndCallback(officeBetween(random, last() + random.between(1 * DAY, 4 * DAY), replyDueAt - 30 * MINUTE), replyText(), closingOutcome(random));
  } else {
    add(verifyAt, 'handler', { step: 'verified' });
    switch (story) {
      case 'closed':
        replyAndCallback(onTimeReplyAt(last() + 2 * HOUR), replyText(), closingOutcome(random));
        break;
      case 'closed_late':
        replyAndCallback(office(random, replyDueAt + random.between(1 * DAY, 10 * DAY)), replyText(), closingOutcome(random));
        break;
      case 'reopened':
        replyAndCallback(onTimeReplyAt(last() + 2 * HOUR), replyText(), 'unsatisfied');
        replyAndCallback(office(random, last() + random.between(2 * DAY, 6 * DAY)), random.pick(TICKET_SECOND_REPLIES), closingOutcome(random));
        break;
      case 'extension': {
        const days = Math.min(context.settings.maxExtensionDays, random.int(5, 15));
        add(office(random, Math.max(last() + DAY, evaluatedAt + random.between(8 * DAY, 12 * DAY))), 'handler', { step: 'request_extension', days, reason: random.pick(TICKET_EXTENSION_REASONS) });
        const granted = random.chance(0.8);
        add(office(random, last() + random.between(4 * HOUR, 2 * DAY)), 'supervisor', { step: 'decide_extension', granted }, random.pick(granted ? TICKET_DECISION_NOTES.extensionGranted : TICKET_DECISION_NOTES.extensionRefused));
        const replyAt = granted
          ? officeBetween(random, Math.max(last() + 2 * HOUR, replyDueAt + random.between(1 * DAY, Math.max(1, days - 1) * DAY)), replyDueAt + days * DAY - HOUR)
          : office(random, last() + random.between(1 * DAY, 3 * DAY));
        replyAndCallback(replyAt, replyText(), closingOutcome(random));
        break;
      }
      case 'cannot_fix': {
        add(office(random, Math.max(last() + DAY, evaluatedAt + random.between(3 * DAY, 9 * DAY))), 'handler', { step: 'request_cannot_fix', reason: random.pick(TICKET_CANNOT_FIX_REASONS) });
        const approved = random.chance(0.8);
        add(office(random, last() + random.between(12 * HOUR, 3 * DAY)), 'supervisor', { step: 'decide_cannot_fix', approved }, random.pick(approved ? TICKET_DECISION_NOTES.cannotFixApproved : TICKET_DECISION_NOTES.cannotFixRefused));
        // Approved or not, the rater is answered: a solution worked out, or the fix.
        replyAndCallback(office(random, last() + random.between(1 * DAY, 3 * DAY)), replyText(), closingOutcome(random));
        break;
      }
    }
  }

  // Live work: of the recent tickets some are not taken up or not verified yet; a few older ones
  // were verified and then left unanswered past the reply deadline.
  const age = context.now - evaluatedAt;
  let keep = steps.length;
  const u = random.next();
  if (age < LIVE_DAYS * DAY) {
    if (u < 0.06) keep = 0;
    else if (u < 0.12) keep = 1;
  } else if (age >= NEGLECTED_FROM_DAYS * DAY && age < NEGLECTED_TO_DAYS * DAY && u < 0.05 && story !== 'appeal') {
    keep = 2;
  }
  const taken: PlannedStep[] = [];
  for (const step of steps.slice(0, keep)) {
    if (step.at > context.now) break;
    taken.push(step);
  }
  return { story, steps: taken };
}

/** A made-up but stable account id (uuid-shaped) for the demo's ticket actors, who have no accounts. */
export function demoActorId(key: string): string {
  const hex = createHash('sha256').update(`demo-actor:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The prefecture part of a region path ('510000/510100/510104/' → '510000/510100/'); the province for provincial orgs. */
export function prefecturePath(regionPath: string): string {
  const parts = regionPath.split('/').filter((p) => p !== '');
  return `${parts.slice(0, 2).join('/')}/`;
}

export function handlerCaller(orgId: string): StaffCaller {
  return { kind: 'staff', accountId: demoActorId(`handler:${orgId}`), username: 'demo-handler', role: 'org_handler', regionPath: null, orgId };
}

export function supervisorCaller(regionPath: string): StaffCaller {
  const path = prefecturePath(regionPath);
  return { kind: 'staff', accountId: demoActorId(`supervisor:${path}`), username: 'demo-supervisor', role: 'supervisor', regionPath: path, orgId: null };
}

function themeOf(comment: string | null): string {
  if (comment === null) return 'other';
  for (const [theme, comments] of Object.entries(BAD_COMMENTS)) if (comments.includes(comment)) return theme;
  return 'other';
}

export interface TicketWalkTally {
  tickets: number;
  steps: number;
}

export interface TicketWalkDeps {
  db: Kysely<DB>;
  config: Config;
  calendar: WorkingDayCalendar;
  now: Date;
}

/** Tickets walked side by side: on PostgreSQL they use several connections; PGlite takes them in turn. */
const CONCURRENCY = 4;

/** Plan every open demo ticket's history and take its steps through the ticket commands. */
export async function walkTickets(deps: TicketWalkDeps, random: Random): Promise<TicketWalkTally> {
  const { db, config, calendar } = deps;
  const rows = await db
    .selectFrom('ticket as t')
    .innerJoin('evaluation as e', 'e.id', 't.evaluation_id')
    .select(['t.id', 't.org_id', 't.region_path', 't.evaluated_at', 't.verify_due_at', 't.reply_due_at', 't.channel', 't.version', 'e.comment', 'e.rater_phone_lookup'])
    .where('t.state', '=', 'open')
    .where('t.version', '=', 0)
    .where('e.source_app', '=', DEMO_SOURCE_APP)
    // A deterministic order (ticket ids are not), so that the seed decides every story.
    .orderBy('t.evaluated_at')
    .orderBy('e.project_no')
    .orderBy('e.service_number')
    .orderBy('e.assess_number')
    .execute();
  const context: PlanContext = { now: deps.now.getTime(), calendar, settings: config.tickets };
  const plans = rows.map((row) => {
    const facts: TicketFacts = {
      evaluatedAt: row.evaluated_at.getTime(),
      verifyDueAt: row.verify_due_at.getTime(),
      replyDueAt: row.reply_due_at.getTime(),
      smsReply: repliesBySms(row),
      theme: themeOf(row.comment),
    };
    return { row, plan: planTicket(random, facts, context) };
  });

  const tally: TicketWalkTally = { tickets: rows.length, steps: plans.reduce((sum, { plan }) => sum + plan.steps.length, 0) };

  let next = 0;
  const worker = async () => {
    for (let index = next++; index < plans.length; index = next++) {
      const item = plans[index];
      if (!item) continue;
      const { row, plan } = item;
      let version = row.version;
      for (const step of plan.steps) {
        const stepDeps: TicketDeps = { db, config, calendar, clock: () => new Date(step.at) };
        let moved: TicketRow;
        if (step.by === 'rater' && step.input.step === 'callback') {
          moved = await answerCallback(stepDeps, row.id, version, step.input.outcome);
        } else {
          const caller = step.by === 'supervisor' ? supervisorCaller(row.region_path) : handlerCaller(row.org_id);
          moved = await takeStep(stepDeps, caller, { ticketId: row.id, input: step.input, version, note: step.note, attachments: [] });
        }
        version = moved.version;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return tally;
}

/**
 * Run the scheduled jobs due at `now` until none is: each open ticket's watch looks at it once
 * (notifications of the current state, warnings, escalation of what is overdue), and the SMS
 * replies queued in the history are delivered. Those go to a console gateway that prints nothing,
 * whatever gateway is configured: demo raters' phone numbers are made up and may be someone's.
 */
export async function runTicketJobs(deps: { db: Kysely<DB>; config: Config; now: Date }): Promise<JobCounts & { messages: number }> {
  let messages = 0;
  const quiet = consoleGateway({ info: () => void messages++ });
  const handlers = {
    [TICKET_WATCH]: watchTicket({ config: deps.config }),
    [OUTBOUND_DELIVERY]: deliverOutbound({ config: deps.config, gateway: quiet }),
  };
  // The step that closed a ticket also cancelled its watch, so only open tickets' watches run here.
  const total = await runDueJobs(deps.db, handlers, deps.now, { limit: Number.POSITIVE_INFINITY });
  return { ...total, messages };
}


/** 'closed 905 · rectifying 40 · …', largest first, states with none left out. */
export function formatTicketStates(byState: Readonly<Record<string, number>>): string {
  return Object.entries(byState)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([state, n]) => `${state} ${n}`)
    .join(' · ');
}
