// HTTP face of authentication: sign in, sign out, and "who am I" (also a signature self-check
// for integrators). Routes parse, call, present; the rules live in sessions.ts and guard.ts.
import { Type, type TSchema } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { AppError } from '../errors.ts';
import { requireCaller, sessionTokenOf } from './guard.ts';
import { clearedSessionCookie, sessionCookie } from './session-cookie.ts';
import { login, logout } from './sessions.ts';
import { findStaffAccount, STAFF_ROLES, type StaffAccount } from './staff-accounts.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64, description: '用户名（不区分大小写） / username, case-insensitive' }),
    password: Type.String({ minLength: 1, maxLength: 256, description: '密码 / password' }),
  },
  { additionalProperties: false },
);

const StaffRoleSchema = Type.Union(
  STAFF_ROLES.map((role) => Type.Literal(role)),
  { description: '角色：province_admin 省级管理员，city_admin 市级管理员，org_handler 承办单位，supervisor 督查 / role' },
);

const AccountSchema = Type.Object({
  username: Type.String(),
  displayName: Type.String({ description: '显示名称 / display name' }),
  role: StaffRoleSchema,
  scope: Type.Object(
    {
      regionCode: Nullable(Type.String({ description: '管辖行政区划代码 / region code' })),
      regionPath: Nullable(Type.String({ description: '行政区划路径 / region path, e.g. 510000/510100/' })),
      orgId: Nullable(Type.String({ format: 'uuid', description: '所属承办单位 / org (org handlers)' })),
    },
    { description: '管辖范围 / what the account may act on' },
  ),
});

const LoginResponse = Type.Object({
  token: Type.String({ description: '会话令牌，以 Authorization: Bearer 携带（浏览器另有 HttpOnly Cookie） / session token for Authorization: Bearer' }),
  expiresAt: Type.String({ format: 'date-time', description: '过期时间 / expiry' }),
  account: AccountSchema,
});

const StaffMe = Type.Object({ kind: Type.Literal('staff'), account: AccountSchema, serverTime: Type.Integer({ description: '服务器时间（Unix 毫秒） / server time, Unix ms' }) });
const AppMe = Type.Object({
  kind: Type.Literal('app'),
  appId: Type.String(),
  regionPath: Type.String({ description: '可操作的行政区划路径 / region subtree the app may act on' }),
  orgId: Nullable(Type.String({ format: 'uuid' })),
  channelProfile: Type.Union([Type.Literal('national'), Type.Literal('sms-six')], { description: '渠道代码对照方案 / channel code profile' }),
  serverTime: Type.Integer({ description: '服务器时间（Unix 毫秒），可用于校准时钟 / server time, Unix ms, to check the clock' }),
});

function presentAccount(account: StaffAccount) {
  return {
    username: account.username,
    displayName: account.displayName,
    role: account.role,
    scope: { regionCode: account.scopeRegionCode, regionPath: account.regionPath, orgId: account.scopeOrgId },
  };
}

export function registerAuthRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>): void {
  const db = context.database.db;
  // Secure cookies only travel over HTTPS; a development server on plain HTTP would lose them.
  const secure = context.config.http.publicBaseUrl.startsWith('https://');
  const ttlSeconds = context.config.auth.sessionTtlHours * 3600;

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: '工作人员登录 / Staff sign-in',
        description:
          '用户名与密码正确时返回会话令牌，并设置 HttpOnly、SameSite=Strict 的 hcp_session Cookie。用户名不存在与密码错误返回同一错误码 AUTH_LOGIN_FAILED。\n\n' +
          'Returns a session token and sets an HttpOnly, SameSite=Strict `hcp_session` cookie. Unknown user and wrong password give the same AUTH_LOGIN_FAILED.',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const session = await login(db, context.config, request.body.username, request.body.password, context.clock());
      void reply.header('set-cookie', sessionCookie(session.token, ttlSeconds, secure));
      // The body carries a credential: no cache along the way may keep it.
      void reply.header('cache-control', 'no-store');
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), account: presentAccount(session.account) };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: '退出登录 / Sign out',
        description: '使当前会话令牌失效并清除 Cookie；令牌已失效时同样成功。\n\nEnds the current session and clears the cookie; succeeds also when the session is already gone.',
        security: [{ staffSession: [] }],
        response: { 204: Type.Null({ description: '已退出 / signed out' }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const token = sessionTokenOf(request);
      if (token !== null) await logout(db, token);
      void reply.header('set-cookie', clearedSessionCookie(secure));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: '当前调用方 / Who am I',
        description:
          '工作人员：返回账号与管辖范围。接入应用：返回应用编号与可操作范围，可用于自检签名与时钟。\n\n' +
          'Staff: the account and its scope. Integrator apps: the app and its scope; a signed GET here checks the signature and clock.',
        security: [{ staffSession: [] }, { appSignature: [] }],
        response: { 200: Type.Union([StaffMe, AppMe]), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireCaller(request);
      const serverTime = context.clock().getTime();
      if (caller.kind === 'app') {
        return { kind: 'app' as const, appId: caller.appId, regionPath: caller.regionPath, orgId: caller.orgId, channelProfile: caller.channelProfile, serverTime };
      }
      const account = await findStaffAccount(db, { id: caller.accountId });
      // Deleted between the guard and here: as good as an expired session.
      if (!account) throw new AppError('AUTH_SESSION_EXPIRED');
      return { kind: 'staff' as const, account: presentAccount(account), serverTime };
    },
  );
}
