// HTTP routes of QR codes: the dynamic code of a case stage's rating link (a hall screen, a
// receipt printer), and an org's print-ready posters of its windows and staff, in one PDF.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../auth/guard.ts';
import { callerCovers, mayWriteCatalog } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { ratingUrl, tokenOf } from '../ratings/links.ts';
import { placeUrl, type PlaceKind } from '../ratings/places.ts';
import { POSTER_SIZES, renderPosters, type Poster } from './poster-pdf.ts';
import { qrPng, qrSvg } from './qr.ts';
import { orgForPosters, placesOfOrg, ratingLinkPlacement } from './queries.ts';

const LinkParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const binary = (contentType: string, description: string) => ({ description, content: { [contentType]: { schema: Type.String({ format: 'binary' }) } } });

export function registerPosterRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>): void {
  const { config, clock } = context;
  const db = context.database.db;

  /** The URL of a rating link the caller may show: known, in the caller's scope, not expired. */
  const linkUrl = async (request: FastifyRequest, id: string) => {
    const caller = requireCaller(request);
    const link = await ratingLinkPlacement(db, id);
    if (!link) throw new AppError('LINK_INVALID');
    if (!callerCovers(caller, { regionPath: link.path, orgId: link.org_id })) throw new AppError('AUTH_OUT_OF_SCOPE');
    if (link.expires_at.getTime() <= clock().getTime()) throw new AppError('LINK_EXPIRED', { expiredAt: link.expires_at.toISOString() });
    return ratingUrl(config, tokenOf(config, link));
  };
  const linkDescription =
    '二维码内容即该评价链接（与创建链接时返回的 url 相同），纠错等级 M，四模块静区。调用方须覆盖该办件所在区划或单位；链接过期后返回 LINK_EXPIRED。/ ' +
    'The code holds the rating link (the url returned when the link was made), error correction M, a 4-module quiet zone. The caller must cover the case’s region or org; an expired link answers LINK_EXPIRED.';

  app.get(
    '/api/v1/rating-links/:id/qr.svg',
    {
      schema: {
        tags: ['ratings'],
        summary: '评价链接的二维码（SVG，用于大厅屏幕或网页）/ The QR code of a rating link (SVG, for a hall screen or a web page)',
        description: linkDescription,
        security: [{ appSignature: [] }, { staffSession: [] }],
        params: LinkParams,
        response: { 200: binary('image/svg+xml', 'SVG，可任意缩放 / SVG, scales to any size'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const svg = await qrSvg(await linkUrl(request, request.params.id), 'M');
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .send(svg);
    },
  );

  app.get(
    '/api/v1/rating-links/:id/qr.png',
    {
      schema: {
        tags: ['ratings'],
        summary: '评价链接的二维码（PNG，用于回执打印机）/ The QR code of a rating link (PNG, for a receipt printer)',
        description: `${linkDescription}\n\n每模块 8 像素，约 360 像素宽（58 毫米回执纸 203 dpi）。/ 8 pixels a module, about 360 px wide (a 58 mm receipt at 203 dpi).`,
        security: [{ appSignature: [] }, { staffSession: [] }],
        params: LinkParams,
        response: { 200: binary('image/png', 'PNG'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const png = await qrPng(await linkUrl(request, request.params.id), 'M');
      return reply.type('image/png').header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(png);
    },
  );

  app.get(
    '/api/v1/orgs/:orgId/posters.pdf',
    {
      schema: {
        tags: ['ratings'],
        summary: '本单位各窗口（及工作人员）的评价二维码海报（PDF，可直接打印）/ Print-ready QR posters of an org’s windows (and staff), one PDF',
        description:
          '每个窗口一页（kinds 含 staff 时每位工作人员也一页），含区划、单位、窗口名称，矢量二维码（纠错等级 Q）与中英文说明；内嵌思源黑体（Noto Sans SC）子集。/ ' +
          'One page per window (and per staff member when kinds includes staff) with the region, org and window names, a vector QR code (error correction Q) and instructions in Chinese and English; a subset of Noto Sans SC is embedded.',
        security: [{ staffSession: [] }, { appSignature: [] }],
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          size: Type.Optional(Type.Union(POSTER_SIZES.map((s) => Type.Literal(s)), { default: 'A4', description: 'A4（595×842 pt）或 A5（420×595 pt）/ A4 or A5' })),
          kinds: Type.Optional(Type.String({ pattern: '^(window|staff)(,(window|staff))?$', default: 'window', description: 'window、staff 或 window,staff / which posters' })),
        }),
        response: { 200: binary('application/pdf', 'PDF'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      const org = await orgForPosters(db, request.params.orgId);
      if (!org) throw new AppError('ORG_UNKNOWN');
      if (!mayWriteCatalog(caller, { regionPath: org.path, orgId: org.id })) throw new AppError('AUTH_OUT_OF_SCOPE');
      const size = request.query.size ?? 'A4';
      const kinds = new Set((request.query.kinds ?? 'window').split(','));
      const { windows, staff } = await placesOfOrg(db, org.id);
      const poster = (kind: PlaceKind, id: string, names: Pick<Poster, 'windowName' | 'staffName'>): Poster => ({ kind, regionName: org.regionName, orgName: org.name, ...names, url: placeUrl(config, kind, id) });
      const posters = [
        ...(kinds.has('window') ? windows.map((w) => poster('window', w.id, { windowName: w.name, staffName: null })) : []),
        ...(kinds.has('staff') ? staff.map((s) => poster('staff', s.id, { windowName: s.window_name, staffName: s.name })) : []),
      ];
      if (posters.length === 0) throw new AppError('NOT_FOUND', { reason: 'the org has no windows or staff of the kinds asked for' });
      const pdf = await renderPosters({ title: `${org.name} 评价二维码 / QR posters`, size, createdAt: clock(), posters });
      const file = `${org.name}-评价二维码-${size}.pdf`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="posters-${size}.pdf"; filename*=UTF-8''${encodeURIComponent(file)}`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );
}
