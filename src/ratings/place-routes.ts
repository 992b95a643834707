// HTTP routes of posters: staff get the QR links of an org's windows and staff; whoever scans one
// sees the stages just completed there (each rated through its own link) or rates the place itself.
import { Type } from 'typebox';
import { requireCaller } from '../auth/guard.ts';
import { mayWriteCatalog } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { issueLinkForStage, type RatingLinkDeps } from './links.ts';
import { placeFacts, placeIdOf, placeUrl, recentStages, RECENT_HOURS, type PlaceKind } from './places.ts';
import { levelChoices } from './queries.ts';
import { PublicRatingBody, PublicRatingResult, RATING_PAGE_SOURCE, submitPublicRating } from './submit.ts';

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
        summary: '扫描窗口或工作人员二维码：刚办结的办件，或评价窗口（人员）本身 / A poster’s QR code: stages just completed there, or rate the place itself',
        params: PlaceParams,
        response: {
          200: Type.Object({
            kind: Kind,
            place: Type.Object({ orgName: Type.String(), regionName: Type.String(), windowName: Type.Union([Type.String(), Type.Null()]), staffName: Type.Union([Type.String(), Type.Null()]) }),
            recentHours: Type.Integer(),
            recent: Type.Array(Type.Object({ stageId: Type.String({ format: 'uuid' }), itemName: Type.String(), completedAt: Type.String({ format: 'date-time' }) })),
            commentMaxChars: Type.Integer(),
            levels: Type.Array(Type.Object({ level: Type.Integer(), zh: Type.String(), en: Type.String(), indicators: Type.Array(Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() })) })),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const { kind, token } = request.params;
      const { id, facts } = await placeOf(kind, token);
      const recent = await recentStages(db, kind, id, clock());
      return {
        kind,
        place: facts,
        recentHours: RECENT_HOURS,
        recent: recent.map((r) => ({ stageId: r.id, itemName: r.item_name, completedAt: (r.completed_at ?? clock()).toISOString() })),
        commentMaxChars: config.rules.commentMaxChars,
        // A window or a staff member is rated on the service in person: the offline indicators.
        levels: levelChoices(context.intake.catalogue, 'offline'),
      };
    },
  );

  app.post(
    '/api/v1/public/places/:kind/:token/stages/:stageId/link',
    {
      onRequest: [limits.perIp, limits.submitPerIp],
      schema: {
        tags: ['public'],
        summary: '为刚在此办结的办件取得评价链接 / A rating link for a stage just completed at this place',
        params: Type.Object({ kind: Kind, token: Type.String({ minLength: 10, maxLength: 100 }), stageId: Type.String({ format: 'uuid' }) }),
        response: { 201: Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { kind, token, stageId } = request.params;
      const { id } = await placeOf(kind, token);
      // Only the stages the poster offers: recent, at this place, unrated.
      const offered = await recentStages(db, kind, id, clock());
      if (!offered.some((s) => s.id === stageId)) throw new AppError('CASE_STAGE_NOT_FOUND');
      const link = await issueLinkForStage(deps, stageId, 'qr', RATING_PAGE_SOURCE);
      return reply.status(201).send({ url: link.url, expiresAt: link.expiresAt.toISOString() });
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
      const result = await submitPublicRating(context, request, { scopeKey: `${kind}-${id.replaceAll('-', '').slice(-12)}`, subject: { kind: 'place', place: { kind, id } }, channel: 'qr', body: request.body, context: { path: 'poster', proof: 'none', deviceId: null } });
      return reply.status(201).send(result);
    },
  );
}
