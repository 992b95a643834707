// HTTP routes of 调查暗访: checklist templates (versioned, never edited) and scored inspections.
// Supervisors and province admins write, within their region; an org's handlers read their own
// org's inspections. Routes parse, authorise, call and present; the rules live in rules.ts.
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { callerCovers } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { parsePeriod } from '../scoring/periods.ts';
import { ReferenceAttachment } from '../tickets/presenter.ts';
import { mayReadInspectionAt, mayReadInspections } from './access.ts';
import { INSPECTION_RECORDERS } from './recorders.ts';
import { createTemplateVersion, recordInspection, type InspectionDeps } from './commands.ts';
import { InspectionTemplateView, InspectionView, METHOD_NOTE, METHODS, presentInspection, presentTemplate } from './presenter.ts';
import { findInspection, latestTemplates, listInspections, templateVersions } from './queries.ts';
import { MAX_DESCRIPTION_CHARS, MAX_FINDING_CHARS, MAX_FINDINGS_CHARS, MAX_ITEM_POINTS, MAX_ITEMS, MAX_TITLE_CHARS } from './rules.ts';

const TAGS = ['inspections'];
const STAFF = [{ staffSession: [] }];
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-MM-dd（北京时间）' });
const Uuid = (description?: string) => Type.String({ format: 'uuid', ...(description === undefined ? {} : { description }) });
const TemplateCode = Type.String({ minLength: 1, maxLength: 40, description: '检查表编号（字母、数字、. _ -）/ template code (letters, digits, . _ -)' });

// Shapes only: the rules in rules.ts own every limit that has a domain code (counts, points,
// lengths), so the API, the CLI and tests refuse them the same way.
const TemplateBody = Type.Object(
  {
    code: Type.String({ description: '检查表编号（字母、数字、. _ -，至多 40 个字符）；已有编号则新增版本 / template code (letters, digits, . _ -, up to 40); an existing code gets a new version' }),
    name: Type.String({ description: `检查表名称（至多 ${MAX_TITLE_CHARS} 字）/ name` }),
    items: Type.Array(
      Type.Object(
        {
          code: Type.String({ description: '检查项编号（表内唯一）/ item code, unique in the template' }),
          title: Type.String({ description: `检查项（至多 ${MAX_TITLE_CHARS} 字）/ what is checked` }),
          points: Type.Number({ description: `分值：大于 0，至多 ${MAX_ITEM_POINTS}，至多两位小数 / points: above 0, at most ${MAX_ITEM_POINTS}, two decimals at most` }),
          description: Type.Optional(Type.String({ description: `评分标准（至多 ${MAX_DESCRIPTION_CHARS} 字）/ how to score it` })),
        },
        { additionalProperties: false },
      ),
      { description: `1 至 ${MAX_ITEMS} 项 / 1 to ${MAX_ITEMS} items` },
    ),
  },
  { additionalProperties: false },
);

const InspectionBody = Type.Object(
  {
    templateCode: TemplateCode,
    templateVersion: Type.Optional(Type.Integer({ minimum: 1, description: '不填则用最新版本 / the latest when absent' })),
    orgId: Uuid('被检查单位 / the org inspected'),
    windowId: Type.Optional(Type.Union([Uuid('被检查窗口（须属于该单位）/ the window inspected, of that org'), Type.Null()])),
    method: Type.Union(
      METHODS.map((m) => Type.Literal(m)),
      { description: METHOD_NOTE },
    ),
    inspectedAt: Type.String({ description: '检查时间：ISO 8601（带时区）或 yyyy-MM-dd HH:mm:ss（北京时间），不得晚于当前时间 / when: ISO 8601 with an offset, or Beijing time; not in the future' }),
    results: Type.Array(
      Type.Object(
        {
          code: Type.String({ description: '检查项编号 / item code' }),
          points: Type.Number({ description: '得分：0 至该项分值，至多两位小数 / points awarded: 0 to the item’s points, two decimals at most' }),
          finding: Type.Optional(Type.Union([Type.String({ description: `发现的问题（至多 ${MAX_FINDING_CHARS} 字）/ what was found` }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
      { description: '检查表每一项恰好一条 / exactly one entry per template item' },
    ),
    findings: Type.Optional(Type.Union([Type.String({ description: `总体情况（至多 ${MAX_FINDINGS_CHARS} 字）/ overall findings` }), Type.Null()])),
    attachments: Type.Optional(Type.Array(ReferenceAttachment, { maxItems: 20, description: '照片、录音等的存储引用 / references to photos, recordings' })),
  },
  { additionalProperties: false },
);

const WHO_WRITES = '监督人员（supervisor）与省级管理员（province_admin）可操作，录入暗访限于本账号管辖区划内的单位。/ Supervisors and province admins, inspections of orgs within their region.';

export function registerInspectionRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>): void {
  const db = context.database.db;
  const deps: InspectionDeps = { db, config: context.config, clock: context.clock };
  app.addSchema(InspectionTemplateView);
  app.addSchema(InspectionView);

  app.post(
    '/api/v1/inspection-templates',
    {
      schema: {
        tags: TAGS,
        summary: '新建暗访检查表，或为已有编号新增一个版本 / Create a checklist template, or the next version of an existing code',
        description:
          `检查表只增不改：同一编号再次提交即成为新版本（最大版本号 + 1），已录入的暗访记录仍指向原版本。${WHO_WRITES}\n\n` +
          'Templates are never edited: posting an existing code adds its next version (max + 1); inspections already recorded keep pointing at the version they were scored by.',
        security: STAFF,
        body: TemplateBody,
        response: { 201: Type.Ref('InspectionTemplate'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request, INSPECTION_RECORDERS);
      const row = await createTemplateVersion(deps, caller, request.body);
      return reply.status(201).send(presentTemplate(row));
    },
  );

  app.get(
    '/api/v1/inspection-templates',
    {
      schema: {
        tags: TAGS,
        summary: '暗访检查表列表（各编号的最新版本）/ Checklist templates, the latest version of each code',
        description: '工作人员均可查看。/ Any staff member may read templates.',
        security: STAFF,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('InspectionTemplate')) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      requireStaff(request);
      return { items: (await latestTemplates(db)).map(presentTemplate) };
    },
  );

  app.get(
    '/api/v1/inspection-templates/:code',
    {
      schema: {
        tags: TAGS,
        summary: '一个检查表的全部版本（新版本在前）/ Every version of one template, newest first',
        security: STAFF,
        params: Type.Object({ code: TemplateCode }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('InspectionTemplate')) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      requireStaff(request);
      const rows = await templateVersions(db, request.params.code);
      if (rows.length === 0) throw new AppError('INSPECTION_TEMPLATE_NOT_FOUND', { code: request.params.code });
      return { items: rows.map(presentTemplate) };
    },
  );

  app.post(
    '/api/v1/inspections',
    {
      schema: {
        tags: TAGS,
        summary: '录入一次调查暗访（按检查表评分，计入综合评分）/ Record an inspection, scored by its template, counted in the composite score',
        description:
          `得分 = 各项得分之和 ÷ 各项分值之和 × 100，四舍五入保留两位小数；按检查日期（北京时间）计入被检查单位、所在区划及窗口的计分台账，与记录同一事务写入。记录不可修改。${WHO_WRITES}\n\n` +
          'Score = points awarded ÷ points possible × 100, rounded half up to two decimals. It enters the score tallies of the org, its region and the window on the Beijing day of the inspection, in the same transaction as the record. Records are never edited.',
        security: STAFF,
        body: InspectionBody,
        response: { 201: Type.Ref('Inspection'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request, INSPECTION_RECORDERS);
      const record = await recordInspection(deps, caller, request.body);
      return reply.status(201).send(presentInspection(record));
    },
  );

  app.get(
    '/api/v1/inspections',
    {
      schema: {
        tags: TAGS,
        summary: '调查暗访记录列表（按管辖范围）/ Inspections within the caller’s scope',
        description:
          '监督人员与省级管理员查看本区划（含下级）的记录，承办单位人员查看本单位的记录；按录入时间倒序分页。/ Supervisors and province admins read their region subtree, an org’s handlers their own org; newest recorded first, paged by id.',
        security: STAFF,
        querystring: Type.Object({
          orgId: Type.Optional(Uuid()),
          regionCode: Type.Optional(Type.String({ pattern: '^([0-9]{6}|[0-9]{12})$', description: '行政区划（含下级）/ a region and the units below it' })),
          windowId: Type.Optional(Uuid()),
          templateCode: Type.Optional(TemplateCode),
          period: Type.Optional(Type.String({ maxLength: 40, description: '统计周期（按检查日期）：2026-11、2026-Q4、2026-W48、2026、2026-11-28、2026-11-01..2026-11-15 / a period of inspection days' })),
          from: Type.Optional(Day),
          to: Type.Optional(Day),
          after: Type.Optional(Uuid('上一页最后一条的 id / last id of the previous page')),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Inspection')), next: Type.Union([Type.String(), Type.Null()]) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      if (!mayReadInspections(caller)) throw new AppError('AUTH_FORBIDDEN', { role: caller.role });
      const q = request.query;
      const limit = q.limit ?? 50;
      let regionPath: string | undefined;
      if (q.regionCode !== undefined) {
        const region = await db.selectFrom('region').select('path').where('code', '=', q.regionCode).executeTakeFirst();
        if (!region) throw new AppError('REGION_UNKNOWN', { regionCode: q.regionCode });
        if (!callerCovers(caller, { regionPath: region.path, orgId: caller.orgId })) throw new AppError('AUTH_OUT_OF_SCOPE', { regionCode: q.regionCode });
        regionPath = region.path;
      }
      let fromDay = q.from;
      let toDay = q.to;
      if (q.period !== undefined) {
        const period = parsePeriod(q.period);
        if (period === null) throw new AppError('PERIOD_INVALID', { period: q.period });
        fromDay = fromDay === undefined || period.fromDay > fromDay ? period.fromDay : fromDay;
        toDay = toDay === undefined || period.toDay < toDay ? period.toDay : toDay;
      }
      const rows = await listInspections(db, caller, { orgId: q.orgId, regionPath, windowId: q.windowId, templateCode: q.templateCode, fromDay, toDay, after: q.after, limit });
      return { items: rows.map(presentInspection), next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/api/v1/inspections/:id',
    {
      schema: {
        tags: TAGS,
        summary: '查看一条调查暗访记录 / Read one inspection',
        description: '管辖范围外的记录一律返回 INSPECTION_NOT_FOUND。/ Outside the caller’s scope it does not exist.',
        security: STAFF,
        params: Type.Object({ id: Uuid() }),
        response: { 200: Type.Ref('Inspection'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      if (!mayReadInspections(caller)) throw new AppError('AUTH_FORBIDDEN', { role: caller.role });
      const row = await findInspection(db, request.params.id);
      if (!row || !mayReadInspectionAt(caller, { regionPath: row.region_path, orgId: row.org_id })) throw new AppError('INSPECTION_NOT_FOUND', { id: request.params.id });
      return presentInspection(row);
    },
  );
}
