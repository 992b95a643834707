// HTTP routes of evaluation intake and reading. Routes parse, authorise, call and present.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireApp, requireCaller } from '../auth/guard.ts';
import { createNonceClaimer } from '../auth/nonces.ts';
import { callerCovers, mayReviewRisk, mayRevealPii } from '../auth/policy.ts';
import type { Caller } from '../http/caller.ts';
import { reportRating } from '../risk/review-commands.ts';
import { AppError, errorBody } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { revealPerson } from '../pii/vault.ts';
import { draftFromNative, nationalToDraft, NativeEvaluation, NationalEvaluation, nativeToDraft } from './draft.ts';
import type { IntakeOutcome } from './intake-request.ts';
import { EvaluationView, presentEvaluation, StoredEvaluationView } from './presenter.ts';
import { findEvaluation, flagsOf, levelSummary, listEvaluations } from './queries.ts';

const IntakeResponse = Type.Object({
  status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate')], { description: 'duplicate：同一请求编号已存过，返回原结果 / same client id seen before; the original result' }),
  evaluation: Type.Ref('StoredEvaluation'),
});

const BatchItemResult = Type.Object({
  index: Type.Integer({ description: '在 items 中的下标（从0开始）/ position in items' }),
  status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate'), Type.Literal('refused')]),
  evaluation: Type.Optional(Type.Ref('StoredEvaluation')),
  error: Type.Optional(Type.Ref('ErrorResponse')),
});

const BatchResponse = Type.Object({
  total: Type.Integer(),
  stored: Type.Integer(),
  duplicates: Type.Integer(),
  refused: Type.Integer(),
  results: Type.Array(BatchItemResult),
});

// Fraud is confirmed or cleared only through the review queue (two reviewers, src/risk/routes.ts);
// here a supervisor may report a rating (it is held and queued) or record an upheld appeal.
const FLAG_KINDS = ['fraud_suspected', 'fraud_confirmed', 'fraud_cleared', 'appeal_upheld'] as const;
const QUEUE_ONLY_FLAGS: ReadonlySet<string> = new Set(['fraud_confirmed', 'fraud_cleared']);
/** Risk findings are for the supervising level only (never the org concerned or an integrator). */
const RISK_FLAGS: ReadonlySet<string> = new Set(['fraud_suspected', 'fraud_confirmed', 'fraud_cleared', 'risk_held']);
const visibleFlags = <F extends { kind: string }>(caller: Caller, flags: F[]) => (mayReviewRisk(caller) ? flags : flags.filter((f) => !RISK_FLAGS.has(f.kind)));

// Intake routes refuse an unsigned caller before looking at the body.
const appOnly = async (request: FastifyRequest) => {
  requireApp(request);
};

export function registerEvaluationRoutes(app: App, context: AppContext): void {
  const { database, config, clock, intake } = context;
  const db = database.db;
  app.addSchema(StoredEvaluationView);
  app.addSchema(EvaluationView);
  app.addSchema(NativeEvaluation);
  app.addSchema(NationalEvaluation);
  // Single evaluations claim their nonce with their flush (src/auth/guard.ts); one refused before
  // reaching the writer spends it here, as every signed request does (docs/integration.md §6).
  const nonces = createNonceClaimer(db);
  const refuseSpendingNonce = async (request: FastifyRequest, error: Error): Promise<never> => {
    const nonce = request.deferredNonce;
    if (nonce && !(await nonces.claim(nonce.appId, nonce.nonce, clock()))) throw new AppError('AUTH_NONCE_REPLAYED', { nonce: nonce.nonce });
    throw error;
  };

  app.post(
    '/api/v1/evaluations',
    {
      preValidation: appOnly,
      config: { claimsNonceInTransaction: true },
      // A body that fails the schema still spends the nonce: the handler answers it.
      attachValidation: true,
      schema: {
        tags: ['evaluations'],
        summary: '提交一条评价 / Submit one evaluation',
        description:
          '按办件环节提交评价。以 clientId（或缺省时以 办件编号+环节+评价次数）幂等：重试返回原结果，不会重复存储。\n\n' +
          'Idempotent by clientId (or, when absent, by projectNo + serviceNumber + assessNumber): a retry gets the original result and is never stored twice.',
        security: [{ appSignature: [] }],
        body: Type.Ref('NativeEvaluation'),
        response: { 200: IntakeResponse, 201: IntakeResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireApp(request);
      if (request.validationError) return refuseSpendingNonce(request, request.validationError);
      const parsed = draftFromNative(request.body as NativeEvaluation);
      if ('refusal' in parsed) return refuseSpendingNonce(request, new AppError(parsed.refusal.code, parsed.refusal.details));
      const [outcome] = await intake.submit([{ draft: parsed.draft, sourceApp: caller.appId, scope: caller, nonce: request.deferredNonce }]);
      if (!outcome) throw new AppError('INTERNAL_ERROR');
      if (outcome.status === 'refused') throw new AppError(outcome.refusal.code, outcome.refusal.details);
      return reply.status(outcome.status === 'stored' ? 201 : 200).send(outcome);
    },
  );

  app.post(
    '/api/v1/evaluations/batch',
    {
      preValidation: appOnly,
      schema: {
        tags: ['evaluations'],
        summary: '批量提交评价（最多1000条，逐条返回结果）/ Submit up to 1,000 evaluations, one result each',
        description:
          'format=native 使用本平台字段（见 NativeEvaluation）；format=national 使用国家接口字段名（projectNo, satisfaction, pf, evalDetail, writingEvaluation, assessTime, assessNumber, userProp, userName, certKey …，见 NationalEvaluation），' +
          'pf 按接入应用登记的渠道代码表映射。合格条目存储，不合格条目逐条报告，互不影响。\n\n' +
          'format=native uses our field names; format=national the national interface names, with pf mapped by the code table registered for the calling app. Good items are stored and bad ones reported, independently.',
        security: [{ appSignature: [] }],
        body: Type.Object(
          {
            format: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('national')], { default: 'native' })),
            items: Type.Array(Type.Unknown(), { minItems: 1, description: '最多 1000 条 / at most 1,000 (BATCH_TOO_LARGE beyond)' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: BatchResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireApp(request);
      const { items, format } = request.body;
      if (items.length > config.intake.batchMax) throw new AppError('BATCH_TOO_LARGE', { max: config.intake.batchMax, given: items.length });
      const parsed = items.map((item) => (format === 'national' ? nationalToDraft(item, caller.channelProfile) : nativeToDraft(item)));
      const drafts = parsed.flatMap((p, index) => ('draft' in p ? [{ index, draft: p.draft }] : []));
      const outcomes = await intake.submit(drafts.map(({ draft }) => ({ draft, sourceApp: caller.appId, scope: caller })));
      const byIndex = new Map<number, IntakeOutcome>(drafts.map(({ index }, k) => [index, outcomes[k] ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } }]));
      const results = parsed.map((p, index) => {
        const outcome: IntakeOutcome = 'refusal' in p ? { status: 'refused', refusal: p.refusal } : (byIndex.get(index) ?? { status: 'refused', refusal: { code: 'INTERNAL_ERROR' } });
        return outcome.status === 'refused'
          ? { index, status: outcome.status, error: errorBody(outcome.refusal.code, outcome.refusal.details) }
          : { index, status: outcome.status, evaluation: outcome.evaluation };
      });
      return {
        total: results.length,
        stored: results.filter((r) => r.status === 'stored').length,
        duplicates: results.filter((r) => r.status === 'duplicate').length,
        refused: results.filter((r) => r.status === 'refused').length,
        results,
      };
    },
  );

  app.get(
    '/api/v1/evaluations/:id',
    {
      schema: {
        tags: ['evaluations'],
        summary: '查看一条评价（个人信息默认脱敏）/ Read one evaluation (personal data masked)',
        security: [{ staffSession: [] }, { appSignature: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          reveal: Type.Optional(Type.Boolean({ description: '查看评价人信息原文（仅限有权角色，记入访问日志）/ unmask the rater (authorised roles only; logged)' })),
          purpose: Type.Optional(Type.String({ maxLength: 200, description: '查看原因，记入访问日志 / why, for the access log' })),
        }),
        response: { 200: Type.Ref('Evaluation'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireCaller(request);
      const row = await findEvaluation(db, request.params.id);
      if (!row || !callerCovers(caller, { regionPath: row.region_path, orgId: row.org_id })) throw new AppError('EVALUATION_NOT_FOUND');
      let revealed = null;
      if (request.query.reveal) {
        if (!mayRevealPii(caller) || caller.kind !== 'staff') throw new AppError('AUTH_FORBIDDEN', { reason: 'this role may not see personal data unmasked' });
        if (row.rater_pii && row.rater_pii_key_id) {
          revealed = await revealPerson(
            db,
            config,
            { table: 'evaluation', rowId: row.id, sealed: row.rater_pii, keyId: row.rater_pii_key_id, actor: caller.username, actorRole: caller.role, purpose: request.query.purpose ?? 'view evaluation' },
            clock(),
          );
        }
      }
      const flags = visibleFlags(caller, await flagsOf(db, [row.id]));
      return presentEvaluation(row, flags, revealed);
    },
  );

  app.get(
    '/api/v1/evaluations',
    {
      schema: {
        tags: ['evaluations'],
        summary: '评价列表（按管辖范围，个人信息脱敏）/ List evaluations within the caller’s scope (masked)',
        security: [{ staffSession: [] }, { appSignature: [] }],
        querystring: Type.Object({
          regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}([0-9]{6})?$' })),
          orgId: Type.Optional(Type.String({ format: 'uuid' })),
          level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          after: Type.Optional(Type.String({ format: 'uuid', description: '上一页最后一条的 id / last id of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Evaluation')), next: Type.Union([Type.String(), Type.Null()]) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireCaller(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await listEvaluations(db, caller, {
        regionCode: q.regionCode,
        orgId: q.orgId,
        level: q.level,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        after: q.after,
        limit,
      });
      const flags = visibleFlags(caller, await flagsOf(db, rows.map((r) => r.id)));
      const items = rows.map((row) => presentEvaluation(row, flags.filter((f) => f.evaluation_id === row.id), null));
      return { items, next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
    },
  );

  app.post(
    '/api/v1/evaluations/:id/flags',
    {
      schema: {
        tags: ['evaluations'],
        summary: '为评价追加标记（疑似刷评等；只增不改）/ Append a flag to an evaluation (append-only)',
        security: [{ staffSession: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ kind: Type.Union(FLAG_KINDS.map((k) => Type.Literal(k))), reason: Type.String({ minLength: 2, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), kind: Type.String(), at: Type.String({ format: 'date-time' }) }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      if (caller.kind !== 'staff' || !(caller.role === 'supervisor' || caller.role === 'province_admin')) throw new AppError('AUTH_FORBIDDEN');
      const row = await findEvaluation(db, request.params.id);
      if (!row || !callerCovers(caller, { regionPath: row.region_path, orgId: row.org_id })) throw new AppError('EVALUATION_NOT_FOUND');
      const at = clock();
      const body = request.body;
      if (QUEUE_ONLY_FLAGS.has(body.kind)) throw new AppError('RISK_REVIEW_VIA_QUEUE');
      if (body.kind === 'fraud_suspected') {
        if (!mayReviewRisk(caller)) throw new AppError('RISK_REVIEW_NOT_ALLOWED');
        await reportRating(db, { evaluationId: row.id, reporter: caller.username, reason: body.reason }, at);
        return reply.status(201).send({ id: row.id, kind: body.kind, at: at.toISOString() });
      }
      if (body.kind === 'appeal_upheld') {
        // 申诉成立 is the outcome of an appeal the handling org filed on the ticket and a supervisor
        // decided there (which appends this flag); it is never posted on its own.
        const ticket = await db.selectFrom('ticket').select(['id', 'appeal_state']).where('evaluation_id', '=', row.id).executeTakeFirst();
        if (!ticket || ticket.appeal_state === null) throw new AppError('EVALUATION_APPEAL_NOT_FILED', { evaluationId: row.id });
        throw new AppError('EVALUATION_APPEAL_DECIDED_ON_TICKET', { ticketId: ticket.id, appeal: ticket.appeal_state });
      }
      throw new AppError('EVALUATION_FLAG_INVALID', { kind: body.kind });
    },
  );

  app.get(
    '/api/v1/stats/levels',
    {
      schema: {
        tags: ['evaluations'],
        summary: '按等级统计评价数（取自实时计数，不扫描台账；不计入考核的评价已扣除）/ Evaluations per level, from the maintained counters, less those out of the figures',
        security: [{ staffSession: [] }, { appSignature: [] }],
        querystring: Type.Object({
          regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}([0-9]{6})?$' })),
          orgId: Type.Optional(Type.String({ format: 'uuid' })),
          from: Type.String({ description: 'yyyy-MM-dd（北京时间）' , pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
          to: Type.String({ description: 'yyyy-MM-dd（含）/ inclusive', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
        }),
        response: {
          200: Type.Object({ from: Type.String(), to: Type.String(), levels: Type.Array(Type.Object({ level: Type.Integer(), active: Type.Integer(), defaults: Type.Integer() })) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireCaller(request);
      const { regionCode, orgId, from, to } = request.query;
      let regionPath = caller.regionPath ?? undefined;
      if (regionCode) {
        const region = await db.selectFrom('region').select('path').where('code', '=', regionCode).executeTakeFirst();
        if (!region) throw new AppError('REGION_UNKNOWN', { regionCode });
        if (!callerCovers(caller, { regionPath: region.path, orgId: caller.orgId })) throw new AppError('AUTH_OUT_OF_SCOPE');
        regionPath = region.path;
      }
      const scopedOrg = caller.orgId ?? orgId;
      const levels = await levelSummary(db, { ...(regionPath ? { regionPath } : {}), ...(scopedOrg ? { orgId: scopedOrg } : {}), fromDay: from, toDay: to });
      return { from, to, levels };
    },
  );
}

