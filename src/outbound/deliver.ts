// Delivering one queued outbound message, as a scheduled-job handler: lock the message, resolve
// the address (a staff account's work e-mail, or the phone of a rater or a case's applicant,
// unsealed with a logged read), hand it to the gateway, and mark it sent. A failed hand-over is
// recorded and booked again after a back-off, until the last attempt, which marks the message
// failed. See docs/outbound.md.
import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB, MaskedPerson, OutboundMessageTable } from '../db/schema.ts';
import { retryDelayMs, scheduleJob } from '../jobs/scheduled-jobs.ts';
import { revealPerson } from '../pii/vault.ts';
import { OUTBOUND_DELIVERY } from './outbound.ts';
import type { OutboundGateway } from './gateway.ts';

export const MAX_DELIVERY_ATTEMPTS = 8;


export interface OutboundJob {
  /** The outbound message id. */
  subjectId: string;
}

export interface DeliverDeps {
  config: Config;
  gateway: OutboundGateway;
  maxAttempts?: number;
}

export type DeliverOutbound = (trx: Transaction<DB>, job: OutboundJob, now: Date) => Promise<void>;

type Message = Pick<OutboundMessageTable, 'id' | 'channel' | 'recipient_kind' | 'recipient_id' | 'purpose'>;
type Address = { to: string } | { problem: string };

const SYSTEM_ACTOR = 'system';

async function accountAddress(db: Kysely<DB>, message: Message): Promise<Address> {
  if (message.channel !== 'email') return { problem: 'staff accounts have no phone number for SMS' };
  const account = await db.selectFrom('staff_account').select(['email', 'active']).where('id', '=', message.recipient_id).executeTakeFirst();
  if (!account) return { problem: `staff account ${message.recipient_id} does not exist` };
  // A disabled account's holder no longer works on tickets: their mail must not get them either.
  if (!account.active) return { problem: 'the staff account is disabled' };
  if (!account.email) return { problem: 'the staff account has no e-mail address' };
  return { to: account.email };
}

/** A phone sealed in a row, the evaluation's rater or the case's applicant. */
interface SealedPhone {
  table: 'evaluation' | 'service_case';
  sealed: Uint8Array | null;
  keyId: string | null;
  masked: MaskedPerson | null;
}

async function unsealPhone(db: Kysely<DB>, config: Config, message: Message, row: SealedPhone, who: string, now: Date): Promise<Address> {
  const none = { problem: `the ${who} left no phone number` };
  // The masked copy says whether a phone was given, so nothing is unsealed (and logged) in vain.
  if (!row.sealed || !row.keyId || !row.masked?.phone) return none;
  const purpose = `outbound-sms:${message.purpose}`;
  const person = await revealPerson(
    db,
    config,
    { table: row.table, rowId: message.recipient_id, sealed: row.sealed, keyId: row.keyId, actor: SYSTEM_ACTOR, actorRole: SYSTEM_ACTOR, purpose },
    now,
  );
  return person.phone ? { to: person.phone } : none;
}

async function raterAddress(db: Kysely<DB>, config: Config, message: Message, now: Date): Promise<Address> {
  if (message.channel !== 'sms') return { problem: 'raters are reached by SMS only' };
  const evaluation = await db
    .selectFrom('evaluation')
    .select(['rater_pii', 'rater_pii_key_id', 'rater_masked'])
    .where('id', '=', message.recipient_id)
    .executeTakeFirst();
  if (!evaluation) return { problem: `evaluation ${message.recipient_id} does not exist` };
  return unsealPhone(db, config, message, { table: 'evaluation', sealed: evaluation.rater_pii, keyId: evaluation.rater_pii_key_id, masked: evaluation.rater_masked }, 'rater', now);
}

async function applicantAddress(db: Kysely<DB>, config: Config, message: Message, now: Date): Promise<Address> {
  if (message.channel !== 'sms') return { problem: 'applicants are reached by SMS only' };
  const serviceCase = await db
    .selectFrom('service_case')
    .select(['applicant_pii', 'applicant_pii_key_id', 'applicant_masked'])
    .where('id', '=', message.recipient_id)
    .executeTakeFirst();
  if (!serviceCase) return { problem: `service case ${message.recipient_id} does not exist` };
  const row: SealedPhone = { table: 'service_case', sealed: serviceCase.applicant_pii, keyId: serviceCase.applicant_pii_key_id, masked: serviceCase.applicant_masked };
  return unsealPhone(db, config, message, row, 'applicant', now);
}

async function markFailed(db: Kysely<DB>, id: string, attempt: number, reason: string): Promise<void> {
  await db.updateTable('outbound_message').set({ status: 'failed', attempts: attempt, last_error: reason }).where('id', '=', id).execute();
}

/** The job handler that delivers outbound messages; `job.subjectId` is the message id. */
export function deliverOutbound(deps: DeliverDeps): DeliverOutbound {
  const maxAttempts = deps.maxAttempts ?? MAX_DELIVERY_ATTEMPTS;
  return async (trx, job, now) => {
    // Locked, so that two runners holding the same job (a lapsed lock, a manual re-run) cannot both send.
    const message = await trx
      .selectFrom('outbound_message')
      .select(['id', 'channel', 'recipient_kind', 'recipient_id', 'purpose', 'subject', 'body', 'status', 'attempts'])
      .where('id', '=', job.subjectId)
      .forUpdate()
      .executeTakeFirst();
    // Queued in the same transaction as its job: a missing row is a bug to see, not to skip.
    if (!message) throw new Error(`outbound message ${job.subjectId} does not exist`);
    if (message.status !== 'pending') return;
    const attempt = message.attempts + 1;

    const address =
      message.recipient_kind === 'account'
        ? await accountAddress(trx, message)
        : message.recipient_kind === 'applicant'
          ? await applicantAddress(trx, deps.config, message, now)
          : await raterAddress(trx, deps.config, message, now);
    // No address now means no address on any retry: fail at once, with the reason.
    if ('problem' in address) return markFailed(trx, message.id, attempt, address.problem);

    let gatewayRef: string;
    try {
      ({ gatewayRef } = await deps.gateway.send({ id: message.id, channel: message.channel, to: address.to, subject: message.subject, body: message.body }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= maxAttempts) return markFailed(trx, message.id, attempt, `gave up after ${attempt} attempts: ${reason}`);
      // Not thrown: the attempt is committed with what it did (the access-log row of a rater's
      // phone that was read and maybe sent), and the delivery is booked again after a back-off.
      await trx.updateTable('outbound_message').set({ attempts: attempt, last_error: reason }).where('id', '=', message.id).execute();
      await scheduleJob(trx, { kind: OUTBOUND_DELIVERY, subjectId: message.id, dueAt: new Date(now.getTime() + retryDelayMs(attempt)) }, now);
      return;
    }
    await trx.updateTable('outbound_message').set({ status: 'sent', gateway_ref: gatewayRef, sent_at: now, attempts: attempt, last_error: null }).where('id', '=', message.id).execute();
  };
}
