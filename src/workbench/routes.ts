// The staff member's workbench (工作台): their own unit, this Beijing month's figures as the scoring
// dashboard gives them (GET /api/v1/scoring/units/{kind}/{id}: no second definition of 好评率,
// 差评 or 回复率 here), and the unit's tickets that want attention now. Routes parse, authorise,
// call and present.
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { beijingDay } from '../clock.ts';
import { goodCount } from '../evaluations/levels.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { periodContaining } from '../scoring/periods.ts';
import { unitView } from '../scoring/published.ts';
import { attentionOf, unitOfCaller } from './queries.ts';
import { deskCounts } from '../tickets/desk-queries.ts';
import { warningBefore } from '../tickets/desk-rules.ts';

const rate = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const count = (description: string) => Type.Integer({ minimum: 0, description });

const Workbench = Type.Object({
  unit: Type.Object(
    { kind: Type.Union([Type.Literal('org'), Type.Literal('region')]), id: Type.String({ description: '部门 id 或区划代码 / org id or region code' }), name: Type.String() },
    { description: '本人的单位：承办单位人员为本单位，其他角色为管辖区划 / the caller’s own unit: an org handler’s org, otherwise the scope region' },
  ),
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: '本月（北京时间）/ this month, Beijing time' }),
  figures: Type.Object(
    {
      ratings: count('本月评价数 / ratings this month'),
      goodRate: rate('好评率（基本满意及以上）/ share of good ratings (basically satisfied or better)'),
      badCount: count('差评数（不满意、非常不满意）/ bad ratings (dissatisfied, very dissatisfied)'),
      replyRate: rate('差评回复率 / share of bad ratings answered'),
      overdue: count('本月差评中超期回复或超期未回复的 / this month’s bad ratings answered late or unanswered past the deadline'),
    },
    { description: '与单位看板 GET /api/v1/scoring/units/{kind}/{id} 本月的 figures 同一口径 / the figures of the unit dashboard for this month' },
  ),
  tickets: Type.Object(
    {
      open: count('未办结的工单（不含已作废）/ tickets not closed (voided ones excluded)'),
      dueSoon: count('下一个时限在两个工作日内 / the next deadline within two working days'),
      overdue: count('下一个时限已过 / the next deadline passed'),
      needsDecision: count('待督查决定：申诉、无法整改申请、延期申请 / waiting for a supervisor: appeal, cannot-fix or extension request'),
    },
    { description: '本单位当前的工单，不限月份 / the unit’s tickets as they stand now, of any month' },
  ),
});

export function registerWorkbenchRoutes(app: App, context: Pick<AppContext, 'database' | 'clock' | 'calendar'>): void {
  const db = context.database.db;
  const { clock, calendar } = context;

  app.get(
    '/api/v1/workbench',
    {
      schema: {
        tags: ['workbench'],
        summary: '工作台：本人单位本月的指标与待办工单 / The workbench: this month’s figures and the tickets to act on, for the caller’s own unit',
        security: [{ staffSession: [] }],
        response: { 200: Workbench, ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const now = clock();
      const unit = await unitOfCaller(db, caller);
      const period = periodContaining('month', beijingDay(now));
      const [view, counts] = await Promise.all([unitView(db, unit.kind, unit.id, period, now), deskCounts(db, caller, {}, { now, warningBefore: warningBefore(now, calendar) }, { withClosed: false })]);
      const f = view.figures;
      return {
        unit,
        month: period.key,
        figures: { ratings: f.evaluations, goodRate: f.goodRate, badCount: f.evaluations - goodCount(f.levels), replyRate: f.replyRate, overdue: f.overdue },
        tickets: attentionOf(counts),
      };
    },
  );
}
