// Rating links: a business system asks for a link to rate one case stage; the link carries a
// signed, expiring token naming a rating_link row (never a case number), so enumerating case
// numbers gets nobody anything. A short code serves SMS. The stage's evaluation slots decide
// whether the link may still be used: one rating, then one follow-up (追评).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { callerCovers, type Scope } from '../auth/policy.ts';
import { addDays } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB, RatingProof } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Channel } from '../evaluations/channels.ts';
import { checkLink, signLink } from '../links/signed-link.ts';

export const RATING_LINK = 'rate';
const SHORT_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** 10 characters of lower-case Crockford base32: 50 random bits. */
export function newShortCode(): string {
  const bytes = randomBytes(10);
  let code = '';
  for (const byte of bytes) code += SHORT_ALPHABET[byte & 31];
  return code;
}

export interface RatingLinkDeps {
  db: Kysely<DB>;
  config: Config;
  clock: () => Date;
}

export interface IssueInput {
  projectNo: string;
  serviceNumber?: number;
  channel: Channel;
  sourceApp: string;
  scope: Scope;
}

export interface IssuedLink {
  id: string;
  token: string;
  url: string;
  shortUrl: string;
  expiresAt: Date;
}

export function ratingUrl(config: Config, token: string): string {
  return `${config.http.publicBaseUrl}/rate/${token}`;
}

export function tokenOf(config: Config, link: { id: string; expires_at: Date }): string {
  return signLink(config.links.key, { purpose: RATING_LINK, subjectId: link.id, version: 0, expiresAt: link.expires_at });
}

/**
 * A link for a completed case stage, valid until its rating window (plus the sync grace) closes.
 * Asking again gives a new link; all of them rate the same stage, once.
 */
export async function issueRatingLink(deps: RatingLinkDeps, input: IssueInput): Promise<IssuedLink> {
  const stage = await stageQuery(deps.db)
    .where('c.project_no', '=', input.projectNo)
    .where('s.service_number', '=', input.serviceNumber ?? 1)
    .executeTakeFirst();
  if (!stage) throw new AppError('CASE_STAGE_NOT_FOUND', { projectNo: input.projectNo, serviceNumber: input.serviceNumber ?? 1 });
  if (!callerCovers(input.scope, { regionPath: stage.path, orgId: stage.org_id })) throw new AppError('AUTH_OUT_OF_SCOPE');
  return createLink(deps, stage, input.channel, input.sourceApp);
}

/**
 * How a link's holder proved to be the applicant (default: the link itself, given to the business
 * system that served them). A hall device's link is bound to the device and to a rating made by
 * `rateBy`.
 */
export interface LinkProof {
  proof: RatingProof;
  deviceId?: string;
  rateBy?: Date;
}

/** A link for a stage whose applicant has been proven otherwise (an SMS code, a hall device, the invitation SMS). */
export async function issueLinkForStage(deps: RatingLinkDeps, caseStageId: string, channel: Channel, sourceApp: string, proof: LinkProof = { proof: 'signed_link' }): Promise<IssuedLink> {
  const stage = await stageQuery(deps.db).where('s.id', '=', caseStageId).executeTakeFirst();
  if (!stage) throw new AppError('CASE_STAGE_NOT_FOUND');
  return createLink(deps, stage, channel, sourceApp, proof);
}

const stageQuery = (db: Kysely<DB>) =>
  db
    .selectFrom('service_case as c')
    .innerJoin('case_stage as s', 's.case_id', 'c.id')
    .innerJoin('region as r', 'r.code', 'c.region_code')
    .select(['s.id', 's.status', 's.completed_at', 's.org_id', 's.staff_id', 'r.path']);

async function createLink(
  deps: RatingLinkDeps,
  stage: { id: string; status: number; completed_at: Date | null; staff_id: string | null },
  channel: Channel,
  sourceApp: string,
  proof: LinkProof = { proof: 'signed_link' },
): Promise<IssuedLink> {
  const now = deps.clock();
  if (stage.status !== 3 || stage.completed_at === null) throw new AppError('EVALUATION_STAGE_NOT_COMPLETED');
  const expiresAt = addDays(stage.completed_at, deps.config.rules.ratingWindowDays);
  if (expiresAt.getTime() <= now.getTime()) throw new AppError('EVALUATION_WINDOW_CLOSED', { closedAt: expiresAt.toISOString() });
  const row = {
    id: uuidv7(),
    short_code: newShortCode(),
    case_stage_id: stage.id,
    staff_id: stage.staff_id,
    channel,
    source_app: sourceApp,
    created_at: now,
    expires_at: expiresAt,
    proof: proof.proof,
    device_id: proof.deviceId ?? null,
    rate_by: proof.rateBy ?? null,
  };
  await deps.db.insertInto('rating_link').values(row).execute();
  const token = tokenOf(deps.config, row);
  return { id: row.id, token, url: ratingUrl(deps.config, token), shortUrl: `${deps.config.http.publicBaseUrl}/s/${row.short_code}`, expiresAt };
}

/** The link a token names, or the coded reason it cannot be used. */
export async function linkOfToken(deps: RatingLinkDeps, token: string) {
  const check = checkLink(deps.config.links.key, RATING_LINK, token, deps.clock());
  if (!check.ok) throw new AppError(check.code);
  const link = await deps.db.selectFrom('rating_link').selectAll().where('id', '=', check.claims.subjectId).executeTakeFirst();
  // A signed token for a row that is gone (or an expiry that was tampered with) is not a link.
  if (!link || Math.floor(link.expires_at.getTime() / 1000) !== check.claims.expiresAt.getTime() / 1000) throw new AppError('LINK_INVALID');
  return link;
}

/**
 * A link that anyone holding its token may use: not one bound to a hall device, nor one a poster
 * handed to whoever asked before the applicant had to prove who they were (proof none).
 */
export async function openLinkOfToken(deps: RatingLinkDeps, token: string) {
  const link = await linkOfToken(deps, token);
  if (link.device_id !== null) throw new AppError('KIOSK_LINK_DEVICE_BOUND');
  if (link.proof === 'none') throw new AppError('LINK_WITHDRAWN');
  return link;
}

export const SHORT_CODE = /^[0-9a-hjkmnp-tv-z]{10}$/;

export async function linkOfShortCode(db: Kysely<DB>, code: string) {
  if (!SHORT_CODE.test(code)) return undefined;
  return db.selectFrom('rating_link').select(['id', 'expires_at', 'case_stage_id', 'staff_id', 'channel', 'proof', 'device_id']).where('short_code', '=', code).executeTakeFirst();
}
