// Register or update a service case (办件) with its stages. Idempotent by projectNo.
import type { Kysely, Transaction } from 'kysely';
import { Type, type Static } from 'typebox';
import { uuidv7 } from 'uuidv7';
import { callerCovers, type Scope } from '../auth/policy.ts';
import { parseAssessTime } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { scheduleInvitation } from '../hotline/invitations.ts';
import { isEmptyPerson, normalizePerson } from '../pii/person.ts';
import { sealPerson } from '../pii/vault.ts';
import { checkCaseDates, isRefusal, nextStageState, type StageState } from './rules.ts';
import { recordStageCompletion } from '../scoring/footprint.ts';

const Time = Type.String({ minLength: 10, maxLength: 40, description: 'yyyy-MM-dd HH:mm:ss（北京时间）或 ISO 8601' });
const Code = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });

export const StageInput = Type.Object(
  {
    serviceNumber: Type.Integer({ minimum: 1, maximum: 999, description: '环节序号 serviceNumber' }),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], { description: '1 待办理, 2 办理中, 3 已办结' }),
    completedAt: Type.Optional(Time),
    deptCode: Type.Optional(Code('办理部门统一社会信用代码（默认为办件所属部门）')),
    windowCode: Type.Optional(Code('窗口编号')),
    staffNo: Type.Optional(Code('工作人员工号')),
  },
  { additionalProperties: false },
);

export const CaseInput = Type.Object(
  {
    projectNo: Code('办件编号 projectNo'),
    taskCode: Code('事项实施编码 taskCode'),
    deptCode: Type.Optional(Type.String({ pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', description: '承办部门统一社会信用代码（默认为事项所属部门）' })),
    areaCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}([0-9]{6})?$', description: '行政区划代码（默认为部门所在区划）' })),
    proStatus: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], { description: '1 待受理, 2 已受理/办理中, 3 已办结' }),
    acceptDate: Type.Optional(Time),
    resultDate: Type.Optional(Time),
    promiseTime: Type.Optional(Time),
    userProp: Type.Optional(Type.Integer({ minimum: 1, maximum: 9, description: '申请人类型 userProp' })),
    userName: Type.Optional(Type.String({ maxLength: 100, description: '申请人姓名（加密存储）' })),
    certKey: Type.Optional(Type.String({ maxLength: 64, description: '申请人证件号码（加密存储）' })),
    mobile: Type.Optional(Type.String({ maxLength: 20, description: '申请人手机号（加密存储）' })),
    dataSource: Type.Optional(Type.String({ maxLength: 64 })),
    windowCode: Type.Optional(Code('单环节办件的窗口编号')),
    staffNo: Type.Optional(Code('单环节办件的工作人员工号')),
    stages: Type.Optional(Type.Array(StageInput, { minItems: 1, maxItems: 50 })),
  },
  { additionalProperties: false, $id: 'CaseInput', title: 'CaseInput' },
);
export type CaseInput = Static<typeof CaseInput>;

export interface RegisterDeps {
  db: Kysely<DB>;
  config: Config;
  now: Date;
  sourceApp: string;
  scope: Scope;
}

export interface RegisteredCase {
  id: string;
  projectNo: string;
  created: boolean;
}

function time(text: string | undefined, field: string): Date | null {
  if (text === undefined) return null;
  const parsed = parseAssessTime(text);
  if (!parsed) throw new AppError('CASE_DATES_INVALID', { field, value: text });
  return parsed;
}

async function orgByDeptCode(trx: Transaction<DB>, deptCode: string) {
  const org = await trx.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select(['org.id', 'org.region_code', 'region.path']).where('org.dept_code', '=', deptCode).executeTakeFirst();
  if (!org) throw new AppError('ORG_UNKNOWN', { deptCode });
  return org;
}

export async function registerCase(deps: RegisterDeps, input: CaseInput): Promise<RegisteredCase> {
  const { config, now } = deps;
  const acceptAt = time(input.acceptDate, 'acceptDate');
  const resultAt = time(input.resultDate, 'resultDate');
  const promiseAt = time(input.promiseTime, 'promiseTime');
  const dateRefusal = checkCaseDates({ proStatus: input.proStatus, acceptAt, resultAt }, now, config.rules.clockSkewSeconds);
  if (dateRefusal) throw new AppError(dateRefusal.code, dateRefusal.details);
  const applicant = normalizePerson({ name: input.userName, phone: input.mobile, certNo: input.certKey });
  if ('problem' in applicant) throw new AppError('PII_INVALID', { field: applicant.problem });

  const stageInputs = input.stages ?? [
    { serviceNumber: 1, status: input.proStatus, completedAt: input.proStatus === 3 ? input.resultDate : undefined, windowCode: input.windowCode, staffNo: input.staffNo },
  ];

  return deps.db.transaction().execute(async (trx) => {
    const item = await trx.selectFrom('service_item').select(['id', 'org_id', 'region_code']).where('task_code', '=', input.taskCode).executeTakeFirst();
    if (!item) throw new AppError('SERVICE_ITEM_UNKNOWN', { taskCode: input.taskCode });
    const org = input.deptCode
      ? await orgByDeptCode(trx, input.deptCode)
      : await trx.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select(['org.id', 'org.region_code', 'region.path']).where('org.id', '=', item.org_id).executeTakeFirstOrThrow();
    const regionCode = input.areaCode ?? org.region_code;
    const region = await trx.selectFrom('region').select(['code', 'path']).where('code', '=', regionCode).executeTakeFirst();
    if (!region) throw new AppError('REGION_UNKNOWN', { areaCode: regionCode });
    if (!callerCovers(deps.scope, { regionPath: region.path, orgId: org.id })) throw new AppError('AUTH_OUT_OF_SCOPE', { projectNo: input.projectNo });

    const existing = await trx.selectFrom('service_case').selectAll().where('project_no', '=', input.projectNo).forUpdate().executeTakeFirst();
    if (existing && (existing.item_id !== item.id || existing.org_id !== org.id || existing.region_code !== regionCode)) {
      throw new AppError('CASE_CONFLICT', { projectNo: input.projectNo });
    }
    if (existing && input.proStatus < existing.pro_status) throw new AppError('CASE_STATUS_INVALID', { from: existing.pro_status, to: input.proStatus });

    const caseId = existing?.id ?? uuidv7();
    const sealed = isEmptyPerson(applicant) ? null : sealPerson(config, applicant, caseId);
    const phoneLookup = sealed ? sealed.phoneLookup : (existing?.applicant_phone_lookup ?? null);
    const values = {
      pro_status: input.proStatus,
      accept_at: acceptAt ?? existing?.accept_at ?? null,
      result_at: resultAt ?? existing?.result_at ?? null,
      promise_at: promiseAt ?? existing?.promise_at ?? null,
      user_prop: input.userProp ?? existing?.user_prop ?? null,
      data_source: input.dataSource ?? existing?.data_source ?? null,
      updated_at: now,
      ...(sealed
        ? {
            applicant_pii: sealed.sealed,
            applicant_pii_key_id: sealed.keyId,
            applicant_masked: JSON.stringify(sealed.masked),
            applicant_phone_lookup: sealed.phoneLookup,
            applicant_cert_lookup: sealed.certLookup,
          }
        : {}),
    };
    if (existing) {
      await trx.updateTable('service_case').set(values).where('id', '=', caseId).execute();
    } else {
      await trx
        .insertInto('service_case')
        .values({ id: caseId, project_no: input.projectNo, item_id: item.id, org_id: org.id, region_code: regionCode, source_app: deps.sourceApp, created_at: now, ...values })
        .execute();
    }

    const currentStages = await trx.selectFrom('case_stage').selectAll().where('case_id', '=', caseId).execute();
    for (const stage of stageInputs) {
      const current = currentStages.find((s) => s.service_number === stage.serviceNumber);
      const completedAt = time(stage.completedAt, `stages[${stage.serviceNumber}].completedAt`);
      if (completedAt && completedAt.getTime() > now.getTime() + config.rules.clockSkewSeconds * 1000) {
        throw new AppError('CASE_DATES_INVALID', { reason: 'completion time is in the future', serviceNumber: stage.serviceNumber });
      }
      const incoming: StageState = { serviceNumber: stage.serviceNumber, status: stage.status, completedAt };
      const next = nextStageState(current ? { serviceNumber: current.service_number, status: current.status, completedAt: current.completed_at } : undefined, incoming);
      if (isRefusal(next)) throw new AppError(next.code, next.details);
      const stageOrg = stage.deptCode ? await orgByDeptCode(trx, stage.deptCode) : org;
      const windowId = stage.windowCode ? await windowIdOf(trx, stageOrg.id, stage.windowCode) : (current?.window_id ?? null);
      const staffId = stage.staffNo ? await staffIdOf(trx, stageOrg.id, stage.staffNo) : (current?.staff_id ?? null);
      const stageValues = { name: stage.name ?? current?.name ?? null, status: next.status, completed_at: next.completedAt, org_id: stageOrg.id, window_id: windowId, staff_id: staffId };
      const stageId = current?.id ?? uuidv7();
      if (current) await trx.updateTable('case_stage').set(stageValues).where('id', '=', stageId).execute();
      else await trx.insertInto('case_stage').values({ id: stageId, case_id: caseId, service_number: stage.serviceNumber, ...stageValues }).execute();
      // Completed just now, and the applicant can be texted: book the SMS invitation to rate it.
      if (next.completedAt && current?.status !== 3) {
        await recordStageCompletion(trx, { case_stage_id: stageId, completed_at: next.completedAt, region_code: regionCode, org_id: stageOrg.id, item_id: item.id, window_id: windowId, staff_id: staffId }, now);
        if (phoneLookup) await scheduleInvitation(trx, config, stageId, next.completedAt, now);
      }
    }
    return { id: caseId, projectNo: input.projectNo, created: !existing };
  });
}

async function windowIdOf(trx: Transaction<DB>, orgId: string, code: string): Promise<string> {
  const row = await trx.selectFrom('service_window').select('id').where('org_id', '=', orgId).where('code', '=', code).executeTakeFirst();
  if (!row) throw new AppError('WINDOW_UNKNOWN', { windowCode: code });
  return row.id;
}

async function staffIdOf(trx: Transaction<DB>, orgId: string, staffNo: string): Promise<string> {
  const row = await trx.selectFrom('staff').select('id').where('org_id', '=', orgId).where('staff_no', '=', staffNo).executeTakeFirst();
  if (!row) throw new AppError('STAFF_UNKNOWN', { staffNo });
  return row.id;
}
