// The SMS invitation to rate (DESIGN §4: N days after completion when unrated). Booked as a
// scheduled job with the stage's completion, for cases whose applicant left a phone; when it runs
// it decides by planInvitation, and either books itself again (not yet due, quiet hours) or, in
// the job's transaction, issues a rating link, queues the SMS to the applicant with its delivery,
// and records the invitation (one per stage, ever: the primary key).
import type { Transaction } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { scheduleJob, type JobHandler } from '../jobs/scheduled-jobs.ts';
import { queueOutbound } from '../outbound/outbound.ts';
import { issueLinkForStage } from '../ratings/links.ts';
import { HOTLINE_SOURCE, invitationDueAt, invitationText, planInvitation, type InvitationSettings } from './rules.ts';

/** The job kind of the invitation; its subject is the case stage id. */
export const RATING_INVITE = 'rating.invite';

export function invitationSettings(config: Config): InvitationSettings {
  return { inviteAfterDays: config.hotline.inviteAfterDays, quietHours: config.hotline.quietHours, ratingWindowDays: config.rules.ratingWindowDays };
}

/** Books the invitation of a stage that has just been completed, in the caller's transaction. */
export async function scheduleInvitation(trx: Transaction<DB>, config: Config, caseStageId: string, completedAt: Date, now: Date): Promise<void> {
  await scheduleJob(trx, { kind: RATING_INVITE, subjectId: caseStageId, dueAt: invitationDueAt(completedAt, config.hotline) }, now);
}

/** The job handler of RATING_INVITE. */
export function inviteToRate(deps: { config: Config }): JobHandler {
  const { config } = deps;
  return async (trx, job, now) => {
    const stage = await trx
      .selectFrom('case_stage as s')
      .innerJoin('service_case as c', 'c.id', 's.case_id')
      .innerJoin('service_item as i', 'i.id', 'c.item_id')
      .innerJoin('org as o', 'o.id', 's.org_id')
      .select(['s.id', 's.case_id', 's.service_number', 's.status', 's.completed_at', 'c.project_no', 'c.applicant_phone_lookup', 'i.name as item_name', 'o.name as org_name'])
      .select((eb) => [
        eb.exists(eb.selectFrom('rating_invitation as inv').select('inv.case_stage_id').whereRef('inv.case_stage_id', '=', 's.id')).as('invited'),
        eb.exists(eb.selectFrom('evaluation_slot as slot').select('slot.case_stage_id').whereRef('slot.case_stage_id', '=', 's.id').where('slot.assess_number', '=', 1)).as('rated'),
        eb.exists(eb.selectFrom('sms_opt_out as opt').select('opt.phone_lookup').whereRef('opt.phone_lookup', '=', 'c.applicant_phone_lookup')).as('opted_out'),
      ])
      .where('s.id', '=', job.subjectId)
      .executeTakeFirst();
    if (!stage) return;
    const phoneLookup = stage.applicant_phone_lookup;
    const facts = {
      completedAt: stage.status === 3 ? stage.completed_at : null,
      hasPhone: phoneLookup !== null,
      optedOut: Boolean(stage.opted_out),
      invited: Boolean(stage.invited),
      rated: Boolean(stage.rated),
    };
    const plan = planInvitation(facts, now, invitationSettings(config));
    if (plan.kind === 'wait') await scheduleJob(trx, { kind: RATING_INVITE, subjectId: stage.id, dueAt: plan.until }, now);
    if (plan.kind !== 'send' || phoneLookup === null) return;

    const link = await issueLinkForStage({ db: trx, config, clock: () => now }, stage.id, 'sms', HOTLINE_SOURCE);
    const body = invitationText({ orgName: stage.org_name, itemName: stage.item_name, shortUrl: link.shortUrl });
    const messageId = await queueOutbound(trx, { channel: 'sms', recipient: { kind: 'applicant', id: stage.case_id }, purpose: 'rating-invitation', body }, now);
    await trx
      .insertInto('rating_invitation')
      .values({ case_stage_id: stage.id, case_id: stage.case_id, link_id: link.id, message_id: messageId, phone_lookup: phoneLookup, sent_at: now, expires_at: link.expiresAt })
      .execute();
  };
}
