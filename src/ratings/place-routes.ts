// HTTP routes of posters: staff get the QR links of an org's windows and staff; whoever scans one
// rates the place itself, or proves to be the applicant of a case stage served there (the code on
// their receipt, or a code sent by SMS to the phone on the case) and gets that stage's rating link.
import { Type } from 'typebox';
import { requireCaller } from '../auth/guard.ts';
import { mayWriteCatalog } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { redeemReceiptCode, requestSmsCode, verifySmsCode } from './applicant-proof.ts';
import type { RatingLinkDeps } from './links.ts';
import { placeFacts, placeIdOf, placeUrl, type PlaceKind } from './places.ts';
import { levelChoices } from './queries.ts';
import { PublicRatingBody, PublicRatingResult, submitPublicRating } from './submit.ts';

const Kind = Type.Union([Type.Literal('window'), Type.Literal('staff')]);
const PlaceParams = Type.Object({ kind: Kind, token: Type.String({ minLength: 10, maxLength: 100 }) });

export function registerPlaceRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'intake'>, limits: PublicLimits): void {
  const { config, clock } = context;
  const db = context.database.db;
  const deps: RatingLinkDeps = { db, config, clock };

  app.get(
    '/api/v1/orgs/:orgId/place-links',
    {
      schema: {
        tags: ['ratings'],
        summary: '本单位各窗口、各工作人员的评价二维码链接（用于张贴）/ QR links of an org’s windows and staff, for posters',
        security: [{ staffSession: [] }, { appSignature: [] }],
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            org: Type.Object({ id: Type.String(), name: Type.String(), regionName: Type.String() }),
            places: Type.Array(Type.Object({ kind: Kind, id: Type.String(), name: Type.String(), windowName: Type.Union([Type.String(), Type.Null()]), url: Type.String() })),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireCaller(request);
      const org = await db
        .selectFrom('org as o')
        .innerJoin('region as r', 'r.code', 'o.region_code')
        .select(['o.id', 'o.name', 'r.name as region_name', 'r.path'])
        .where('o.id', '=', request.params.orgId)
        .executeTakeFirst();
      if (!org) throw new AppError('ORG_UNKNOWN');
      if (!mayWriteCatalog(caller, { regionPath: org.path, orgId: org.id })) throw new AppError('AUTH_OUT_OF_SCOPE');
      const windows = await db.selectFrom('service_window').select(['id', 'name']).where('org_id', '=', org.id).orderBy('code').execute();
      const staff = await db
        .selectFrom('staff as st')
        .leftJoin('service_window as w', 'w.id', 'st.window_id')
        .select(['st.id', 'st.name', 'w.name as window_name'])
        .where('st.org_id', '=', org.id)
        .orderBy('st.staff_no')
        .execute();
      return {
        org: { id: org.id, name: org.name, regionName: org.region_name },
        places: [
          ...windows.map((w) => ({ kind: 'window' as const, id: w.id, name: w.name, windowName: w.name, url: placeUrl(config, 'window', w.id) })),
          ...staff.map((s) => ({ kind: 'staff' as const, id: s.id, name: s.name, windowName: s.window_name, url: placeUrl(config, 'staff', s.id) })),
        ],
      };
    },
  );

  const placeOf = async (kind: PlaceKind, token: string) => {
    const id = placeIdOf(config, kind, token, clock());
    const facts = await placeFacts(db, kind, id);
    if (!facts) throw new AppError('LINK_INVALID');
    return { id, facts };
  };

  app.get(
    '/api/v1/public/places/:kind/:token',
    {
      onRequest: [limits.perIp],
      schema: {
        tags: ['public'],
        summary: '扫描窗口或工作人员二维码：评价窗口（人员）本身 / A poster’s QR code: rate the place itself',
        description:
          '不列出也不给出在此办理的任何办件；办件的评价只给能证明是申请人的人（回执上的评价码，或发到办件登记手机的短信验证码）。/ Lists and hands out no case served here: a case stage is offered only to its proven applicant (the code on the receipt, or an SMS code sent to the phone on the case).',
        params: PlaceParams,
        response: {
          200: Type.Object({
            kind: Kind,
            place: Type.Object({ orgName: Type.String(), regionName: Type.String(), windowName: Type.Union([Type.String(), Type.Null()]), staffName: Type.Union([Type.String(), Type.Null()]) }),
            commentMaxChars: Type.Integer(),
            levels: Type.Array(Type.Object({ level: Type.Integer(), zh: Type.String(), en: Type.String(), indicators: Type.Array(Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() })) })),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const { kind, token } = request.params;
      const { facts } = await placeOf(kind, token);
      return {
        kind,
        place: facts,
        commentMaxChars: config.rules.commentMaxChars,
        // A window or a staff member is rated on the service in person: the offline indicators.
        levels: levelChoices(context.intake.catalogue, 'offline'),
      };
    },
  );

  app.post(
    '/api/v1/public/places/:kind/:token/receipt-code',
    {
      onRequest: [limits.perIp, limits.submitPerIp],
      schema: {
        tags: ['public'],
        summary: '输入回执或窗口屏幕上的评价码，评价本人的办件 / Type the code on your receipt or the counter screen to rate your case',
        description:
          '评价码是该办件环节评价链接的短码（10位）。错误次数按来源计数，超限返回 APPLICANT_CODE_TOO_MANY。/ The code is the short code (10 characters) of the stage’s rating link. Wrong codes are counted per source; over the limit: APPLICANT_CODE_TOO_MANY.',
        params: PlaceParams,
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { kind, token } = request.params;
      await placeOf(kind, token);
      const link = await redeemReceiptCode(deps, request.body.code, request.ip);
      return reply.status(201).send({ url: link.url, expiresAt: link.expiresAt.toISOString() });
    },
  );

  app.post(
    '/api/v1/public/places/:kind/:token/sms-code',
    {
      onRequest: [limits.perIp, limits.submitPerIp],
      schema: {
        tags: ['public'],
        summary: '向办件登记的手机发送评价验证码 / Send a rating code to the phone registered on the case',
        description:
          '输入办件登记的手机号；若该号码是刚在此办结的办件的申请人，验证码以短信发到该号码。无论是否发送，回答相同。/ Type the phone registered on the case; when it is the applicant’s of a stage just completed here, a code goes to it by SMS. The answer is the same whether or not one was sent.',
        params: PlaceParams,
        body: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ challengeId: Type.String({ format: 'uuid' }), expiresAt: Type.String({ format: 'date-time' }) }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { kind, token } = request.params;
      const { id } = await placeOf(kind, token);
      const challenge = await requestSmsCode(deps, { kind, id }, request.body.phone);
      return reply.status(202).send({ challengeId: challenge.challengeId, expiresAt: challenge.expiresAt.toISOString() });
    },
  );

  app.post(
    '/api/v1/public/places/:kind/:token/sms-code/:challengeId',
    {
      onRequest: [limits.perIp, limits.submitPerIp],
      schema: {
        tags: ['public'],
        summary: '输入短信验证码，取得本人办件的评价链接 / Type the SMS code to get the rating links of your cases',
        description:
          '验证码错误返回 APPLICANT_CODE_WRONG（含剩余次数），过期或次数用完返回 APPLICANT_CODE_EXPIRED。/ A wrong code: APPLICANT_CODE_WRONG (with the tries left); expired or tried too often: APPLICANT_CODE_EXPIRED.',
        params: Type.Object({ kind: Kind, token: Type.String({ minLength: 10, maxLength: 100 }), challengeId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ stages: Type.Array(Type.Object({ itemName: Type.String(), completedAt: Type.String({ format: 'date-time' }), url: Type.String() })) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const { kind, token, challengeId } = request.params;
      const { id } = await placeOf(kind, token);
      return { stages: await verifySmsCode(deps, { kind, id }, challengeId, request.body.code, request.ip) };
    },
  );

  app.post(
    '/api/v1/public/places/:kind/:token/rating',
    {
      onRequest: [limits.perIp, limits.submitPerIp, limits.submitPerLink],
      schema: {
        tags: ['public'],
        summary: '评价窗口或工作人员本身（单独计数，不计入办件评价）/ Rate the window or staff member itself (counted apart from case ratings)',
        params: PlaceParams,
        body: PublicRatingBody,
        response: { 201: PublicRatingResult, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { kind, token } = request.params;
      const { id } = await placeOf(kind, token);
      const result = await submitPublicRating(context, request, {
        scopeKey: `${kind}-${id.replaceAll('-', '').slice(-12)}`,
        subject: { kind: 'place', place: { kind, id } },
        channel: 'qr',
        body: request.body,
        // The place's own rating proves nothing about who gave it, and says so.
        proof: { proof: 'none', origin: 'poster', linkId: null, deviceId: null, madeAt: null },
      });
      return reply.status(201).send(result);
    },
  );
}
