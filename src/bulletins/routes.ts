// HTTP routes of 通报: province-level supervisors and admins issue a bulletin of a period for a
// class of units; any staff member reads bulletins (they are circulated province-wide) as JSON, PDF
// or workbook; each named unit answers in the accountability list and the level above reviews it.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { ReferenceAttachment } from '../tickets/presenter.ts';
import { issueBulletin, takeResponseStep, type BulletinDeps } from './commands.ts';
import { BulletinDocument, PeriodKindSchema, unitClassName, UnitClassSchema, UnitKindSchema } from './document.ts';
import { renderBulletinPdf } from './pdf.ts';
import { BulletinSummary, presentBulletin, presentListItem, responseStatuses, ResponseView } from './presenter.ts';
import { findBulletin, listBulletins, responseEvents, type BulletinRow } from './queries.ts';
import { renderBulletinXlsx } from './xlsx.ts';

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const binary = (contentType: string, description: string) => ({ description, content: { [contentType]: { schema: Type.String({ format: 'binary' }) } } });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Text = (description: string) => Type.String({ minLength: 2, maxLength: 4000, description });
const BulletinWithDocument = Type.Object({ bulletin: Type.Ref('BulletinSummary'), document: Type.Ref('BulletinDocument') });

const StepBody = Type.Union([
  Type.Object(
    {
      step: Type.Literal('submit', { description: '提交整改情况（被通报单位）/ report the rectification (the unit named)' }),
      text: Text('整改情况 / what was done'),
      attachments: Type.Optional(Type.Array(ReferenceAttachment, { maxItems: 20, description: '佐证材料（引用）/ evidence, by reference' })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { step: Type.Literal('accept', { description: '审核通过（上级督查）/ accept (the level above)' }), text: Type.Optional(Type.String({ maxLength: 4000, description: '审核意见 / remark' })) },
    { additionalProperties: false },
  ),
  Type.Object({ step: Type.Literal('return', { description: '退回重新整改（上级督查）/ return for more work (the level above)' }), text: Text('退回理由 / why') }, { additionalProperties: false }),
]);

function attachment(reply: FastifyReply, contentType: string, asciiName: string, name: string) {
  return reply
    .type(contentType)
    .header('content-disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff');
}

export function registerBulletinRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>): void {
  const db = context.database.db;
  const deps: BulletinDeps = { db, clock: context.clock };
  app.addSchema(BulletinDocument);
  app.addSchema(BulletinSummary);
  app.addSchema(ResponseView);

  const load = async (id: string): Promise<{ row: BulletinRow; document: BulletinDocument }> => {
    const row = await findBulletin(db, id);
    if (!row) throw new AppError('BULLETIN_NOT_FOUND');
    return { row, document: JSON.parse(row.document) as BulletinDocument };
  };
  const digestOf = (row: BulletinRow) => Buffer.from(row.digest).toString('hex');
  const fileName = (row: BulletinRow, document: BulletinDocument, extension: string) => ({
    ascii: `bulletin-${row.period_key}-${row.unit_class}.${extension}`,
    name: `${document.title.zh}-${unitClassName(document.unitClass).zh}.${extension}`,
  });

  app.post(
    '/api/v1/bulletins',
    {
      schema: {
        tags: ['bulletins'],
        summary: '签发通报：连续 K 个周期排名后 N 名的单位（省级督查、省级管理员）/ Issue a bulletin naming the units in the bottom N for K consecutive periods',
        description:
          'N 与 K 默认取最近一期统计快照所用计分方案（scheme.bulletin），可在本次签发中指定。K 个周期须均已关账发布，否则返回 BULLETIN_NEEDS_SNAPSHOTS；同一周期同类单位只能签发一次（BULLETIN_EXISTS）。通报文件以 JSON 原文存储并记录 SM3 摘要，每个被通报单位生成一条“待反馈”整改记录；被拒绝时不存储任何内容。/ ' +
          'N and K come from the scheme of the newest period’s snapshot unless set here. All K periods must be closed (BULLETIN_NEEDS_SNAPSHOTS); one bulletin per period and class (BULLETIN_EXISTS). The document is stored as exact JSON text with its SM3 digest, with a pending response per unit named; a refusal stores nothing.',
        security: [{ staffSession: [] }],
        body: Type.Object(
          {
            periodKind: PeriodKindSchema,
            periodKey: Type.String({ minLength: 4, maxLength: 30, description: '如 2026-10、2026-Q4、2026-W48、2026 / e.g. 2026-10' }),
            unitClass: UnitClassSchema,
            bottomN: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: '后 N 名（覆盖计分方案）/ N, overriding the scheme' })),
            consecutivePeriods: Type.Optional(Type.Integer({ minimum: 1, maximum: 24, description: '连续 K 个周期（覆盖计分方案）/ K, overriding the scheme' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: BulletinWithDocument, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request, ['supervisor', 'province_admin']);
      const { row, document } = await issueBulletin(deps, caller, request.body);
      return reply.status(201).send({ bulletin: presentBulletin(row, document), document });
    },
  );

  app.get(
    '/api/v1/bulletins',
    {
      schema: {
        tags: ['bulletins'],
        summary: '通报列表（新签发的在前）/ Bulletins, newest first',
        security: [{ staffSession: [] }],
        querystring: Type.Object({
          periodKind: Type.Optional(PeriodKindSchema),
          periodKey: Type.Optional(Type.String({ maxLength: 30 })),
          unitClass: Type.Optional(UnitClassSchema),
          after: Type.Optional(Type.String({ format: 'uuid', description: '上一页最后一条的 id / last id of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('BulletinSummary')), next: Type.Union([Type.String(), Type.Null()]) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      requireStaff(request);
      const limit = request.query.limit ?? 50;
      const items = await listBulletins(db, { ...request.query, limit });
      return { items: items.map(presentListItem), next: items.length === limit ? (items.at(-1)?.row.id ?? null) : null };
    },
  );

  app.get(
    '/api/v1/bulletins/:id',
    {
      schema: {
        tags: ['bulletins'],
        summary: '通报详情：通报文件（被通报单位、各期得分与排名、超期工单、典型差评）/ A bulletin and its document',
        description: 'digest 为存储的通报文件 JSON 原文的 SM3 摘要，PDF 与电子表格均注明。/ digest is the SM3 of the stored document text; the PDF and the workbook carry it.',
        security: [{ staffSession: [] }],
        params: Id,
        response: { 200: BulletinWithDocument, ...commonErrorResponses },
      },
    },
    async (request) => {
      requireStaff(request);
      const { row, document } = await load(request.params.id);
      return { bulletin: presentBulletin(row, document), document };
    },
  );

  app.get(
    '/api/v1/bulletins/:id/pdf',
    {
      schema: {
        tags: ['bulletins'],
        summary: '通报 PDF（A4，可直接印发）/ The bulletin as a print-ready A4 PDF',
        description: '内嵌思源黑体（Noto Sans SC）子集；每页页脚注明通报文件的 SM3 摘要。/ A subset of Noto Sans SC is embedded; every page’s footer carries the document’s SM3 digest.',
        security: [{ staffSession: [] }],
        params: Id,
        response: { 200: binary('application/pdf', 'PDF'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      requireStaff(request);
      const { row, document } = await load(request.params.id);
      const pdf = await renderBulletinPdf(document, digestOf(row));
      const name = fileName(row, document, 'pdf');
      return attachment(reply, 'application/pdf', name.ascii, name.name).send(pdf);
    },
  );

  app.get(
    '/api/v1/bulletins/:id/xlsx',
    {
      schema: {
        tags: ['bulletins'],
        summary: '通报电子表格：通报对象、超期工单、典型差评、整改反馈 / The bulletin as a workbook',
        description: '“整改反馈”为下载时的当前状态。/ The 整改反馈 sheet shows the accountability list as it stands at download.',
        security: [{ staffSession: [] }],
        params: Id,
        response: { 200: binary(XLSX, 'Office Open XML workbook'), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      requireStaff(request);
      const { row, document } = await load(request.params.id);
      const xlsx = await renderBulletinXlsx(document, digestOf(row), responseStatuses(document, await responseEvents(db, row.id)));
      const name = fileName(row, document, 'xlsx');
      return attachment(reply, XLSX, name.ascii, name.name).send(xlsx);
    },
  );

  app.get(
    '/api/v1/bulletins/:id/responses',
    {
      schema: {
        tags: ['bulletins'],
        summary: '整改反馈清单：每个被通报单位的当前状态与全部记录 / The accountability list: each unit’s state and every step',
        security: [{ staffSession: [] }],
        params: Id,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('BulletinResponse')) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      requireStaff(request);
      const { row, document } = await load(request.params.id);
      return { items: responseStatuses(document, await responseEvents(db, row.id)) };
    },
  );

  app.post(
    '/api/v1/bulletins/:id/responses/:unitKind/:unitId',
    {
      schema: {
        tags: ['bulletins'],
        summary: '整改反馈的一步：单位提交，上级审核通过或退回 / One step of a unit’s response: the unit submits, the level above accepts or returns',
        description:
          '提交：部门单位由本单位办理人员（org_handler），行政区划由本级管理员或督查（city_admin、supervisor，管辖范围即该区划）。审核：其上级的督查或省级管理员。待反馈 → 已反馈 → 已通过，或 → 已退回 → 再次提交；其他操作返回 BULLETIN_RESPONSE_INVALID。每一步都追加为不可修改的记录。/ ' +
          'Submit: an org’s own handlers; a region’s own city admin or supervisor. Review: supervisors or province admins above the unit. pending → submitted → accepted, or → returned → submitted again; anything else is BULLETIN_RESPONSE_INVALID. Every step is appended, never edited.',
        security: [{ staffSession: [] }],
        params: Type.Object({
          id: Type.String({ format: 'uuid' }),
          unitKind: UnitKindSchema,
          unitId: Type.String({ pattern: '^([0-9]{6}|[0-9]{12}|[0-9a-fA-F-]{36})$', description: '区划代码或部门 id / region code or org id' }),
        }),
        body: StepBody,
        response: { 200: Type.Object({ response: Type.Ref('BulletinResponse') }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const { id, unitKind, unitId } = request.params;
      const body = request.body;
      await takeResponseStep(deps, caller, {
        bulletinId: id,
        unitKind,
        unitId,
        step: body.step,
        text: body.text ?? null,
        attachments: body.step === 'submit' ? (body.attachments ?? []) : [],
      });
      const { row, document } = await load(id);
      const response = responseStatuses(document, await responseEvents(db, row.id)).find((r) => r.unitKind === unitKind && r.unitId === unitId);
      if (!response) throw new AppError('UNIT_NOT_FOUND');
      return { response };
    },
  );
}
