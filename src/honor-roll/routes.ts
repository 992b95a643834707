// The public 好评榜: GET /honor-roll (HTML) and GET /api/v1/public/honor-roll (JSON), no login,
// limited per IP. Published periods never change, so their JSON may be cached as immutable; the
// default (the latest month) and live figures are cached briefly.
import { Type, type Static, type TSchema } from 'typebox';
import { AppError, errorCatalogue, type ErrorCode } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { parsePeriod } from '../scoring/periods.ts';
import type { HonorRollView, PeriodRef } from './honor-roll.ts';
import { sendPublicPage } from '../pages/public-page.ts';
import { loadHonorRoll, pickerOf } from './queries.ts';
import { HONOR_ROLL_API_PATH, HONOR_ROLL_PATH, HONOR_ROLL_VERIFY_PATH, renderHonorRoll, renderProblem, renderVerifyPage } from './render.ts';

const PERIOD_KEY_MAX = 30;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

const HonorRollResponse = Type.Object({
  period: Type.Object({
    kind: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')]),
    key: Type.String({ description: '如 2026-10、2026-Q3、2026 / e.g. 2026-10, 2026-Q3, 2026' }),
    fromDay: Type.String({ format: 'date' }),
    toDay: Type.String({ format: 'date' }),
  }),
  status: Type.Union([Type.Literal('published'), Type.Literal('live'), Type.Literal('not_published')], {
    description: 'published 已关账发布（签名）/ live 本月实时、未发布 / not_published 尚未发布 — published and signed; live, provisional (current month only); not published yet',
  }),
  published: Type.Boolean(),
  schemeVersion: nullable(Type.String()),
  minimumVolume: nullable(Type.Integer({ description: '参加排名所需的主动评价数 / active evaluations needed to be ranked' })),
  digest: nullable(Type.String({ description: '快照文本的 SM3 摘要（十六进制）/ SM3 digest of the snapshot document, hex' })),
  keyId: nullable(Type.String({ description: 'SM2 签名密钥编号 / id of the SM2 signing key' })),
  closedAt: nullable(Type.String({ format: 'date-time' })),
  asOf: nullable(Type.String({ format: 'date-time', description: '实时数据的读取时间 / when live figures were read' })),
  pending: Type.Union([Type.Literal('not_ended'), Type.Literal('awaiting_close'), Type.Null()], {
    description: '未发布的原因：周期未结束 / 已结束待关账 — why nothing is published: the period has not ended, or it awaits closing',
  }),
  classes: Type.Array(
    Type.Object({
      unitClass: Type.Union([Type.Literal('prefecture'), Type.Literal('county'), Type.Literal('provincial_department')], {
        description: 'prefecture 市（州）/ county 县（市、区）/ provincial_department 省直部门',
      }),
      name: Bilingual,
      entries: Type.Array(
        Type.Object({
          rank: Type.Integer({ minimum: 1 }),
          tied: Type.Boolean({ description: '并列 / shares its rank' }),
          unitId: Type.String({ description: '行政区划代码或单位编号 / region code or org id' }),
          name: Type.String({ description: '快照中的名称 / the name as signed in the snapshot' }),
          displayName: Type.String({ description: '对公众显示的名称：县级单位带市（州），如 成都市锦江区 / the public name: a county with its prefecture' }),
          compositeScore: Type.Number(),
          goodRate: nullable(Type.Number({ description: '好评率 0–1' })),
          evaluations: Type.Integer(),
          activeEvaluations: Type.Integer(),
        }),
        { description: '前 10 名，并列第 10 名的全部列入 / top 10, every unit tied at 10th included' },
      ),
      ranked: Type.Integer({ description: '参加排名的单位数 / units ranked' }),
      belowMinimum: Type.Integer({ description: '评价量不足未参加排名的单位数 / units not ranked for lack of volume' }),
    }),
  ),
  method: nullable(Type.Object({ zh: Type.Array(Type.String()), en: Type.Array(Type.String()) }, { description: '计分方法说明 / how the score is computed' })),
});
type HonorRollResponse = Static<typeof HonorRollResponse>;

const YEAR_SECONDS = 365 * 24 * 3600;
/** A published period asked for by name never changes (snapshots are append-only). */
const PUBLISHED_JSON = `public, max-age=${YEAR_SECONDS}, immutable`;
/** The page also lists the periods published so far, which grows: an hour at most. */
const PUBLISHED_PAGE = 'public, max-age=3600';

/** Cache lifetime: `published` for a published period asked for by name; anything else may change soon. */
function cacheControl(view: HonorRollView, named: boolean, published: string): string {
  if (view.status === 'published') return named ? published : 'public, max-age=300';
  return view.status === 'live' ? 'public, max-age=60' : 'public, max-age=300';
}

/** The period a query names, null for none; a range or a malformed key is refused. */
export function requestedPeriod(text: string | undefined): PeriodRef | null {
  const key = text?.trim() ?? '';
  if (key === '') return null;
  const period = key.length > PERIOD_KEY_MAX ? null : parsePeriod(key);
  if (!period) throw new AppError('PERIOD_INVALID', { period: key.slice(0, PERIOD_KEY_MAX) });
  // Ranges are never closed, so never published.
  if (period.kind === 'range') throw new AppError('PERIOD_KIND_NOT_CLOSABLE', { period: key });
  return { kind: period.kind, key: period.key, fromDay: period.fromDay, toDay: period.toDay };
}

export function honorRollJson(view: HonorRollView): HonorRollResponse {
  const roll = view.roll;
  return {
    period: view.period,
    status: view.status,
    published: view.status === 'published',
    schemeVersion: roll?.schemeVersion ?? null,
    minimumVolume: roll?.minimumVolume ?? null,
    digest: view.seal?.digest ?? null,
    keyId: view.seal?.keyId ?? null,
    closedAt: view.seal?.closedAt.toISOString() ?? null,
    asOf: view.asOf?.toISOString() ?? null,
    pending: view.pending,
    classes: (roll?.classes ?? []).map((c) => ({ unitClass: c.unitClass, name: c.name, entries: c.entries, ranked: c.rankedCount, belowMinimum: c.belowMinimumCount })),
    method: roll?.note ?? null,
  };
}

export function registerHonorRollRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>, limits: PublicLimits): void {
  const db = context.database.db;
  const { clock } = context;
  // The query is checked by hand so that a bad period gets a page, not a JSON error.
  const PageQuery = Type.Object({ period: Type.Optional(Type.String()) });

  /** The two pages of a period: the roll, and how to check it. */
  const periodPage = (path: string, render: typeof renderHonorRoll, published: string) =>
    app.get(path, { onRequest: [limits.perIp], schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
      const now = clock();
      const asked = request.query.period?.slice(0, PERIOD_KEY_MAX) ?? '';
      let period: PeriodRef | null;
      try {
        period = requestedPeriod(request.query.period);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const code: ErrorCode = error.code;
        const picker = await pickerOf(db, now);
        return sendPublicPage(request, reply, { path, keep: { period: asked } }, (prefs) => ({ status: error.status, ...renderProblem(prefs.lang, errorCatalogue[code], picker, asked) }));
      }
      const view = await loadHonorRoll(db, period, now);
      return sendPublicPage(request, reply, { path, keep: period ? { period: period.key } : {} }, (prefs) => ({
        ...render(view, prefs.lang),
        cacheControl: cacheControl(view, period !== null, published),
      }));
    });

  periodPage(HONOR_ROLL_PATH, renderHonorRoll, PUBLISHED_PAGE);
  periodPage(HONOR_ROLL_VERIFY_PATH, renderVerifyPage, PUBLISHED_PAGE);

  app.get(
    HONOR_ROLL_API_PATH,
    {
      onRequest: [limits.perIp],
      schema: {
        tags: ['public'],
        summary: '好评榜：市（州）、县（市、区）、省直部门分别排名的前 10 名（无需登录）/ Honor roll: top 10 of prefectures, counties and provincial departments, ranked separately (no login)',
        description:
          '默认为最近一个已关账发布的月份；period 可取 2026-10、2026-Q3、2026 等。已发布的数字来自 SM2 签名的快照（digest、keyId）；本月未发布时返回实时排名（status = live），其他未发布周期不返回排名。\n\n' +
          'By default the latest closed and published month; period may be 2026-10, 2026-Q3, 2026 and so on. Published figures come from the SM2-signed snapshot (digest, keyId); for the current month, when not published, the live ranking is returned (status = live); other unpublished periods return no ranking.',
        querystring: Type.Object({ period: Type.Optional(Type.String({ minLength: 1, maxLength: PERIOD_KEY_MAX })) }),
        response: { 200: HonorRollResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const period = requestedPeriod(request.query.period);
      const view = await loadHonorRoll(db, period, clock());
      return reply.header('cache-control', cacheControl(view, period !== null, PUBLISHED_JSON)).send(honorRollJson(view));
    },
  );
}
