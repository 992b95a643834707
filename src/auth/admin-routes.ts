// Administration of who may call: disabling and enabling staff accounts (province admins, and city
// admins within their region) and integrator apps (province admins). Routes parse, authorise,
// call, present; the commands record every change in admin_audit.
import { Type, type TSchema } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { staffActor } from './admin-audit.ts';
import { requireStaff } from './guard.ts';
import { setIntegratorAppActive, type IntegratorAppCache, type IntegratorAppSummary } from './integrator-apps.ts';
import { STAFF_ROLES, setStaffAccountActive, type StaffAccount } from './staff-accounts.ts';

const TAGS = ['admin'];
const STAFF = [{ staffSession: [] }];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const AccountState = Type.Object({
  username: Type.String(),
  displayName: Type.String({ description: '显示名称 / display name' }),
  role: Type.Union(STAFF_ROLES.map((role) => Type.Literal(role))),
  scopeRegionCode: Nullable(Type.String({ description: '管辖行政区划代码 / region code' })),
  scopeOrgId: Nullable(Type.String({ format: 'uuid', description: '所属承办单位 / org (org handlers)' })),
  active: Type.Boolean({ description: '是否启用 / enabled' }),
});

const AppState = Type.Object({
  appId: Type.String(),
  name: Type.String(),
  regionCode: Type.String(),
  orgId: Nullable(Type.String({ format: 'uuid' })),
  channelProfile: Type.Union([Type.Literal('national'), Type.Literal('sms-six')]),
  active: Type.Boolean({ description: '是否启用 / enabled' }),
});

const presentAccount = (a: StaffAccount) => ({ username: a.username, displayName: a.displayName, role: a.role, scopeRegionCode: a.scopeRegionCode, scopeOrgId: a.scopeOrgId, active: a.active });
const presentApp = (a: IntegratorAppSummary) => ({ appId: a.appId, name: a.name, regionCode: a.regionCode, orgId: a.orgId, channelProfile: a.channelProfile, active: a.active });

const VERBS = [
  { verb: 'disable', active: false, zh: '停用', en: 'Disable' },
  { verb: 'enable', active: true, zh: '启用', en: 'Enable' },
] as const;

export function registerAdminRoutes(app: App, context: Pick<AppContext, 'database' | 'clock'>, apps: IntegratorAppCache): void {
  const db = context.database.db;

  for (const { verb, active, zh, en } of VERBS) {
    app.post(
      `/api/v1/staff-accounts/:username/${verb}`,
      {
        schema: {
          tags: TAGS,
          summary: `${zh}工作人员账号 / ${en} a staff account`,
          description: active
            ? '省级管理员可启用任何账号，市级管理员可启用本行政区划内的账号；变更记入管理操作日志。\n\nProvince admins may enable any account, city admins those within their region; the change is recorded in the admin audit log.'
            : '停用后该账号的会话立即失效，不能再登录（AUTH_ACCOUNT_DISABLED）。省级管理员可停用任何账号，市级管理员可停用本行政区划内的账号，不能停用自己的账号；变更记入管理操作日志。\n\n' +
              "The account's sessions end at once and it can no longer sign in (AUTH_ACCOUNT_DISABLED). Province admins may disable any account, city admins those within their region, nobody their own; the change is recorded in the admin audit log.",
          security: STAFF,
          params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: AccountState, ...commonErrorResponses },
        },
      },
      async (request) => {
        const caller = requireStaff(request, ['province_admin', 'city_admin']);
        const account = await setStaffAccountActive(db, { username: request.params.username, active, actor: staffActor(caller), caller }, context.clock());
        return presentAccount(account);
      },
    );

    app.post(
      `/api/v1/integrator-apps/:appId/${verb}`,
      {
        schema: {
          tags: TAGS,
          summary: `${zh}接入应用 / ${en} an integrator app`,
          description: active
            ? '仅省级管理员；变更记入管理操作日志。\n\nProvince admins only; the change is recorded in the admin audit log.'
            : '停用后该应用的签名请求一律拒绝（AUTH_APP_UNKNOWN）：本进程立即生效，其他服务进程在 5 秒内生效。仅省级管理员；变更记入管理操作日志。\n\n' +
              "The app's signed requests are refused (AUTH_APP_UNKNOWN): at once in this process, within 5 seconds in the others. Province admins only; the change is recorded in the admin audit log.",
          security: STAFF,
          params: Type.Object({ appId: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: AppState, ...commonErrorResponses },
        },
      },
      async (request) => {
        const caller = requireStaff(request, ['province_admin']);
        const changed = await setIntegratorAppActive(db, { appId: request.params.appId, active, actor: staffActor(caller) }, context.clock());
        apps.forget(changed.appId);
        return presentApp(changed);
      },
    );
  }
}
