// A rating made on a hall device: through the link the device was pushed, which is bound to that
// device (no other credential, and no public page, can use it) and to a rating made within
// minutes of the push. A rating kept offline arrives later and says when it was made; that moment
// is judged against the link and recorded (made_at), and becomes the rating's assessment time.
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Channel } from '../evaluations/channels.ts';
import type { AppContext } from '../http/context.ts';
import { linkOfToken, type RatingLinkDeps } from '../ratings/links.ts';
import { linkFacts } from '../ratings/queries.ts';
import { viewOfLink } from '../ratings/routes.ts';
import { PublicRatingBody, submitPublicRating, type PublicRatingResult } from '../ratings/submit.ts';
import type { HallDevice } from './devices.ts';

export const DeviceRatingBody = Type.Object(
  {
    ...PublicRatingBody.properties,
    madeAt: Type.String({ format: 'date-time', description: '评价在设备上作出的时间（离线保存的评价稍后送达）/ when the rating was made on the device (one kept offline arrives later)' }),
  },
  { additionalProperties: false },
);
export type DeviceRatingBody = Static<typeof DeviceRatingBody>;

interface BoundLink {
  device_id: string | null;
  created_at: Date;
  rate_by: Date | null;
}

/**
 * Why a device may not use a link for a rating made at `madeAt`, or null (pure). Made before the
 * link existed or after the server's now (beyond the clock skew allowed) is impossible; made after
 * `rate_by` is too late.
 */
export function deviceRatingRefusal(link: BoundLink, deviceId: string, madeAt: Date, now: Date, skewSeconds: number): ErrorCode | null {
  if (link.device_id !== deviceId) return 'KIOSK_LINK_DEVICE_BOUND';
  const skew = skewSeconds * 1000;
  if (Number.isNaN(madeAt.getTime()) || madeAt.getTime() < link.created_at.getTime() - skew || madeAt.getTime() > now.getTime() + skew) return 'KIOSK_MADE_AT_INVALID';
  if (link.rate_by !== null && madeAt.getTime() > link.rate_by.getTime()) return 'KIOSK_RATING_TOO_LATE';
  return null;
}

type Context = Pick<AppContext, 'config' | 'database' | 'clock' | 'intake'>;

const depsOf = (context: Context): RatingLinkDeps => ({ db: context.database.db, config: context.config, clock: context.clock });

/** The device's own link, or KIOSK_LINK_DEVICE_BOUND for a link that is not this device's. */
async function deviceLink(context: Context, device: HallDevice, token: string) {
  const link = await linkOfToken(depsOf(context), token);
  if (link.device_id !== device.id) throw new AppError('KIOSK_LINK_DEVICE_BOUND');
  return link;
}

export async function viewDeviceLink(context: Context, device: HallDevice, token: string) {
  return viewOfLink(context, await deviceLink(context, device, token));
}

export async function submitDeviceRating(context: Context, request: FastifyRequest, device: HallDevice, token: string, body: DeviceRatingBody): Promise<PublicRatingResult> {
  const link = await linkOfToken(depsOf(context), token);
  const now = context.clock();
  const madeAt = new Date(body.madeAt);
  const refusal = deviceRatingRefusal(link, device.id, madeAt, now, context.config.rules.clockSkewSeconds);
  if (refusal) throw new AppError(refusal, refusal === 'KIOSK_LINK_DEVICE_BOUND' ? undefined : { madeAt: body.madeAt, rateBy: link.rate_by?.toISOString() ?? null });
  const facts = await linkFacts(context.database.db, link.case_stage_id, link.staff_id);
  if (!facts) throw new AppError('LINK_INVALID');
  const { madeAt: _madeAt, ...rating } = body;
  return submitPublicRating(context, request, {
    scopeKey: link.short_code,
    subject: { kind: 'case_stage', projectNo: facts.projectNo, serviceNumber: facts.case.serviceNumber, firstRated: facts.first !== null },
    channel: link.channel as Channel,
    body: rating,
    proof: { proof: 'device', origin: 'kiosk', linkId: link.id, deviceId: device.id, madeAt },
    // Never later than now: a device clock a little ahead does not date a rating in the future.
    assessedAt: madeAt.getTime() > now.getTime() ? now : madeAt,
  });
}
