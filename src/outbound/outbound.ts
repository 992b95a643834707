// Queuing a message that leaves the system (SMS, e-mail). It is written in the caller's
// transaction, with the fact that causes it, and handed to the gateway later by a scheduled job
// (deliver.ts), so that a rolled-back fact never sends a message and a sent message always has
// its fact. The recipient is a reference, never a copy of personal data.
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../db/schema.ts';
import { scheduleJob } from '../jobs/scheduled-jobs.ts';

export type OutboundChannel = 'sms' | 'email';

/**
 * 'rater': an evaluation id (the phone is sealed in it); 'account': a staff account id;
 * 'applicant': a service case id (the applicant's phone is sealed in it).
 */
export interface OutboundRecipient {
  kind: 'rater' | 'account' | 'applicant';
  id: string;
}

export interface OutboundDraft {
  channel: OutboundChannel;
  recipient: OutboundRecipient;
  /** Why the message is sent, e.g. 'callback-link' or 'notification:ticket_opened'; kept for the audit. */
  purpose: string;
  subject?: string;
  body: string;
}

/** The job kind that delivers one outbound message (deliver.ts); its subject is the message id. */
export const OUTBOUND_DELIVERY = 'outbound.deliver';

/** Stores a pending message with its delivery job, due at once, and returns its id (a UUIDv7). */
export async function queueOutbound(db: Kysely<DB>, message: OutboundDraft, now: Date): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('outbound_message')
    .values({
      id,
      channel: message.channel,
      recipient_kind: message.recipient.kind,
      recipient_id: message.recipient.id,
      purpose: message.purpose,
      subject: message.subject ?? null,
      body: message.body,
      status: 'pending',
      attempts: 0,
      gateway_ref: null,
      last_error: null,
      created_at: now,
      sent_at: null,
    })
    .execute();
  await scheduleJob(db, { kind: OUTBOUND_DELIVERY, subjectId: id, dueAt: now }, now);
  return id;
}
