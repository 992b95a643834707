// The ticket desk's routes: the filtered list with keyset pages, its counts and workbook, a ticket
// with everything around it and the steps the caller may take, the reply SMS preview, and the
// rater revealed for the phone callback (logged with its reason).
import { Type, type Static } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { callerCovers, mayRevealTicketRater, type Placement } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { StaffCaller } from '../http/caller.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { smsLength } from '../outbound/sms-segments.ts';
import { revealPerson } from '../pii/vault.ts';
import { callbackLink, PREVIEW_LINK, replySms, repliesBySms } from './commands.ts';
import { exportDisposition, EXPORT_MAX_ROWS, renderTicketsXlsx } from './desk-export.ts';
import { indicatorNames, presentListItem, TicketListItem, type DeskView } from './desk-presenter.ts';
import { actorNames, caseOfTicket, DESK_SORTS, deskCounts, deskPage, deskRows, deskTicket, type DeskFilter, type DeskRow, type DueMoments } from './desk-queries.ts';
import { warningBefore } from './desk-rules.ts';
import { presentRatedEvaluation, presentTicketEvent, RatedEvaluationView, TicketEventView } from './presenter.ts';
import { ratedEvaluation } from './queries.ts';
import type { TicketState } from './state-machine.ts';
import { allowedSteps, STAFF_STEPS } from './step-rules.ts';
import { ticketEvents, ticketFromRow } from './store.ts';

const STATE_NAMES = ['open', 'verifying', 'rectifying', 'appealing', 'cannot_fix_requested', 'cannot_fix_approved', 'replied', 'cannot_fix_replied', 'closed', 'closed_invalid', 'closed_cannot_fix', 'voided'] as const satisfies readonly TicketState[];
const STATE_SET: ReadonlySet<string> = new Set(STATE_NAMES);
const isState = (value: string): value is TicketState => STATE_SET.has(value);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-MM-dd（北京时间）' });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const filterFields = {
  due: Type.Optional(Type.Union([Type.Literal('overdue'), Type.Literal('due_soon')], { description: 'overdue 下一时限已超期 / due_soon 临期（剩余不超过2个工作日）/ the next deadline is passed, or due within 2 working days' })),
  needsDecision: Type.Optional(Type.Boolean({ description: '待上级决定：申诉中、申请无法整改、申请延期 / a supervisor must decide: appeal, cannot-fix or extension requested' })),
  escalated: Type.Optional(Type.Boolean({ description: '已因超期升级 / escalated for a missed deadline' })),
  overdue: Type.Optional(Type.Boolean({ description: '只看答复超期的 / only tickets past their reply deadline' })),
  regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: '责任单位所在行政区划（含下级）/ the responsible org’s region, with the regions below' })),
  orgId: Type.Optional(Type.String({ format: 'uuid' })),
  taskCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: '事项编码 / service item taskCode' })),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: '评价渠道 / channel' })),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: '评价等级 / level' })),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: '文字评价包含的文字 / text in the comment' })),
};
const listFields = {
  state: Type.Optional(Type.String({ pattern: `^(${STATE_NAMES.join('|')})(,(${STATE_NAMES.join('|')}))*$`, description: '工单状态，逗号分隔 / states, comma-separated' })),
  sort: Type.Optional(Type.Union(DESK_SORTS.map((s) => Type.Literal(s)), { default: '-openedAt', description: '-openedAt 新的在前（默认）/ openedAt 旧的在前 / deadline 下一时限先到期的在前 / newest first (default), oldest first, next deadline first' })),
};
const FilterQuery = Type.Object(filterFields);
const ListQuery = Type.Object({
  ...filterFields,
  ...listFields,
  cursor: Type.Optional(Type.String({ maxLength: 200, description: '上一页返回的 next / the previous page’s next' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
const ExportQuery = Type.Object({ ...filterFields, ...listFields });

const Name = Type.Object({ zh: Type.String(), en: Type.String() });
const DeskEventView = Type.Object({
  ...TicketEventView.properties,
  actor: Type.Object({ role: Type.String(), id: Type.String(), displayName: Nullable(Type.String({ description: '办理人员姓名（系统与评价人为空）/ the staff member’s name (none for the system or the rater)' })) }),
});
const DeskEvaluationView = Type.Object({ ...RatedEvaluationView.properties, indicators: Type.Array(Type.Object({ code: Type.String(), name: Name })) });
const TicketDetail = Type.Object({
  ticket: Type.Ref('TicketListItem'),
  events: Type.Array(DeskEventView),
  evaluation: DeskEvaluationView,
  case: Nullable(Type.Object({ projectNo: Type.String(), projectName: Nullable(Type.String()), stageName: Nullable(Type.String()), completedAt: Nullable(Type.String({ format: 'date-time' })) })),
  item: Nullable(Type.Object({ taskCode: Type.String(), name: Type.String() })),
  window: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  staff: Nullable(Type.Object({ name: Type.String() })),
  allowedSteps: Type.Array(Type.Union(STAFF_STEPS.map((s) => Type.Literal(s))), { description: '本账号现在可以办理的步骤（与办理接口同一规则）/ the steps this caller may take now (the rule the steps route applies)' }),
});

type FilterInput = Static<typeof FilterQuery> & { state?: string | undefined };

export function registerDeskRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'calendar' | 'intake'>): void {
  const { database, clock, config } = context;
  const db = database.db;
  const view: DeskView = { calendar: context.calendar, catalogue: context.intake.catalogue };
  const rules = { settings: config.tickets, calendar: context.calendar };
  app.addSchema(TicketListItem);

  const moments = (now: Date): DueMoments => ({ now, warningBefore: warningBefore(now, context.calendar) });

  async function filterOf(q: FilterInput): Promise<DeskFilter> {
    let regionPath: string | undefined;
    if (q.regionCode) {
      const region = await db.selectFrom('region').select('path').where('code', '=', q.regionCode).executeTakeFirst();
      if (!region) throw new AppError('REGION_UNKNOWN', { regionCode: q.regionCode });
      regionPath = region.path;
    }
    return {
      states: q.state ? q.state.split(',').filter(isState) : undefined,
      due: q.due,
      needsDecision: q.needsDecision,
      escalated: q.escalated,
      replyOverdue: q.overdue,
      regionPath,
      orgId: q.orgId,
      taskCode: q.taskCode,
      channel: q.channel,
      level: q.level,
      fromDay: q.from,
      toDay: q.to,
      q: q.q,
    };
  }

  /** The ticket if the caller covers it; out of scope is the same 404 as unknown. */
  async function coveredTicket(caller: StaffCaller, id: string): Promise<{ row: DeskRow; place: Placement }> {
    const row = await deskTicket(db, id);
    const place = row && { regionPath: row.region_path, orgId: row.org_id };
    if (!row || !place || !callerCovers(caller, place)) throw new AppError('TICKET_NOT_FOUND');
    return { row, place };
  }

  app.get(
    '/api/v1/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: '差评工单列表（按管辖范围筛选、排序、翻页）/ Bad-rating tickets within the caller’s scope: filters, sort, keyset pages',
        security: [{ staffSession: [] }],
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('TicketListItem')), next: Nullable(Type.String({ description: '下一页的 cursor；没有更多时为空 / cursor of the next page; null at the end' })) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const q = request.query;
      const now = clock();
      const page = await deskPage(db, caller, await filterOf(q), moments(now), { sort: q.sort ?? '-openedAt', cursor: q.cursor, limit: q.limit ?? 50 });
      return { items: page.rows.map((row) => presentListItem(row, now, view)), next: page.next };
    },
  );

  app.get(
    '/api/v1/tickets/counts',
    {
      schema: {
        tags: ['tickets'],
        summary: '差评工单计数（按状态、超期、临期、待决定）/ Ticket counts of a filter: per state, overdue, due soon, awaiting a decision',
        security: [{ staffSession: [] }],
        querystring: FilterQuery,
        response: {
          200: Type.Object({
            total: Type.Integer(),
            byState: Type.Record(Type.String(), Type.Integer()),
            overdue: Type.Integer({ description: '下一时限已超期 / next deadline passed' }),
            dueSoon: Type.Integer({ description: '临期 / due within 2 working days' }),
            needsDecision: Type.Integer({ description: '待上级决定 / awaiting a supervisor’s decision' }),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      return deskCounts(db, caller, await filterOf(request.query), moments(clock()));
    },
  );

  app.get(
    '/api/v1/tickets/export.xlsx',
    {
      schema: {
        tags: ['tickets'],
        summary: '导出差评工单（Excel，个人信息已脱敏，北京时间，最多50000行）/ The filtered tickets as a workbook (masked, Beijing time, at most 50,000 rows)',
        description: '超过50000行时只含前50000行，并带响应头 X-Hcp-Export-Truncated: true。/ Beyond 50,000 rows the first 50,000 are given, with the header X-Hcp-Export-Truncated: true.',
        security: [{ staffSession: [] }],
        querystring: ExportQuery,
        response: { 200: { description: 'Office Open XML workbook', content: { [XLSX]: { schema: Type.String({ format: 'binary' }) } } }, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request);
      const now = clock();
      const rows = await deskRows(db, caller, await filterOf(request.query), moments(now), request.query.sort ?? '-openedAt', EXPORT_MAX_ROWS + 1);
      const truncated = rows.length > EXPORT_MAX_ROWS;
      const xlsx = await renderTicketsXlsx(truncated ? rows.slice(0, EXPORT_MAX_ROWS) : rows, now, view);
      if (truncated) void reply.header('x-hcp-export-truncated', 'true');
      return reply
        .type(XLSX)
        .header('content-disposition', exportDisposition(now))
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(xlsx);
    },
  );

  app.get(
    '/api/v1/tickets/:id',
    {
      schema: {
        tags: ['tickets'],
        summary: '工单详情：期限、全部操作记录、评价内容（评价人脱敏）、办件、可办理的步骤 / A ticket with deadlines, every event, the evaluation (rater masked), its case and the steps the caller may take',
        security: [{ staffSession: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: TicketDetail, ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { row, place } = await coveredTicket(caller, request.params.id);
      const now = clock();
      const [events, evaluation, found] = await Promise.all([ticketEvents(db, row.id), ratedEvaluation(db, row.evaluation_id), caseOfTicket(db, row.case_stage_id, row.case_id)]);
      if (!evaluation) throw new AppError('EVALUATION_NOT_FOUND');
      const names = await actorNames(db, [...new Set(events.filter((e) => e.actor_role === 'handler' || e.actor_role === 'supervisor').map((e) => e.actor_id))]);
      const indicatorTitles = indicatorNames(view.catalogue, evaluation.indicator_version, evaluation.indicator_codes);
      return {
        ticket: presentListItem(row, now, view),
        events: events.map((event) => {
          const presented = presentTicketEvent(event);
          return { ...presented, actor: { ...presented.actor, displayName: names.get(event.actor_id) ?? null } };
        }),
        evaluation: { ...presentRatedEvaluation(evaluation), indicators: evaluation.indicator_codes.map((code, i) => ({ code, name: indicatorTitles[i] ?? { zh: code, en: code } })) },
        case: found ? { projectNo: found.project_no, projectName: found.project_name, stageName: found.stage_name, completedAt: found.completed_at?.toISOString() ?? null } : null,
        item: row.task_code !== null && row.item_name !== null ? { taskCode: row.task_code, name: row.item_name } : null,
        window: row.window_id !== null && row.window_name !== null ? { id: row.window_id, name: row.window_name } : null,
        staff: row.staff_name !== null ? { name: row.staff_name } : null,
        allowedSteps: allowedSteps(caller, place, ticketFromRow(row), now, rules),
      };
    },
  );

  app.post(
    '/api/v1/tickets/:id/reply-preview',
    {
      schema: {
        tags: ['tickets'],
        summary: '答复短信预览：评价人将收到的短信全文、字数与条数 / The exact SMS the rater will get with this reply, its length and parts',
        description:
          '与发送答复时使用同一模板；链接与实际发送的长度相同但不可使用。按 UCS-2 计：70 字以内 1 条，超过按每条 67 字拆分。smsSent 为否时评价人未留手机号，只能凭回执号查看。\n\n' +
          'The template used when the reply is sent; the link has the real one’s length but opens nothing. UCS-2: one part up to 70 characters, else 67 per part. smsSent false: the rater left no phone and reads the answer behind the receipt number.',
        security: [{ staffSession: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ text: Type.String({ minLength: 2, maxLength: 2000, description: '答复内容 / the answer' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ sms: Type.String(), characters: Type.Integer(), segments: Type.Integer(), smsSent: Type.Boolean({ description: '评价人留有手机号，会收到此短信 / the rater left a phone and gets this SMS' }) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { row } = await coveredTicket(caller, request.params.id);
      const now = clock();
      // The reply moves the ticket one version on; the link of the real SMS is signed for that version.
      const sms = replySms(row.receipt_no, request.body.text, callbackLink({ config }, { id: row.id, version: row.version + 1 }, now, PREVIEW_LINK));
      const rated = await db.selectFrom('evaluation').select('rater_phone_lookup').where('id', '=', row.evaluation_id).executeTakeFirst();
      return { sms, ...smsLength(sms), smsSent: rated !== undefined && repliesBySms(rated) };
    },
  );

  app.post(
    '/api/v1/tickets/:id/rater',
    {
      schema: {
        tags: ['tickets'],
        summary: '查看评价人信息（用于电话回访；须说明理由，每次查看均记入个人信息访问日志）/ Reveal the rater for the phone callback (a reason is required; every reveal is logged)',
        description: '监督人员、省级管理员（管辖范围内）与工单责任单位的办理人员可查看；匿名评价无评价人信息（TICKET_RATER_ANONYMOUS）。/ Supervisors and province admins covering the ticket, and handlers of its org; an anonymous rating has no rater (TICKET_RATER_ANONYMOUS).',
        security: [{ staffSession: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ reason: Type.String({ minLength: 2, maxLength: 200, description: '查看理由 / why' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ name: Nullable(Type.String()), phone: Nullable(Type.String()), certNo: Nullable(Type.String()) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { row, place } = await coveredTicket(caller, request.params.id);
      if (!mayRevealTicketRater(caller, place)) throw new AppError('AUTH_FORBIDDEN', { role: caller.role });
      const sealed = await db.selectFrom('evaluation').select(['id', 'is_anonymous', 'rater_pii', 'rater_pii_key_id']).where('id', '=', row.evaluation_id).executeTakeFirst();
      if (!sealed || sealed.is_anonymous || sealed.rater_pii === null || sealed.rater_pii_key_id === null) throw new AppError('TICKET_RATER_ANONYMOUS');
      const person = await revealPerson(
        db,
        config,
        { table: 'evaluation', rowId: sealed.id, sealed: sealed.rater_pii, keyId: sealed.rater_pii_key_id, actor: caller.accountId, actorRole: caller.role, purpose: `工单回访 ticket ${row.id}: ${request.body.reason}` },
        clock(),
      );
      return { name: person.name ?? null, phone: person.phone ?? null, certNo: person.certNo ?? null };
    },
  );
}
