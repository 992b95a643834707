// An SMS that reached the platform through the gateway (docs/hotline.md §3): matched to the
// latest open invitation of the sender's phone (by its keyed hash, never the number), read as a
// rating ("1"–"5", full-width digits, the level words), stored through the same intake as every
// evaluation (channel sms), and answered by SMS. Once per gateway message id: the record of the
// message and the queued answer are written in one transaction, and the evaluation's idempotency
// key is derived from the message id, so a gateway's retry stores nothing twice.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB, HotlineSmsOutcome } from '../db/schema.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import type { EvaluationDraft } from '../evaluations/draft.ts';
import type { IntakeWriter } from '../evaluations/intake-writer.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { queueOutbound, type OutboundDraft } from '../outbound/outbound.ts';
import { normalizePerson } from '../pii/person.ts';
import { lookupHash } from '../pii/vault.ts';
import { helpText, HOTLINE_BAD_INDICATOR, HOTLINE_SOURCE, NO_PENDING_TEXT, parseSmsReply, thanksText, type HotlineSource } from './rules.ts';

/** Answers to unreadable replies and to senders with nothing to rate, per phone in 24 hours: no SMS ping-pong. */
export const MAX_HELP_REPLIES_PER_DAY = 3;

export interface InboundSms {
  messageId: string;
  from: string;
  text: string;
  /** When the gateway received it: the time of the rating. */
  receivedAt: Date;
}

export interface SmsDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  intake: Pick<IntakeWriter, 'submit'>;
}

export interface SmsAnswer {
  outcome: HotlineSmsOutcome;
  /** True when this message id was handled before: nothing was done again. */
  repeated: boolean;
  /** The evaluation's receipt number when the message rated a stage. */
  receiptNo: string | null;
  /** Whether an SMS answer was queued to the sender. */
  replied: boolean;
}

interface Decision {
  outcome: HotlineSmsOutcome;
  caseStageId: string | null;
  evaluationId: string | null;
  receiptNo: string | null;
  reply: OutboundDraft | null;
}

const DAY_MS = 86_400_000;
/** Refusals that mean the stage is no longer open to this rating (rated meanwhile through the link, window closed). */
const NOT_PENDING: ReadonlySet<ErrorCode> = new Set(['EVALUATION_ALREADY_EXISTS', 'EVALUATION_WINDOW_CLOSED']);

/** What is known of the message once read: who sent it (as a keyed hash too), and its evaluation key. */
interface Sender {
  phone: string;
  phoneLookup: Buffer;
  /** The idempotency key of the evaluation it may make, derived from the message id. */
  clientId: string;
  now: Date;
}

export async function receiveSms(deps: SmsDeps, source: HotlineSource, sms: InboundSms): Promise<SmsAnswer> {
  const earlier = await recorded(deps.db, source.appId, sms.messageId);
  if (earlier) return earlier;
  const person = normalizePerson({ phone: sms.from });
  if ('problem' in person || !person.phone) throw new AppError('PII_INVALID', { field: 'from' });
  const sender: Sender = {
    phone: person.phone,
    phoneLookup: lookupHash(deps.config, 'phone', person.phone),
    clientId: `sms:${source.appId}:${sms.messageId}`,
    now: deps.clock(),
  };
  const decision = await decide(deps, source, sms, sender);
  if (!(await record(deps.db, source, sms.messageId, sender, decision))) {
    // A concurrent delivery of the same message recorded it first.
    const other = await recorded(deps.db, source.appId, sms.messageId);
    if (!other) throw new AppError('SERVICE_UNAVAILABLE', { retry: true });
    return other;
  }
  return { outcome: decision.outcome, repeated: false, receiptNo: decision.receiptNo, replied: decision.reply !== null };
}

const NOTHING = { caseStageId: null, evaluationId: null, receiptNo: null };

async function decide(deps: SmsDeps, source: HotlineSource, sms: InboundSms, sender: Sender): Promise<Decision> {
  const { db, config } = deps;
  const reply = parseSmsReply(sms.text);
  if (reply.kind === 'unsubscribe') return { outcome: 'unsubscribed', ...NOTHING, reply: null };
  const invitation = await openInvitation(db, sender);
  if (!invitation) {
    // Only a phone the platform has texted gets an answer: a stranger's number is not texted.
    const last = await db.selectFrom('rating_invitation').select('case_id').where('phone_lookup', '=', sender.phoneLookup).orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
    return last ? notPending(db, sender, last.case_id) : { outcome: 'unknown_sender', ...NOTHING, reply: null };
  }
  const shortUrl = `${config.http.publicBaseUrl}/s/${invitation.short_code}`;
  if (reply.kind === 'unknown') {
    const help = (await mayHelp(db, sender)) ? helpText(shortUrl) : null;
    return {
      outcome: 'invalid',
      ...NOTHING,
      caseStageId: invitation.case_stage_id,
      reply: help ? { channel: 'sms', recipient: { kind: 'applicant', id: invitation.case_id }, purpose: 'sms-help', body: help } : null,
    };
  }
  const draft: EvaluationDraft = {
    clientId: sender.clientId,
    derivedKey: false,
    projectNo: invitation.project_no,
    serviceNumber: invitation.service_number,
    assessNumber: 1,
    level: reply.level,
    indicatorVersion: null,
    indicatorCodes: BAD_LEVELS.has(reply.level) ? [HOTLINE_BAD_INDICATOR] : [],
    comment: null,
    channel: 'sms',
    isDefault: false,
    // Not anonymous: the phone is sealed with the evaluation, so that the thanks and a ticket's answer reach it.
    isAnonymous: false,
    assessedAt: sms.receivedAt,
    userProp: null,
    rater: { phone: sender.phone },
  };
  const [outcome] = await deps.intake.submit([{ draft, sourceApp: HOTLINE_SOURCE, scope: source }]);
  if (!outcome) throw new AppError('INTERNAL_ERROR');
  if (outcome.status === 'refused') {
    if (NOT_PENDING.has(outcome.refusal.code)) return notPending(db, sender, invitation.case_id);
    throw new AppError(outcome.refusal.code, outcome.refusal.details);
  }
  const stored = outcome.evaluation;
  const body = thanksText({
    level: stored.level,
    levelName: LEVEL_NAMES[stored.level]?.zh ?? String(stored.level),
    receiptNo: stored.receiptNo,
    replyDays: config.tickets.replyDays,
    shortUrl,
    receiptUrl: `${config.http.publicBaseUrl}/r/${stored.receiptNo}`,
  });
  return {
    outcome: 'rated',
    caseStageId: invitation.case_stage_id,
    evaluationId: stored.id,
    receiptNo: stored.receiptNo,
    reply: { channel: 'sms', recipient: { kind: 'rater', id: stored.id }, purpose: 'sms-thanks', body },
  };
}

/** Nothing to rate for a phone that was invited before: a polite answer to the applicant of that case. */
async function notPending(db: Kysely<DB>, sender: Sender, caseId: string): Promise<Decision> {
  const reply: OutboundDraft | null = (await mayHelp(db, sender)) ? { channel: 'sms', recipient: { kind: 'applicant', id: caseId }, purpose: 'sms-no-pending', body: NO_PENDING_TEXT } : null;
  return { outcome: 'no_pending', ...NOTHING, reply };
}

/**
 * Records the message with what was decided, the opt-out and the answer queued with its delivery,
 * in one transaction. False when the message id was recorded already (a concurrent delivery of the
 * same message waits on the insert and finds it taken): then nothing is written.
 */
async function record(db: Kysely<DB>, source: HotlineSource, messageId: string, sender: Sender, decision: Decision): Promise<boolean> {
  const { now, phoneLookup } = sender;
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('hotline_sms')
      .values({
        source_app: source.appId,
        message_id: messageId,
        received_at: now,
        phone_lookup: phoneLookup,
        outcome: decision.outcome,
        case_stage_id: decision.caseStageId,
        evaluation_id: decision.evaluationId,
        reply_id: null,
      })
      .onConflict((oc) => oc.columns(['source_app', 'message_id']).doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (!claimed) return false;
    if (decision.outcome === 'unsubscribed') {
      await trx.insertInto('sms_opt_out').values({ phone_lookup: phoneLookup, at: now }).onConflict((oc) => oc.column('phone_lookup').doNothing()).execute();
    }
    if (decision.reply) {
      const replyId = await queueOutbound(trx, decision.reply, now);
      await trx.updateTable('hotline_sms').set({ reply_id: replyId }).where('source_app', '=', source.appId).where('message_id', '=', messageId).execute();
    }
    return true;
  });
}

/** The answer given to a message id before, if any. */
async function recorded(db: Kysely<DB>, sourceApp: string, messageId: string): Promise<SmsAnswer | null> {
  const row = await db
    .selectFrom('hotline_sms as m')
    .leftJoin('evaluation as e', 'e.id', 'm.evaluation_id')
    .select(['m.outcome', 'm.reply_id', 'e.receipt_no'])
    .where('m.source_app', '=', sourceApp)
    .where('m.message_id', '=', messageId)
    .executeTakeFirst();
  return row ? { outcome: row.outcome, repeated: true, receiptNo: row.receipt_no, replied: row.reply_id !== null } : null;
}

/**
 * The latest invitation to this phone whose window is open and whose stage has no first rating,
 * except one made by this very message (a retry after the evaluation was stored but not the record).
 */
async function openInvitation(db: Kysely<DB>, { phoneLookup, clientId, now }: Sender) {
  return db
    .selectFrom('rating_invitation as i')
    .innerJoin('case_stage as s', 's.id', 'i.case_stage_id')
    .innerJoin('service_case as c', 'c.id', 'i.case_id')
    .innerJoin('rating_link as l', 'l.id', 'i.link_id')
    .select(['i.case_stage_id', 'i.case_id', 'c.project_no', 's.service_number', 'l.short_code'])
    .where('i.phone_lookup', '=', phoneLookup)
    .where('i.expires_at', '>', now)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('evaluation_slot as slot')
            .innerJoin('evaluation as e', 'e.id', 'slot.evaluation_id')
            .select('slot.case_stage_id')
            .whereRef('slot.case_stage_id', '=', 'i.case_stage_id')
            .where('slot.assess_number', '=', 1)
            .where((eb) => eb.or([eb('e.source_app', '!=', HOTLINE_SOURCE), eb('e.client_id', 'is distinct from', clientId)])),
        ),
      ),
    )
    .orderBy('i.sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Whether another help or no-pending answer may go to this phone today. */
async function mayHelp(db: Kysely<DB>, { phoneLookup, now }: Sender): Promise<boolean> {
  const row = await db
    .selectFrom('hotline_sms')
    .select((eb) => eb.fn.countAll<number>().as('answers'))
    .where('phone_lookup', '=', phoneLookup)
    .where('received_at', '>', new Date(now.getTime() - DAY_MS))
    .where('outcome', 'in', ['invalid', 'no_pending'])
    .where('reply_id', 'is not', null)
    .executeTakeFirst();
  return Number(row?.answers ?? 0) < MAX_HELP_REPLIES_PER_DAY;
}
