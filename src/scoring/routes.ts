// Scoring over HTTP: rankings and figures of any period (live, or as published once closed), a unit's
// dashboard and live score ledger, the schemes, and the signed snapshots with their verification.
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { callerCovers } from '../auth/policy.ts';
import type { PeriodKind, ScoreUnitKind } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { StaffCaller } from '../http/caller.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { scoreChanges } from './changes.ts';
import { correctionsOf, type Correction } from './corrections.ts';
import { heldForReview, liveFigures } from './live.ts';
import { unitView } from './published.ts';
import { parsePeriod, periodContaining, type Period } from './periods.ts';
import { addScheme, listSchemes } from './schemes.ts';
import { configuredTrustedKeys, loadSigner } from '../crypto/signing-key.ts';
import { closePeriod, listSnapshots, readSnapshot, verifySnapshot } from './snapshots.ts';
import { beijingDay } from '../clock.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

const Rate = Type.Union([Type.Number(), Type.Null()]);
const Figures = Type.Object(
  {
    evaluations: Type.Integer(),
    activeEvaluations: Type.Integer(),
    defaultEvaluations: Type.Integer(),
    levels: Type.Array(Type.Integer(), { description: '非常不满意…非常满意 / level 1…5' }),
    goodRate: Rate,
    activeGoodRate: Rate,
    stagesCompleted: Type.Integer(),
    stagesUnrated: Type.Integer(),
    unratedRate: Rate,
    tickets: Type.Integer(),
    replyRate: Rate,
    onTimeRate: Rate,
    callbackRate: Rate,
    callbackSatisfactionRate: Rate,
    overdue: Type.Integer(),
    inspections: Type.Integer(),
    inspectionScore: Rate,
    satisfactionScore: Rate,
    evaluationPart: Rate,
    ticketPart: Rate,
    compositeScore: Rate,
  },
  { $id: 'UnitFigures' },
);
const PeriodView = Type.Object({ kind: Type.String(), key: Type.String(), fromDay: Type.String(), toDay: Type.String() });
const PeriodQuery = Type.Object({
  period: Type.Optional(Type.String({ maxLength: 40, description: '2026-11-28 | 2026-W48 | 2026-11 | 2026-Q4 | 2026 | 2026-11-01..2026-11-15；默认本月 / default: this month' })),
});
const UnitKind = Type.Union(['region', 'org', 'item', 'window', 'staff'].map((k) => Type.Literal(k)));
const SnapshotMeta = Type.Object({
  id: Type.String(),
  periodKind: Type.String(),
  periodKey: Type.String(),
  digest: Type.String({ description: 'SM3（十六进制）/ SM3, hex' }),
  signature: Type.String({ description: 'SM2 签名（DER，base64）/ SM2 signature, DER, base64' }),
  keyId: Type.String(),
  closedAt: Type.String({ format: 'date-time' }),
});

const CorrectionView = Type.Object({
  id: Type.String(),
  seq: Type.Integer({ description: '本期更正序号（1起）/ order in the snapshot’s chain of corrections' }),
  recordedAt: Type.String({ format: 'date-time' }),
  evaluationId: Type.String(),
  flagKind: Type.String({ description: '引起更正的评价标记 / the evaluation flag behind it (appeal_upheld, fraud_confirmed …)' }),
  now: Type.String({ description: 'excluded 已不计入 / held 待核查 / counted 重新计入' }),
  effect: Type.Array(Type.Object({ unitKind: Type.String(), unitId: Type.String(), counts: Type.Record(Type.String(), Type.Integer()) }), { description: '对本期各单位计数的变动 / the change to the period’s counts of each unit' }),
  digest: Type.String({ description: 'SM3（十六进制），覆盖 document / SM3 of document, hex' }),
  previousDigest: Type.Union([Type.String(), Type.Null()], { description: '上一条更正的摘要（链）/ the digest of the correction before it' }),
  document: Type.String({ description: '摘要所覆盖的原文（JSON）/ the exact text the digest covers' }),
});
const presentCorrection = (c: Correction) => ({
  id: c.id, seq: c.seq, recordedAt: c.recordedAt.toISOString(), evaluationId: c.document.evaluationId, flagKind: c.document.flag.kind, now: c.document.now,
  effect: c.document.effect.map((e) => ({ unitKind: e.unitKind, unitId: e.unitId, counts: e.counts as Record<string, number> })),
  digest: c.digest, previousDigest: c.document.previousDigest, document: c.text,
});

const SUPERVISING = ['province_admin', 'supervisor'] as const;

function periodOf(key: string | undefined, now: Date): Period {
  if (key === undefined) return periodContaining('month', beijingDay(now));
  const period = parsePeriod(key);
  if (!period) throw new AppError('PERIOD_INVALID', { period: key });
  return period;
}

async function orgOfUnit(db: Kysely<DB>, kind: 'item' | 'window' | 'staff', id: string): Promise<string | undefined> {
  const table = kind === 'item' ? 'service_item' : kind === 'window' ? 'service_window' : 'staff';
  return (await db.selectFrom(table).select('org_id').where('id', '=', id).executeTakeFirst())?.org_id;
}

/** A region unit is covered by a caller scoped to it or above; an org caller sees only its org's units. */
async function requireUnitInScope(db: Kysely<DB>, caller: StaffCaller, kind: ScoreUnitKind, id: string): Promise<void> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  let place: { regionPath: string; orgId: string | null } | undefined;
  if (kind === 'region') {
    const region = await db.selectFrom('region').select('path').where('code', '=', id).executeTakeFirst();
    place = region && { regionPath: region.path, orgId: null };
  } else if (uuid) {
    const orgId = kind === 'org' ? id : await orgOfUnit(db, kind, id);
    const org = orgId && (await db.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select(['region.path', 'org.id']).where('org.id', '=', orgId).executeTakeFirst());
    place = org ? { regionPath: org.path, orgId: org.id } : undefined;
  }
  if (!place || !callerCovers(caller, place)) throw new AppError('UNIT_NOT_FOUND', { kind, id });
}

export function registerScoringRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>): void {
  const db = context.database.db;
  const { clock, config } = context;
  app.addSchema(Figures);

  app.get(
    '/api/v1/scoring/rankings',
    {
      schema: {
        tags: ['scoring'],
        summary: '排名：市（州）、县（市、区）、省直部门分别排名（已关账的周期取已发布结果）/ Rankings of prefectures, counties and provincial departments (published figures once closed)',
        security: [{ staffSession: [] }],
        querystring: PeriodQuery,
        response: {
          200: Type.Object({
            period: PeriodView,
            schemeVersion: Type.String(),
            published: Type.Boolean({ description: '已关账发布（不可更改）/ closed and published (cannot change)' }),
            snapshot: Type.Union([SnapshotMeta, Type.Null()]),
            corrections: Type.Array(CorrectionView, { description: '关账后附加的更正（只增不改；排名与数字仍为发布时的）/ corrections attached since closing (append-only; rankings and figures stay as published)' }),
            rankings: Type.Array(
              Type.Object({
                unitClass: Type.String(),
                ranked: Type.Array(Type.Object({ unitId: Type.String(), name: Type.String(), rank: Type.Integer(), tied: Type.Boolean(), compositeScore: Type.Number(), figures: Type.Ref('UnitFigures') })),
                belowMinimum: Type.Array(Type.Object({ unitId: Type.String(), name: Type.String(), activeEvaluations: Type.Integer() })),
              }),
            ),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      requireStaff(request);
      const period = periodOf(request.query.period, clock());
      const snapshot = period.kind === 'range' ? undefined : await readSnapshot(db, period.kind, period.key);
      const figures = snapshot?.document ?? (await liveFigures(db, period, clock()));
      const byId = new Map(figures.units.map((u) => [u.unitId, u.figures]));
      return {
        period: figures.period,
        schemeVersion: figures.scheme.version,
        published: snapshot !== undefined,
        snapshot: snapshot ? { id: snapshot.id, periodKind: snapshot.periodKind, periodKey: snapshot.periodKey, digest: snapshot.digest, signature: snapshot.signature, keyId: snapshot.keyId, closedAt: snapshot.closedAt.toISOString() } : null,
        corrections: snapshot ? (await correctionsOf(db, snapshot.id)).map(presentCorrection) : [],
        rankings: figures.rankings.map((r) => ({ ...r, ranked: r.ranked.map((e) => ({ ...e, figures: byId.get(e.unitId) })) })),
      };
    },
  );

  app.get(
    '/api/v1/scoring/units/:kind/:id',
    {
      schema: {
        tags: ['scoring'],
        summary: '单位看板：某区划、部门、事项、窗口或人员在某周期的各项指标、按渠道与按日 / A unit’s figures for a period, by channel and by day',
        description:
          '已关账的周期，区划与部门的 figures 取自签名发布的结果（source=snapshot），并列出关账后附加的更正；未关账的周期、事项/窗口/人员以及按渠道、按日的明细为实时数（source=live）。\n\n' +
          'For a closed period the figures of a region or org are the signed, published ones (source=snapshot), with the corrections attached since; open periods, items, windows and staff, and the breakdowns by channel and day are live (source=live).',
        security: [{ staffSession: [] }],
        params: Type.Object({ kind: UnitKind, id: Type.String({ minLength: 6, maxLength: 36 }) }),
        querystring: PeriodQuery,
        response: {
          200: Type.Object({
            unit: Type.Object({ kind: Type.String(), id: Type.String() }),
            period: PeriodView,
            schemeVersion: Type.String(),
            figures: Type.Ref('UnitFigures'),
            source: Type.Union([Type.Literal('snapshot'), Type.Literal('live')], { description: 'figures 的来源：已发布结果或实时数 / where figures come from' }),
            snapshot: Type.Union([Type.Object({ id: Type.String(), closedAt: Type.String({ format: 'date-time' }), digest: Type.String() }), Type.Null()], { description: '本期已关账时的发布结果 / the period’s snapshot once closed' }),
            corrections: Type.Array(CorrectionView),
            heldForReview: Type.Integer({ description: '本期因疑似刷评暂缓计入、待核查的评价数（不计入 figures）/ ratings of the period held out of the figures pending fraud review' }),
            breakdownSource: Type.Literal('live', { description: 'channels 与 daily 始终为实时数 / channels and daily are always live' }),
            channels: Type.Array(Type.Object({ channel: Type.String(), evaluations: Type.Integer(), good: Type.Integer(), active: Type.Integer(), active_good: Type.Integer(), goodRate: Rate, activeGoodRate: Rate })),
            daily: Type.Array(Type.Object({ day: Type.String(), evaluations: Type.Integer(), goodRate: Rate, satisfactionScore: Rate })),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { kind, id } = request.params as { kind: ScoreUnitKind; id: string };
      await requireUnitInScope(db, caller, kind, id);
      const view = await unitView(db, kind, id, periodOf(request.query.period, clock()), clock());
      return {
        ...view,
        snapshot: view.snapshot && { id: view.snapshot.id, closedAt: view.snapshot.closedAt.toISOString(), digest: view.snapshot.digest },
        corrections: view.corrections.map(presentCorrection),
        heldForReview: await heldForReview(db, kind, id, view.period),
        breakdownSource: 'live' as const,
      };
    },
  );

  app.get(
    '/api/v1/scoring/units/:kind/:id/ledger',
    {
      schema: {
        tags: ['scoring'],
        summary: '计分台账：本周期实时得分及最近的每一项变动（追溯到评价、申诉/刷评标记、工单步骤、暗访）/ The live score ledger: current score and the latest changes, each traced to its fact',
        security: [{ staffSession: [] }],
        params: Type.Object({ kind: Type.Union([Type.Literal('region'), Type.Literal('org')]), id: Type.String({ minLength: 6, maxLength: 36 }) }),
        querystring: Type.Object({ ...PeriodQuery.properties, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: {
          200: Type.Object({
            figures: Type.Ref('UnitFigures'),
            changes: Type.Array(
              Type.Object({
                at: Type.String({ format: 'date-time' }),
                source: Type.Object({ kind: Type.String(), id: Type.String(), receiptNo: Type.Union([Type.String(), Type.Null()]), detail: Type.String() }),
                effect: Type.Record(Type.String(), Type.Integer()),
                compositeAfter: Rate,
              }),
            ),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { kind, id } = request.params;
      await requireUnitInScope(db, caller, kind, id);
      const result = await scoreChanges(db, kind, id, periodOf(request.query.period, clock()), request.query.limit ?? 50);
      return { figures: result.figures, changes: result.changes.map((c) => ({ ...c, at: c.at.toISOString() })) };
    },
  );

  app.get(
    '/api/v1/scoring/schemes',
    {
      schema: {
        tags: ['scoring'],
        summary: '计分方案各版本（只增不改）/ Scoring scheme versions (appended, never edited)',
        security: [{ staffSession: [] }],
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ version: Type.String(), effectiveFrom: Type.String(), definition: Type.Record(Type.String(), Type.Unknown()), note: Type.Union([Type.String(), Type.Null()]), createdBy: Type.String(), createdAt: Type.String({ format: 'date-time' }) })) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      requireStaff(request);
      return { items: (await listSchemes(db)).map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })) };
    },
  );

  app.post(
    '/api/v1/scoring/schemes',
    {
      schema: {
        tags: ['scoring'],
        summary: '新增计分方案版本（自生效日起的周期适用）/ Add a scoring scheme version (periods starting on or after its effective day use it)',
        security: [{ staffSession: [] }],
        body: Type.Object(
          {
            version: Type.String({ pattern: '^[A-Za-z0-9._-]{1,40}$' }),
            effectiveFrom: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
            definition: Type.Record(Type.String(), Type.Unknown()),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ version: Type.String(), effectiveFrom: Type.String() }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request, ['province_admin']);
      const body = request.body;
      if (!parsePeriod(body.effectiveFrom)) throw new AppError('SCHEME_INVALID', { problems: ['effectiveFrom is not a date'] });
      const scheme = await addScheme(db, { version: body.version, effectiveFrom: body.effectiveFrom, definition: body.definition, note: body.note ?? null }, caller.username, clock());
      return reply.status(201).send({ version: scheme.version, effectiveFrom: scheme.effectiveFrom });
    },
  );

  app.get(
    '/api/v1/scoring/snapshots',
    {
      schema: {
        tags: ['scoring'],
        summary: '已关账发布的统计结果（SM2 签名）/ Closed, published snapshots (SM2-signed)',
        security: [{ staffSession: [] }],
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ ...SnapshotMeta.properties, fromDay: Type.String(), toDay: Type.String(), schemeVersion: Type.String() })) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      requireStaff(request);
      return { items: (await listSnapshots(db)).map((s) => ({ ...s, closedAt: s.closedAt.toISOString() })) };
    },
  );

  const SnapshotParams = Type.Object({ kind: Type.Union(['day', 'week', 'month', 'quarter', 'year'].map((k) => Type.Literal(k))), key: Type.String({ maxLength: 40 }) });

  app.get(
    '/api/v1/scoring/snapshots/:kind/:key',
    {
      schema: {
        tags: ['scoring'],
        summary: '某周期已发布的统计结果：签名文档原文、摘要与签名 / A published snapshot: the signed document text, digest and signature',
        security: [{ staffSession: [] }],
        params: SnapshotParams,
        response: {
          200: Type.Object({
            ...SnapshotMeta.properties,
            document: Type.String({ description: '签名所覆盖的原文（JSON）/ the exact signed text (JSON)' }),
            corrections: Type.Array(CorrectionView, { description: '关账后附加的更正，按序成链 / corrections attached since closing, a chain in order' }),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      requireStaff(request);
      const row = await db.selectFrom('score_snapshot').selectAll().where('period_kind', '=', request.params.kind as PeriodKind).where('period_key', '=', request.params.key).executeTakeFirst();
      if (!row) throw new AppError('SNAPSHOT_NOT_FOUND', { period: request.params.key });
      return {
        id: row.id, periodKind: row.period_kind, periodKey: row.period_key, digest: Buffer.from(row.digest).toString('hex'), signature: Buffer.from(row.signature).toString('base64'),
        keyId: row.key_id, closedAt: row.closed_at.toISOString(), document: row.document,
        corrections: (await correctionsOf(db, row.id)).map(presentCorrection),
      };
    },
  );

  app.post(
    '/api/v1/scoring/snapshots',
    {
      schema: {
        tags: ['scoring'],
        summary: '关账：计算并签名发布某周期的统计结果（此后不可更改）/ Close a period: compute, sign and publish its figures (never changed afterwards)',
        security: [{ staffSession: [] }],
        body: Type.Object({ period: Type.String({ maxLength: 40 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ ...SnapshotMeta.properties, schemeVersion: Type.String() }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request, ['province_admin']);
      const period = periodOf(request.body.period, clock());
      if (period.kind === 'range') throw new AppError('PERIOD_KIND_NOT_CLOSABLE', { period: period.key });
      const s = await closePeriod(db, loadSigner(config), period, caller.username, clock());
      return reply.status(201).send({ id: s.id, periodKind: s.periodKind, periodKey: s.periodKey, digest: s.digest, signature: s.signature, keyId: s.keyId, closedAt: s.closedAt.toISOString(), schemeVersion: s.document.scheme.version });
    },
  );

  app.get(
    '/api/v1/scoring/snapshots/:kind/:key/verification',
    {
      schema: {
        tags: ['scoring'],
        summary: '核验已发布结果：验签、复核台账哈希链并仅凭台账重算每个数字 / Verify a snapshot: signature, ledger chains and every figure recomputed from the ledger alone',
        security: [{ staffSession: [] }],
        params: SnapshotParams,
        response: {
          200: Type.Object({ snapshotId: Type.String(), period: Type.String(), ok: Type.Boolean(), unitsCompared: Type.Integer(), problems: Type.Array(Type.Object({ code: Type.String(), detail: Type.String() })) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      requireStaff(request, SUPERVISING);
      return verifySnapshot(db, request.params.kind as PeriodKind, request.params.key, configuredTrustedKeys(config));
    },
  );
}

