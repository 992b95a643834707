// HTTP routes of service cases (办件).
import { Type } from 'typebox';
import { requireCaller } from '../auth/guard.ts';
import { callerCovers, mayWriteCatalog } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { CaseInput, registerCase } from './register-case.ts';

const RegisteredCase = Type.Object({ id: Type.String({ format: 'uuid' }), projectNo: Type.String(), created: Type.Boolean() });

const CaseView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  projectNo: Type.String(),
  taskCode: Type.String(),
  deptCode: Type.String(),
  areaCode: Type.String(),
  proStatus: Type.Integer(),
  acceptDate: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  resultDate: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  applicant: Type.Union([Type.Object({ name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), certNo: Type.Optional(Type.String()) }), Type.Null()], { description: '脱敏 / masked' }),
  stages: Type.Array(
    Type.Object({
      serviceNumber: Type.Integer(),
      name: Type.Union([Type.String(), Type.Null()]),
      status: Type.Integer(),
      completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      rated: Type.Boolean({ description: '是否已有首次评价 / has a first evaluation' }),
    }),
  ),
});

export function registerCaseRoutes(app: App, context: AppContext): void {
  const { database, config, clock } = context;
  const db = database.db;
  app.addSchema(CaseInput);

  app.post(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: '登记或更新办件（按 projectNo 幂等）/ Register or update a service case (idempotent by projectNo)',
        description:
          '办件及其环节。环节办结（status=3 且有 completedAt）后开放评价；状态只进不退，已记录的办结时间不可更改。未给出 stages 时按办件本身生成环节1。申请人信息以 SM4 加密存储。\n\n' +
          'A completed stage opens the right to rate it. Status only moves forward and a recorded completion time is fixed. Without stages, stage 1 follows the case. Applicant data is stored SM4-encrypted.',
        security: [{ appSignature: [] }, { staffSession: [] }],
        body: Type.Ref('CaseInput'),
        response: { 200: RegisteredCase, 201: RegisteredCase, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      if (caller.kind === 'staff' && !mayWriteCatalog(caller, { regionPath: caller.regionPath ?? '', orgId: caller.orgId })) throw new AppError('AUTH_FORBIDDEN');
      const sourceApp = caller.kind === 'app' ? caller.appId : `staff:${caller.username}`;
      const result = await registerCase({ db, config, now: clock(), sourceApp, scope: caller }, request.body as CaseInput);
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );

  app.get(
    '/api/v1/cases/:projectNo',
    {
      schema: {
        tags: ['cases'],
        summary: '查看办件及其环节（申请人信息脱敏）/ Read a case and its stages (applicant masked)',
        security: [{ appSignature: [] }, { staffSession: [] }],
        params: Type.Object({ projectNo: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: CaseView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireCaller(request);
      const found = await db
        .selectFrom('service_case as c')
        .innerJoin('region as r', 'r.code', 'c.region_code')
        .innerJoin('service_item as i', 'i.id', 'c.item_id')
        .innerJoin('org as o', 'o.id', 'c.org_id')
        .select(['c.id', 'c.project_no', 'i.task_code', 'o.dept_code', 'c.region_code', 'c.pro_status', 'c.accept_at', 'c.result_at', 'c.applicant_masked', 'r.path', 'c.org_id'])
        .where('c.project_no', '=', request.params.projectNo)
        .executeTakeFirst();
      if (!found || !callerCovers(caller, { regionPath: found.path, orgId: found.org_id })) throw new AppError('CASE_NOT_FOUND');
      const stages = await db
        .selectFrom('case_stage as s')
        .leftJoin('evaluation_slot as slot', (join) => join.onRef('slot.case_stage_id', '=', 's.id').on('slot.assess_number', '=', 1))
        .select(['s.service_number', 's.name', 's.status', 's.completed_at', 'slot.evaluation_id'])
        .where('s.case_id', '=', found.id)
        .orderBy('s.service_number')
        .execute();
      return {
        id: found.id,
        projectNo: found.project_no,
        taskCode: found.task_code,
        deptCode: found.dept_code,
        areaCode: found.region_code,
        proStatus: found.pro_status,
        acceptDate: found.accept_at?.toISOString() ?? null,
        resultDate: found.result_at?.toISOString() ?? null,
        applicant: found.applicant_masked,
        stages: stages.map((s) => ({ serviceNumber: s.service_number, name: s.name, status: s.status, completedAt: s.completed_at?.toISOString() ?? null, rated: s.evaluation_id !== null })),
      };
    },
  );
}
