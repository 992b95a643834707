// HTTP routes of bad-rating tickets: staff read and act within their scope; the rater reads the
// answer behind a receipt number and answers the callback through a signed link.
import { Type, type TSchema } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { callerCovers } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { checkLink } from '../links/signed-link.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { answerCallback, answerCallbackByReceipt, CALLBACK_LINK, takeStep, type TicketDeps } from './commands.ts';
import type { StepInput } from './step-rules.ts';
import { ticketFigures, ticketRates } from './figures.ts';
import { registerDeskRoutes } from './desk-routes.ts';
import { Attachment, presentTicket, TicketView } from './presenter.ts';
import { normalizeReceiptNo, repliesOf } from './queries.ts';
import { receiptView, type ProgressStep } from './receipts.ts';
import { findTicket } from './store.ts';
import { AWAITING_CALLBACK } from './state-machine.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-MM-dd（北京时间）' });
const Text = (description: string) => Type.String({ minLength: 2, maxLength: 2000, description });
const Outcome = Type.Union([Type.Literal('satisfied'), Type.Literal('basically_satisfied'), Type.Literal('unsatisfied')], { description: 'satisfied 满意 / basically_satisfied 基本满意 / unsatisfied 不满意（工单重新整改）' });

const common = {
  version: Type.Optional(Type.Integer({ minimum: 0, description: '读取工单时的 version；与当前不符则返回 TICKET_CONFLICT / the version you saw' })),
  note: Type.Optional(Type.String({ maxLength: 2000, description: '办理意见 / note' })),
  attachments: Type.Optional(Type.Array(Attachment, { maxItems: 20 })),
};
const variant = (step: string, summary: string, fields: Record<string, TSchema> = {}) =>
  Type.Object({ step: Type.Literal(step, { description: summary }), ...fields, ...common }, { additionalProperties: false });

const StepBody = Type.Union([
  variant('accept', '签收（承办单位）/ take the ticket up (handler)'),
  variant('verified', '核实完成（承办单位）/ verification done (handler)'),
  variant('judge_invalid', '申诉：误评或恶意差评（承办单位）/ appeal: mistaken or malicious (handler)', {
    kind: Type.Union([Type.Literal('mistaken'), Type.Literal('malicious')]),
    reason: Text('申诉理由 / reasons'),
  }),
  variant('decide_appeal', '申诉复核决定（监督人员）/ decide the appeal (supervisor)', { upheld: Type.Boolean() }),
  variant('request_extension', '申请延期（承办单位）/ ask for an extension (handler)', { days: Type.Integer({ minimum: 1, maximum: 60 }), reason: Text('延期理由 / reasons') }),
  variant('decide_extension', '延期审批（监督人员）/ decide the extension (supervisor)', { granted: Type.Boolean() }),
  variant('request_cannot_fix', '申请无法整改（承办单位）/ ask to close as cannot be fixed (handler)', { reason: Text('说明（供审批；批准后仍须答复评价人）/ explanation for the supervisor; once approved the rater must still be answered') }),
  variant('decide_cannot_fix', '无法整改审批（监督人员）/ decide cannot-fix (supervisor)', { approved: Type.Boolean() }),
  variant('reply', '答复评价人（承办单位）/ answer the rater (handler)', { text: Text('答复内容 / the answer') }),
  variant('callback', '电话回访结果（承办单位）/ callback outcome by phone (handler)', { outcome: Outcome }),
]);

export function registerTicketRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'calendar' | 'intake'>, limits: PublicLimits): void {
  const { database, clock } = context;
  const db = database.db;
  const deps: TicketDeps = { db, config: context.config, clock, calendar: context.calendar };
  app.addSchema(TicketView);

  registerDeskRoutes(app, context);

  app.post(
    '/api/v1/tickets/:id/steps',
    {
      schema: {
        tags: ['tickets'],
        summary: '办理工单的一步（签收、核实、申诉、延期、无法整改、答复、回访、审批）/ Take one step on a ticket',
        description:
          '承办单位办理人员与上级监督人员按角色操作；每一步都追加为不可修改的记录。两人同时操作同一版本时只有一人成功，另一人得到 TICKET_CONFLICT。/ Handlers and supervisors act by role; every step is appended, never edited. Two people acting on the same version: one wins, the other gets TICKET_CONFLICT.',
        security: [{ staffSession: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: StepBody,
        response: { 200: Type.Object({ ticket: Type.Ref('Ticket') }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { version, note, attachments, ...input } = request.body;
      const row = await takeStep(deps, caller, { ticketId: request.params.id, input: input as StepInput, version: version ?? null, note: note ?? null, attachments: attachments ?? [] });
      return { ticket: presentTicket(row, clock()) };
    },
  );

  app.get(
    '/api/v1/stats/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: '差评工单指标：差评数、回复率、按时回复率、回访率、回访满意率、超期数、申诉数 / Ticket figures per org or per region',
        description:
          '按评价到达的北京日期计入期间；不计入考核的评价（申诉成立、确认刷评等）不计入差评与各率，只计入申诉数。/ A ticket counts in the period of the Beijing day its evaluation arrived; an evaluation out of the figures (appeal upheld, fraud confirmed …) leaves every figure but the appeal counts.',
        security: [{ staffSession: [] }],
        querystring: Type.Object({
          from: Day,
          to: Day,
          groupBy: Type.Union([Type.Literal('org'), Type.Literal('region')], { default: 'org', description: 'region：按下一级行政区划汇总 / region: by the next level of regions' }),
          regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: '默认为本账号管辖区划 / defaults to the caller’s own region' })),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            groups: Type.Array(
              Type.Object({
                key: Type.String({ description: 'orgId，或区划代码（空串为本级单位）/ org id, or region code ("" for orgs at the region’s own level)' }),
                bad: Type.Integer(),
                replied: Type.Integer(),
                repliedOnTime: Type.Integer(),
                calledBack: Type.Integer(),
                callbackSatisfied: Type.Integer(),
                overdue: Type.Integer(),
                appealsFiled: Type.Integer(),
                appealsUpheld: Type.Integer(),
                replyRate: Type.Union([Type.Number(), Type.Null()]),
                onTimeReplyRate: Type.Union([Type.Number(), Type.Null()]),
                callbackRate: Type.Union([Type.Number(), Type.Null()]),
                callbackSatisfactionRate: Type.Union([Type.Number(), Type.Null()]),
              }),
            ),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { from, to, regionCode } = request.query;
      const groupBy = request.query.groupBy ?? 'org';
      let regionPath = caller.regionPath;
      if (regionCode) {
        const region = await db.selectFrom('region').select('path').where('code', '=', regionCode).executeTakeFirst();
        if (!region) throw new AppError('REGION_UNKNOWN', { regionCode });
        if (!callerCovers(caller, { regionPath: region.path, orgId: caller.orgId })) throw new AppError('AUTH_OUT_OF_SCOPE');
        regionPath = region.path;
      }
      const depth = (regionPath ?? '').split('/').filter(Boolean).length + 1;
      const rows = await ticketFigures(db, { fromDay: from, toDay: to, regionPath, orgId: caller.orgId, group: groupBy === 'org' ? { by: 'org' } : { by: 'region', depth } }, clock());
      return { from, to, groups: rows.map((row) => ({ ...row, ...ticketRates(row) })) };
    },
  );

  const PublicReply = Type.Object({ text: Type.String(), at: Type.String({ format: 'date-time' }) });
  const Instant = Type.String({ format: 'date-time' });
  const Step = Type.Union([
    Type.Object({ kind: Type.Literal('received', { description: '评价已收到 / the rating reached the platform' }), at: Instant }),
    Type.Object({ kind: Type.Literal('verified', { description: '单位已核实，正在整改 / checked, being put right' }), at: Instant }),
    Type.Object({ kind: Type.Literal('reply', { description: '单位的答复 / the unit’s answer' }), at: Instant, text: Type.String(), by: Type.String({ description: '答复单位 / the answering unit' }) }),
    Type.Object({ kind: Type.Literal('callback', { description: '回访：对整改结果的评价 / callback: the view of the fix' }), at: Instant, outcome: Outcome, byRater: Type.Boolean({ description: '评价人自己作出（否则为电话回访）/ given by the rater (else by a phone call)' }), reopens: Type.Boolean({ description: '不满意时工单重新整改（经批准无法整改的除外）/ an unhappy callback reopens the ticket (not after an approved cannot-fix)' }) }),
    Type.Object({ kind: Type.Literal('appeal_upheld', { description: '经上级复核不予采纳 / found mistaken or malicious on review' }), at: Instant }),
    Type.Object({ kind: Type.Literal('cannot_fix', { description: '经批准无法整改 / approved as cannot be fixed' }), at: Instant, text: Type.String(), by: Type.String() }),
  ]);
  const PublicStatus = Type.Object({
    receiptNo: Type.String(),
    level: Type.Integer(),
    levelName: Type.Object({ zh: Type.String(), en: Type.String() }),
    assessedAt: Instant,
    assessNumber: Type.Integer({ description: '1 首次评价 / 2 追评' }),
    anonymous: Type.Boolean(),
    itemName: Type.Union([Type.String(), Type.Null()], { description: '事项（评价窗口或工作人员时为空）/ the service item (none when a window or staff member was rated)' }),
    orgName: Type.String(),
    regionName: Type.String({ description: '县级单位带市（州），如 成都市锦江区 / a county with its prefecture' }),
    windowName: Type.Union([Type.String(), Type.Null()]),
    completedAt: Type.Union([Instant, Type.Null()], { description: '办件环节办结时间 / when the case stage was completed' }),
    ticket: Type.Union([
      Type.Object({
        status: Type.Union([Type.Literal('in_progress'), Type.Literal('replied'), Type.Literal('closed'), Type.Literal('closed_invalid'), Type.Literal('closed_cannot_fix')], {
          description: 'in_progress 处理中 / replied 已答复 / closed 已办结 / closed_invalid 经复核不予采纳 / closed_cannot_fix 经批准无法整改',
        }),
        replyDueAt: Instant,
        unitName: Type.String({ description: '负责答复的单位 / the unit that answers' }),
        replies: Type.Array(PublicReply),
        steps: Type.Array(Step, { description: '处理进展，按时间先后 / progress, oldest first' }),
        callback: Type.Object({
          open: Type.Boolean({ description: '现在可以评价整改结果 / the fix may be rated now' }),
          version: Type.Integer({ description: '评价整改结果时原样提交 / send it back with the callback' }),
        }),
      }),
      Type.Null(),
    ]),
  });

  const presentStep = (step: ProgressStep) => ({ ...step, at: step.at.toISOString() });
  const ReceiptParams = Type.Object({ receiptNo: Type.String({ minLength: 12, maxLength: 30, description: '大小写、空格、横线均可 / any case, spaces and dashes allowed' }) });

  app.get(
    '/api/v1/receipts/:receiptNo',
    {
      onRequest: [limits.perIp],
      schema: {
        tags: ['public'],
        summary: '凭评价回执号查看评价、处理进展与答复（无需登录）/ The rating, its progress and answers behind a receipt number (no login)',
        params: ReceiptParams,
        response: { 200: PublicStatus, ...commonErrorResponses },
      },
    },
    async (request) => {
      const receiptNo = normalizeReceiptNo(request.params.receiptNo);
      const view = receiptNo ? await receiptView(db, receiptNo) : undefined;
      if (!view) throw new AppError('RECEIPT_NOT_FOUND');
      const ticket = view.ticket;
      return {
        receiptNo: view.receiptNo,
        level: view.level,
        levelName: LEVEL_NAMES[view.level] ?? { zh: '', en: '' },
        assessedAt: view.assessedAt.toISOString(),
        assessNumber: view.assessNumber,
        anonymous: view.anonymous,
        itemName: view.itemName,
        orgName: view.orgName,
        regionName: view.regionName,
        windowName: view.windowName,
        completedAt: view.completedAt?.toISOString() ?? null,
        ticket: ticket
          ? {
              status: ticket.status,
              replyDueAt: ticket.replyDueAt.toISOString(),
              unitName: ticket.unitName,
              replies: ticket.steps.flatMap((s) => (s.kind === 'reply' ? [{ text: s.text, at: s.at.toISOString() }] : [])),
              steps: ticket.steps.map(presentStep),
              callback: ticket.callback,
            }
          : null,
      };
    },
  );

  app.post(
    '/api/v1/receipts/:receiptNo/callback',
    {
      onRequest: [limits.perIp, limits.submitPerIp],
      schema: {
        tags: ['public'],
        summary: '凭回执号评价整改结果（回访，无需登录）/ Rate the fix behind a receipt number (callback, no login)',
        description:
          '匿名评价人没有短信回访链接，凭回执号即可对最新答复作出一次回访评价；version 取自回执信息，答复更新后须重新阅读。不满意将使工单重新整改。\n\n' +
          'An anonymous rater has no SMS callback link: the receipt number lets them rate the fix of the latest answer, once; version comes from the receipt and a newer answer must be read first. Unsatisfied reopens the ticket.',
        params: ReceiptParams,
        body: Type.Object({ outcome: Outcome, version: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ receiptNo: Type.String(), outcome: Outcome }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const receiptNo = normalizeReceiptNo(request.params.receiptNo);
      if (!receiptNo) throw new AppError('RECEIPT_NOT_FOUND');
      const row = await answerCallbackByReceipt(deps, receiptNo, request.body.version, request.body.outcome);
      return { receiptNo: row.receipt_no, outcome: request.body.outcome };
    },
  );

  const Token = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) });
  const checkToken = (token: string) => {
    const check = checkLink(context.config.links.key, CALLBACK_LINK, token, clock());
    if (!check.ok) throw new AppError(check.code);
    return check.claims;
  };

  app.get(
    '/api/v1/callbacks/:token',
    {
      onRequest: [limits.perIp],
      schema: {
        tags: ['public'],
        summary: '回访链接：查看答复（无需登录）/ Callback link: read the answer (no login)',
        params: Token,
        response: {
          200: Type.Object({ receiptNo: Type.String(), reply: PublicReply, open: Type.Boolean({ description: '是否仍可评价整改结果 / whether the callback may still be answered' }) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const claims = checkToken(request.params.token);
      const row = await findTicket(db, claims.subjectId);
      if (!row) throw new AppError('LINK_INVALID');
      const reply = (await repliesOf(db, row.id)).at(-1);
      if (!reply) throw new AppError('LINK_INVALID');
      return { receiptNo: row.receipt_no, reply: { text: reply.text, at: reply.at.toISOString() }, open: AWAITING_CALLBACK.has(row.state) && row.version === claims.version };
    },
  );

  app.post(
    '/api/v1/callbacks/:token',
    {
      onRequest: [limits.perIp, limits.submitPerIp, limits.submitPerLink],
      schema: {
        tags: ['public'],
        summary: '回访链接：评价整改结果（一次有效）/ Callback link: rate the fix (once)',
        description: '不满意将使工单重新整改。/ Unsatisfied reopens the ticket.',
        params: Token,
        body: Type.Object({ outcome: Outcome }, { additionalProperties: false }),
        response: { 200: Type.Object({ receiptNo: Type.String(), outcome: Type.String() }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const claims = checkToken(request.params.token);
      const row = await answerCallback(deps, claims.subjectId, claims.version, request.body.outcome);
      return { receiptNo: row.receipt_no, outcome: request.body.outcome };
    },
  );
}
