// HTTP routes of rating by link: a business system asks for a link (signed request); the rater,
// with no login, reads what the link rates and submits through the same intake as everyone else.
import { Type } from 'typebox';
import { requireApp } from '../auth/guard.ts';
import { AppError, errorBody } from '../errors.ts';
import { CHANNELS, type Channel } from '../evaluations/channels.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { issueRatingLink, linkOfShortCode, linkOfToken, ratingUrl, tokenOf, type RatingLinkDeps } from './links.ts';
import { levelChoices, linkFacts } from './queries.ts';
import { PublicRatingBody, PublicRatingResult, submitPublicRating } from './submit.ts';
import { linkPathOf } from '../risk/context.ts';

const Token = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) });
const LINK_CHANNELS = CHANNELS.filter((c) => c !== 'system');

export function registerRatingRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'intake' | 'log'>, limits: PublicLimits): void {
  const deps: RatingLinkDeps = { db: context.database.db, config: context.config, clock: context.clock };
  const { db } = deps;

  app.post(
    '/api/v1/rating-links',
    {
      schema: {
        tags: ['ratings'],
        summary: '为办件环节生成评价链接（签名、有时效、不含办件编号）/ A rating link for a case stage (signed, expiring, no case number in it)',
        description:
          '链接只能评价该环节一次，另可追评一次；有效期至评价期限届满。shortUrl 适合短信。/ The link rates that stage once, plus one follow-up, until the rating window closes. shortUrl suits SMS.',
        security: [{ appSignature: [] }],
        body: Type.Object(
          {
            projectNo: Type.String({ minLength: 1, maxLength: 64 }),
            serviceNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })),
            channel: Type.Union(LINK_CHANNELS.map((c) => Type.Literal(c)), { description: '链接用于哪个渠道（短信、二维码、PC、移动端…）/ where the link will be used' }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String({ format: 'uuid' }), url: Type.String(), shortUrl: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const caller = requireApp(request);
      const { projectNo, serviceNumber, channel } = request.body;
      const link = await issueRatingLink(deps, { projectNo, ...(serviceNumber ? { serviceNumber } : {}), channel, sourceApp: caller.appId, scope: caller });
      return reply.status(201).send({ id: link.id, url: link.url, shortUrl: link.shortUrl, expiresAt: link.expiresAt.toISOString() });
    },
  );

  app.get('/s/:code', { onRequest: [limits.perIp], schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const link = await linkOfShortCode(db, request.params.code.toLowerCase());
    if (!link) return reply.status(404).send(errorBody('LINK_INVALID'));
    return reply.redirect(ratingUrl(context.config, tokenOf(context.config, link)).replace(context.config.http.publicBaseUrl, ''), 302);
  });

  const Choice = Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() });
  app.get(
    '/api/v1/public/ratings/:token',
    {
      onRequest: [limits.perIp],
      schema: {
        tags: ['public'],
        summary: '评价链接：所评办件与可选项（无需登录）/ What a rating link rates, and the choices (no login)',
        params: Token,
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('open'), Type.Literal('follow_up'), Type.Literal('rated')], { description: 'open 可评价 / follow_up 可追评一次 / rated 已评价' }),
            expiresAt: Type.String({ format: 'date-time' }),
            channel: Type.String(),
            case: Type.Object({
              itemName: Type.String(),
              orgName: Type.String(),
              regionName: Type.String(),
              windowName: Type.Union([Type.String(), Type.Null()]),
              staffName: Type.Union([Type.String(), Type.Null()], { description: '脱敏 / masked' }),
              completedAt: Type.String({ format: 'date-time' }),
              serviceNumber: Type.Integer(),
            }),
            commentMaxChars: Type.Integer(),
            levels: Type.Array(Type.Object({ level: Type.Integer(), zh: Type.String(), en: Type.String(), indicators: Type.Array(Choice) })),
            first: Type.Union([Type.Object({ level: Type.Integer(), receiptNo: Type.String(), assessedAt: Type.String({ format: 'date-time' }) }), Type.Null()]),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const link = await linkOfToken(deps, request.params.token);
      const facts = await linkFacts(db, link.case_stage_id, link.staff_id);
      if (!facts) throw new AppError('LINK_INVALID');
      return {
        status: facts.followUp ? ('rated' as const) : facts.first ? ('follow_up' as const) : ('open' as const),
        expiresAt: link.expires_at.toISOString(),
        channel: link.channel,
        case: facts.case,
        commentMaxChars: context.config.rules.commentMaxChars,
        levels: levelChoices(context.intake.catalogue, facts.scope),
        first: facts.first,
      };
    },
  );

  app.post(
    '/api/v1/public/ratings/:token',
    {
      onRequest: [limits.perIp, limits.submitPerIp, limits.submitPerLink],
      schema: {
        tags: ['public'],
        summary: '通过评价链接提交评价或追评（无需登录）/ Rate, or follow up, through a rating link (no login)',
        description:
          '同一 clientId 重试返回原结果，不会重复保存。/ A retry with the same clientId gets the original result and never stores twice.',
        params: Token,
        body: PublicRatingBody,
        response: {
          201: PublicRatingResult,
          ...commonErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const link = await linkOfToken(deps, request.params.token);
      const facts = await linkFacts(db, link.case_stage_id, link.staff_id);
      if (!facts) throw new AppError('LINK_INVALID');
      const result = await submitPublicRating(context, request, {
        scopeKey: link.short_code,
        subject: { kind: 'case_stage', projectNo: facts.projectNo, serviceNumber: facts.case.serviceNumber, firstRated: facts.first !== null },
        channel: link.channel as Channel,
        body: request.body,
        context: linkPathOf(link.source_app),
      });
      return reply.status(201).send(result);
    },
  );
}
