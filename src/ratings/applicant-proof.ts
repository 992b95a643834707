// The right to rate a case stage belongs to its applicant. A poster (a window's or a staff
// member's QR code, printed on the wall) proves nothing about who scans it, so it offers a case
// stage only to someone who proves to be that stage's applicant:
// - the short code of the stage's own rating link, printed on their receipt or shown on the
//   counter screen (receipt_code), or
// - a one-time code sent by SMS to the phone registered on the case, asked for by typing that
//   phone (sms_code): the phone is matched by its keyed hash, and the answer is the same whether
//   or not it is on a case (a code nobody receives is made all the same).
// Wrong codes are counted per source in the database; an SMS code expires and allows few tries.
import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Config } from '../config/config.ts';
import { equalBytes, hmacSm3 } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { queueOutbound } from '../outbound/outbound.ts';
import { normalizePerson } from '../pii/person.ts';
import { lookupHash } from '../pii/vault.ts';
import { issueLinkForStage, linkOfShortCode, SHORT_CODE, type RatingLinkDeps } from './links.ts';
import type { PlaceKind } from './places.ts';
import { RATING_PAGE_SOURCE } from './submit.ts';

const HOUR_MS = 3600_000;
const SMS_CODE_DIGITS = 6;

export interface Place {
  kind: PlaceKind;
  id: string;
}

// ---- pure rules ----

/**
 * The short code as people type it: spaces, dashes and case do not matter, nor does a whole short
 * link (…/s/<code>); the letters Crockford's base32 leaves out are read as the digits they look like.
 */
export function normalizeReceiptCode(typed: string): string | null {
  const tail = typed.trim().split('/s/').pop() ?? '';
  const code = tail
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return SHORT_CODE.test(code) ? code : null;
}

export type ChallengeState = 'open' | 'used' | 'expired' | 'exhausted';

/** Whether an SMS code may still be tried. */
export function challengeState(challenge: { expires_at: Date; used_at: Date | null; attempts: number }, now: Date, maxAttempts: number): ChallengeState {
  if (challenge.used_at !== null) return 'used';
  if (challenge.expires_at.getTime() <= now.getTime()) return 'expired';
  if (challenge.attempts >= maxAttempts) return 'exhausted';
  return 'open';
}

/** A one-time code of six digits (leading zeros kept). */
export function newSmsCode(): string {
  return String(randomInt(0, 10 ** SMS_CODE_DIGITS)).padStart(SMS_CODE_DIGITS, '0');
}

/** The text of the SMS: what the code is for, how long it lasts, and what to do if it was not asked for. */
export function smsCodeText(code: string, minutes: number): string {
  return `【政务服务好差评】您的评价验证码：${code}，${minutes}分钟内有效，仅用于评价您刚办理的事项。如非本人操作，请忽略。`;
}

const codeHashOf = (config: Config, challengeId: string, code: string) => hmacSm3(config.pii.lookupKey, 'applicant-code\0', challengeId, '\0', code);
const sourceHashOf = (config: Config, source: string) => hmacSm3(config.pii.lookupKey, 'source', source);
const hourOf = (now: Date) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);

// ---- wrong codes per source ----

async function refuseBusySource(db: Kysely<DB>, config: Config, source: string, now: Date): Promise<void> {
  const row = await db
    .selectFrom('proof_failure')
    .select('count')
    .where('source_hash', '=', sourceHashOf(config, source))
    .where('bucket', '=', hourOf(now))
    .executeTakeFirst();
  if (row && row.count >= config.proof.wrongCodesPerSourceHour) throw new AppError('APPLICANT_CODE_TOO_MANY');
}

async function noteWrongCode(db: Kysely<DB>, config: Config, source: string, now: Date): Promise<void> {
  await sql`
    INSERT INTO proof_failure (source_hash, bucket, count) VALUES (${sourceHashOf(config, source)}, ${hourOf(now)}, 1)
    ON CONFLICT (source_hash, bucket) DO UPDATE SET count = proof_failure.count + 1`.execute(db);
}

// ---- receipt code ----

export interface OfferedStage {
  itemName: string;
  completedAt: string;
  url: string;
}

/**
 * A rating link for the stage whose receipt (or counter screen) carries `typed`: a new link of
 * its own, recorded as proven by the receipt code. A code that names no link, a hall device's
 * link, or a link nobody was given (the old poster links) is wrong.
 */
export async function redeemReceiptCode(deps: RatingLinkDeps, typed: string, source: string): Promise<{ url: string; expiresAt: Date }> {
  const now = deps.clock();
  await refuseBusySource(deps.db, deps.config, source, now);
  const code = normalizeReceiptCode(typed);
  const link = code === null ? undefined : await linkOfShortCode(deps.db, code);
  if (!link || link.device_id !== null || link.proof === 'none') {
    await noteWrongCode(deps.db, deps.config, source, now);
    throw new AppError('APPLICANT_CODE_WRONG');
  }
  if (link.expires_at.getTime() <= now.getTime()) throw new AppError('APPLICANT_CODE_EXPIRED');
  const issued = await issueLinkForStage(deps, link.case_stage_id, 'qr', RATING_PAGE_SOURCE, { proof: 'receipt_code' });
  return { url: issued.url, expiresAt: issued.expiresAt };
}

// ---- SMS code ----

/** Stages at the place, completed within the look-back, not yet rated twice, whose case carries the phone. */
async function stagesOfApplicant(db: Kysely<DB>, config: Config, place: Place, phoneLookup: Buffer, now: Date) {
  return db
    .selectFrom('case_stage as s')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .select(['s.id', 's.case_id', 's.completed_at'])
    .where(place.kind === 'window' ? 's.window_id' : 's.staff_id', '=', place.id)
    .where('c.applicant_phone_lookup', '=', phoneLookup)
    .where('s.status', '=', 3)
    .where('s.completed_at', '>=', new Date(now.getTime() - config.proof.lookbackHours * HOUR_MS))
    .where('s.completed_at', '<=', now)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('evaluation_slot as slot').select('slot.case_stage_id').whereRef('slot.case_stage_id', '=', 's.id').where('slot.assess_number', '=', 2))))
    .orderBy('s.completed_at', 'desc')
    .limit(10)
    .execute();
}

/**
 * Sends a code to the phone on the case, when the typed phone is the applicant's of a stage just
 * completed at the place. Either way the same answer comes back (a challenge id and its expiry):
 * nobody learns from it whether a phone is on a case.
 */
export async function requestSmsCode(deps: RatingLinkDeps, place: Place, typedPhone: string): Promise<{ challengeId: string; expiresAt: Date }> {
  const { db, config } = deps;
  const now = deps.clock();
  const person = normalizePerson({ phone: typedPhone });
  if ('problem' in person || !person.phone || !/^1[3-9]\d{9}$/.test(person.phone)) throw new AppError('APPLICANT_PHONE_INVALID');
  const phoneLookup = lookupHash(config, 'phone', person.phone);
  // Counted over every code asked for this phone, sent or not, so the limit tells nothing either.
  const recent = await db
    .selectFrom('applicant_challenge')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('phone_lookup', '=', phoneLookup)
    .where('created_at', '>', new Date(now.getTime() - HOUR_MS))
    .executeTakeFirstOrThrow();
  if (Number(recent.n) >= config.proof.codesPerPhoneHour) throw new AppError('APPLICANT_CODE_TOO_MANY');
  const stages = await stagesOfApplicant(db, config, place, phoneLookup, now);
  const id = uuidv7();
  const code = newSmsCode();
  const expiresAt = new Date(now.getTime() + config.proof.codeMinutes * 60_000);
  await db.transaction().execute(async (trx) => {
    const newest = stages[0];
    const messageId = newest
      ? await queueOutbound(trx, { channel: 'sms', recipient: { kind: 'applicant', id: newest.case_id }, purpose: 'applicant-code', body: smsCodeText(code, config.proof.codeMinutes) }, now)
      : null;
    await trx
      .insertInto('applicant_challenge')
      .values({
        id,
        place_kind: place.kind,
        place_id: place.id,
        phone_lookup: phoneLookup,
        code_hash: codeHashOf(config, id, code),
        case_stage_ids: stages.map((s) => s.id),
        message_id: messageId,
        attempts: 0,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
  });
  return { challengeId: id, expiresAt };
}

/**
 * Checks a typed SMS code. Each try uses one attempt first (atomically, so parallel guesses
 * cannot exceed the limit); the right code opens rating links, recorded as proven by SMS, for
 * the stages the code was sent for, once.
 */
export async function verifySmsCode(deps: RatingLinkDeps, place: Place, challengeId: string, typed: string, source: string): Promise<OfferedStage[]> {
  const { db, config } = deps;
  const now = deps.clock();
  await refuseBusySource(db, config, source, now);
  const tried = await db
    .updateTable('applicant_challenge')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challengeId)
    .where('place_kind', '=', place.kind)
    .where('place_id', '=', place.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', config.proof.codeMaxAttempts)
    .returning(['id', 'code_hash', 'case_stage_ids', 'attempts'])
    .executeTakeFirst();
  if (!tried) throw new AppError('APPLICANT_CODE_EXPIRED');
  const code = typed.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code) || !equalBytes(tried.code_hash, codeHashOf(config, tried.id, code))) {
    await noteWrongCode(db, config, source, now);
    throw new AppError('APPLICANT_CODE_WRONG', { attemptsLeft: Math.max(0, config.proof.codeMaxAttempts - tried.attempts) });
  }
  const used = await db.updateTable('applicant_challenge').set({ used_at: now }).where('id', '=', tried.id).where('used_at', 'is', null).returning('id').executeTakeFirst();
  if (!used) throw new AppError('APPLICANT_CODE_EXPIRED');
  if (tried.case_stage_ids.length === 0) return [];
  const stages = await db
    .selectFrom('case_stage as s')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .innerJoin('service_item as i', 'i.id', 'c.item_id')
    .select(['s.id', 's.completed_at', 'i.name as item_name'])
    .where('s.id', 'in', tried.case_stage_ids)
    .orderBy('s.completed_at', 'desc')
    .execute();
  const offered: OfferedStage[] = [];
  for (const stage of stages) {
    try {
      const link = await issueLinkForStage(deps, stage.id, 'qr', RATING_PAGE_SOURCE, { proof: 'sms_code' });
      offered.push({ itemName: stage.item_name, completedAt: (stage.completed_at ?? now).toISOString(), url: link.url });
    } catch (error) {
      // A stage whose rating window closed meanwhile is simply not offered.
      if (!(error instanceof AppError)) throw error;
    }
  }
  return offered;
}
