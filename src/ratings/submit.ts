// A rating made on our own pages (by link, or at a window's poster), taken through the same intake
// as every other: the shared part of the public rating routes.
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AppContext } from '../http/context.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Channel } from '../evaluations/channels.ts';
import type { RatingProof } from '../db/schema.ts';
import type { EvaluationDraft } from '../evaluations/draft.ts';
import { newReceiptNo } from '../evaluations/intake-writer.ts';
import { INSTALL_ID_PATTERN, recordRatingContext } from '../risk/context.ts';
import { supersedeUnverifiedFirst } from './supersession.ts';

/** The source of evaluations made on our own rating pages. */
export const RATING_PAGE_SOURCE = 'hcp-rating-page';
const PROVINCE_SCOPE = { regionPath: '510000/', orgId: null };

export const PublicRatingBody = Type.Object(
  {
    clientId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,53}$', description: '页面为每次提交生成，重试时不变 / made by the page per attempt, kept on retries' }),
    level: Type.Integer({ minimum: 1, maximum: 5 }),
    indicators: Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 20, uniqueItems: true }),
    comment: Type.Optional(Type.String({ maxLength: 5000 })),
    anonymous: Type.Boolean(),
    phone: Type.Optional(Type.String({ maxLength: 20, description: '留给答复用（不匿名时）/ to receive the answer (when not anonymous)' })),
    website: Type.Optional(Type.String({ maxLength: 200, description: '留空 / leave empty' })),
    installId: Type.Optional(Type.String({ pattern: INSTALL_ID_PATTERN, description: '页面在本浏览器保存的随机标识（用于核查刷评，不含个人信息）/ a random id the page keeps in this browser (for fraud checks; nothing personal)' })),
  },
  { additionalProperties: false },
);
export type PublicRatingBody = Static<typeof PublicRatingBody>;

export const PublicRatingResult = Type.Object({
  status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate')]),
  receiptNo: Type.String(),
  assessNumber: Type.Integer(),
  followUpAllowed: Type.Boolean(),
});
export type PublicRatingResult = Static<typeof PublicRatingResult>;

/** What is rated: a case stage (first rating or follow-up), or a window or staff member. */
export type RatedSubject =
  | { kind: 'case_stage'; projectNo: string; serviceNumber: number; firstRated: boolean }
  | { kind: 'place'; place: { kind: 'window' | 'staff'; id: string } };

/** How the rating was proven to come from the applicant, and where it was made (rating_proof). */
export interface ProofOfRating {
  proof: RatingProof;
  origin: 'link' | 'poster' | 'kiosk';
  linkId: string | null;
  deviceId: string | null;
  /** When a hall device says the rating was made (an offline one arrives later). */
  madeAt: Date | null;
}

export async function submitPublicRating(
  context: Pick<AppContext, 'config' | 'database' | 'clock' | 'intake'>,
  request: FastifyRequest,
  rating: { scopeKey: string; subject: RatedSubject; channel: Channel; body: PublicRatingBody; proof: ProofOfRating; assessedAt?: Date },
): Promise<PublicRatingResult> {
  const { body, subject } = rating;
  const db = context.database.db;
  // A filled honeypot is a robot: it gets what a person would, and nothing is stored.
  if (body.website) {
    request.log.warn({ code: 'HONEYPOT_FILLED', scope: rating.scopeKey }, 'honeypot field filled; nothing stored');
    return { status: 'stored', receiptNo: newReceiptNo(), assessNumber: 1, followUpAllowed: subject.kind === 'case_stage' };
  }
  // Bound to the link or poster, so that nobody's client id can reach another one's evaluation.
  const clientId = `${rating.scopeKey}:${body.clientId}`;
  // A retry is the same request: the same assessment number and time as the original, if it was stored.
  const original = await db
    .selectFrom('intake_key as k')
    .innerJoin('evaluation as e', 'e.id', 'k.evaluation_id')
    .select(['e.assess_number', 'e.assessed_at'])
    .where('k.source_app', '=', RATING_PAGE_SOURCE)
    .where('k.client_id', '=', clientId)
    .executeTakeFirst();
  const comment = body.comment?.trim() ? body.comment.trim() : null;
  const phone = body.phone?.trim();
  if (body.anonymous && phone) throw new AppError('EVALUATION_ANONYMOUS_WITH_IDENTITY');
  const assessNumber: 1 | 2 = original ? (original.assess_number as 1 | 2) : subject.kind === 'case_stage' && subject.firstRated ? 2 : 1;
  const draft: EvaluationDraft = {
    clientId,
    derivedKey: false,
    projectNo: subject.kind === 'case_stage' ? subject.projectNo : '',
    serviceNumber: subject.kind === 'case_stage' ? subject.serviceNumber : 0,
    assessNumber,
    level: body.level,
    indicatorVersion: null,
    indicatorCodes: body.indicators,
    comment,
    channel: rating.channel,
    isDefault: false,
    isAnonymous: body.anonymous,
    assessedAt: original?.assessed_at ?? rating.assessedAt ?? context.clock(),
    userProp: null,
    rater: !body.anonymous && phone ? { phone } : null,
    place: subject.kind === 'place' ? subject.place : undefined,
  };
  const [outcome] = await context.intake.submit([{ draft, sourceApp: RATING_PAGE_SOURCE, scope: PROVINCE_SCOPE }]);
  if (!outcome) throw new AppError('INTERNAL_ERROR');
  if (outcome.status === 'refused') throw new AppError(outcome.refusal.code as ErrorCode, outcome.refusal.details);
  const stored = outcome.evaluation;
  // Beside the evaluation, not in it: the ledger's record stays as it is. A retry writes nothing new.
  const { proof } = rating;
  await db
    .insertInto('rating_proof')
    .values({ evaluation_id: stored.id, proof: proof.proof, origin: proof.origin, rating_link_id: proof.linkId, device_id: proof.deviceId, made_at: proof.madeAt, recorded_at: context.clock() })
    .onConflict((oc) => oc.column('evaluation_id').doNothing())
    .execute();
  // What the risk engine groups web ratings by (a hall device is its own source).
  if (outcome.status === 'stored' && proof.origin !== 'kiosk') {
    await recordRatingContext(db, context.config.pii.lookupKey, stored.id, { installId: body.installId ?? null, address: request.ip }, context.clock());
  }
  // The verified applicant's rating replaces an unverified first one (src/ratings/supersession.ts).
  if (stored.assessNumber === 2 && subject.kind === 'case_stage') {
    await supersedeUnverifiedFirst(db, { id: stored.id, receiptNo: stored.receiptNo, proof: proof.proof }, context.clock());
  }
  return { status: outcome.status, receiptNo: stored.receiptNo, assessNumber: stored.assessNumber, followUpAllowed: subject.kind === 'case_stage' && stored.assessNumber === 1 };
}
