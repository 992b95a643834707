// The review queue API: the supervising level lists held ratings with their scores and readable
// reasons, reads one with its assessments and votes, and decides (two reviewers to confirm).
import { Type } from 'typebox';
import { requireCaller } from '../auth/guard.ts';
import { callerCovers, mayReviewRisk } from '../auth/policy.ts';
import type { Caller } from '../http/caller.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { RATING_PATHS, REASON_CODES } from './engine.ts';
import { assessmentsOf, listRiskCases, reviewsOf, riskCaseOf } from './queries.ts';
import { reviewRating } from './review-commands.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-MM-dd（北京时间）' });
const Text = Type.Object({ zh: Type.String(), en: Type.String() });
const CaseSummary = Type.Object({
  evaluationId: Type.String(),
  receiptNo: Type.String(),
  status: Type.Union([Type.Literal('held'), Type.Literal('confirmed'), Type.Literal('cleared')], { description: 'held 待核查 · confirmed 确认刷评 · cleared 已排除' }),
  score: Type.Number(),
  reasonCodes: Type.Array(Type.String()),
  path: Type.String(),
  regionCode: Type.String(),
  orgId: Type.String(),
  orgName: Type.String(),
  level: Type.Integer(),
  comment: Type.Union([Type.String(), Type.Null()]),
  channel: Type.String(),
  assessedAt: Type.String({ format: 'date-time' }),
  openedAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

function requireReviewer(caller: Caller): Caller & { kind: 'staff' } {
  if (!mayReviewRisk(caller) || caller.kind !== 'staff') throw new AppError('RISK_REVIEW_NOT_ALLOWED');
  return caller;
}

export function registerRiskRoutes(app: App, context: Pick<AppContext, 'database' | 'clock'>): void {
  const db = context.database.db;

  const caseInScope = async (caller: Caller, evaluationId: string) => {
    const riskCase = await riskCaseOf(db, evaluationId);
    if (!riskCase || !callerCovers(caller, { regionPath: riskCase.region_path, orgId: riskCase.org_id })) throw new AppError('RISK_CASE_NOT_FOUND');
    return riskCase;
  };

  app.get(
    '/api/v1/risk/cases',
    {
      schema: {
        tags: ['risk'],
        summary: '刷评核查队列（仅上级监管人员）/ The fraud review queue (supervising level only)',
        description: '被核查单位的经办人和接入系统看不到此队列。/ Never visible to the handlers of the unit concerned or to integrators.',
        security: [{ staffSession: [] }],
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('held'), Type.Literal('confirmed'), Type.Literal('cleared')], { default: 'held' })),
          minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          reason: Type.Optional(Type.Union([...REASON_CODES, 'reported'].map((c) => Type.Literal(c)))),
          path: Type.Optional(Type.Union(RATING_PATHS.map((p) => Type.Literal(p)))),
          orgId: Type.Optional(Type.String({ format: 'uuid' })),
          from: Type.Optional(Day),
          to: Type.Optional(Day),
          after: Type.Optional(Type.String({ format: 'uuid', description: '上一页最后一条的 evaluationId / last evaluationId of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(CaseSummary), next: Type.Union([Type.String(), Type.Null()]) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireReviewer(requireCaller(request));
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await listRiskCases(db, { regionPath: caller.regionPath ?? '', status: q.status ?? 'held', minScore: q.minScore, reason: q.reason, path: q.path, orgId: q.orgId, fromDay: q.from, toDay: q.to, after: q.after, limit });
      const items = rows.map((r) => ({
        evaluationId: r.evaluation_id,
        receiptNo: r.receipt_no,
        status: r.status,
        score: r.score,
        reasonCodes: r.reason_codes,
        path: r.path,
        regionCode: r.region_code,
        orgId: r.org_id,
        orgName: r.org_name,
        level: r.level,
        comment: r.comment,
        channel: r.channel,
        assessedAt: r.assessed_at.toISOString(),
        openedAt: r.opened_at.toISOString(),
        decidedAt: r.decided_at?.toISOString() ?? null,
      }));
      return { items, next: rows.length === limit ? (rows.at(-1)?.evaluation_id ?? null) : null };
    },
  );

  app.get(
    '/api/v1/risk/cases/:evaluationId',
    {
      schema: {
        tags: ['risk'],
        summary: '一条待核查评价的评估记录与复核意见 / One held rating: its assessments and the reviewers’ votes',
        security: [{ staffSession: [] }],
        params: Type.Object({ evaluationId: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            status: Type.String(),
            round: Type.Integer(),
            assessments: Type.Array(
              Type.Object({
                policyVersion: Type.String(),
                score: Type.Number(),
                held: Type.Boolean(),
                assessedAt: Type.String({ format: 'date-time' }),
                reasons: Type.Array(Type.Object({ code: Type.String(), weight: Type.Number(), text: Text })),
              }),
            ),
            reviews: Type.Array(Type.Object({ reviewer: Type.String(), round: Type.Integer(), decision: Type.String(), reason: Type.String(), evidence: Type.Array(Type.String()), at: Type.String({ format: 'date-time' }) })),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireReviewer(requireCaller(request));
      const riskCase = await caseInScope(caller, request.params.evaluationId);
      const assessments = await assessmentsOf(db, riskCase.evaluation_id);
      const reviews = await reviewsOf(db, riskCase.evaluation_id);
      return {
        status: riskCase.status,
        round: riskCase.round,
        assessments: assessments.map((a) => ({ policyVersion: a.policy_version, score: a.score, held: a.held, assessedAt: a.assessed_at.toISOString(), reasons: a.reasons.map((r) => ({ code: r.code, weight: r.weight, text: r.text })) })),
        reviews: reviews.map((r) => ({ reviewer: r.reviewer, round: r.round, decision: r.decision, reason: r.reason, evidence: r.evidence, at: r.at.toISOString() })),
      };
    },
  );

  app.post(
    '/api/v1/risk/cases/:evaluationId/reviews',
    {
      schema: {
        tags: ['risk'],
        summary: '复核一条待核查评价：确认刷评须两名不同复核人，排除一人即可 / Review a held rating: confirming takes two different reviewers, clearing one',
        description:
          '确认后该评价退出所有统计，其产生的差评工单作废；排除后恢复计入。撤销已确认的结论同样须两名复核人。\n\n' +
          'Once confirmed the rating leaves every figure and the ticket it opened is voided; cleared, it counts again. Undoing a confirmation also takes two reviewers.',
        security: [{ staffSession: [] }],
        params: Type.Object({ evaluationId: Type.String({ format: 'uuid' }) }),
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('confirm'), Type.Literal('clear')]),
            reason: Type.String({ minLength: 4, maxLength: 2000, description: '书面理由 / written reason' }),
            evidence: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20, description: '证据说明或链接 / evidence notes or links' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ status: Type.String(), decided: Type.Boolean() }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireReviewer(requireCaller(request));
      const riskCase = await caseInScope(caller, request.params.evaluationId);
      const body = request.body;
      return reviewRating(db, { evaluationId: riskCase.evaluation_id, reviewer: caller.username, decision: body.decision, reason: body.reason, evidence: body.evidence ?? [] }, context.clock());
    },
  );
}
