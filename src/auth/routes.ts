// HTTP face of authentication: sign in, sign out, and "who am I" (also a signature self-check
// for integrators). Routes parse, call, present; the rules live in sessions.ts and guard.ts.
import { Type, type TSchema } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { AppError } from '../errors.ts';
import { csrfTokenFor } from './csrf.ts';
import { requireCaller, requireStaff, sessionTokenOf, staffSessionOf } from './guard.ts';
import { changePassword } from './password-change.ts';
import { PASSWORD_MAX_CHARS } from './passwords.ts';
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

const CsrfToken = Type.String({
  description: '本会话的防跨站令牌：以 Cookie 认证的 POST/PUT/PATCH/DELETE 请求须在 X-Hcp-Csrf 头中携带 / this session\'s CSRF token: send it as X-Hcp-Csrf on every cookie-authenticated POST, PUT, PATCH or DELETE',
});
const MustChangePassword = Type.Boolean({
  description: '须先修改初始密码：为 true 时除查看本人信息、修改密码与退出外的工作人员接口一律返回 AUTH_PASSWORD_CHANGE_REQUIRED / the initial password must be changed first: until then every staff route but me, password and logout answers AUTH_PASSWORD_CHANGE_REQUIRED',
});

const LoginResponse = Type.Object({
  token: Type.String({ description: '会话令牌，以 Authorization: Bearer 携带（浏览器另有 HttpOnly Cookie） / session token for Authorization: Bearer' }),
  expiresAt: Type.String({ format: 'date-time', description: '过期时间 / expiry' }),
  csrfToken: CsrfToken,
  mustChangePassword: MustChangePassword,
  account: AccountSchema,
});

const StaffMe = Type.Object({
  kind: Type.Literal('staff'),
  account: AccountSchema,
  csrfToken: CsrfToken,
  mustChangePassword: MustChangePassword,
  sessionExpiresAt: Type.String({ format: 'date-time', description: '会话过期时间（自登录起固定时长，不因使用而延长） / when the session ends: a fixed time after sign-in, not extended by use' }),
  serverTime: Type.Integer({ description: '服务器时间（Unix 毫秒） / server time, Unix ms' }),
});

const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_CHARS, description: '当前密码 / current password' }),
    newPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_CHARS, description: '新密码（至少10个字符，不能与用户名或当前密码相同） / new password: at least 10 characters, not the username or the current one' }),
  },
  { additionalProperties: false },
);
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
          '用户名与密码正确时返回会话令牌与防跨站令牌，并设置 HttpOnly、SameSite=Strict 的 hcp_session Cookie。用户名不存在与密码错误返回同一错误码 AUTH_LOGIN_FAILED。' +
          '同一用户名（无论是否存在）或同一客户端地址短时间内失败次数过多时暂时锁定，返回 429 AUTH_SIGN_IN_LOCKED 与 Retry-After（details.retryAfterSeconds）。\n\n' +
          'Returns a session token and a CSRF token and sets an HttpOnly, SameSite=Strict `hcp_session` cookie. Unknown user and wrong password give the same AUTH_LOGIN_FAILED. ' +
          'Too many failures for one username (existing or not) or from one client address lock it for a while: 429 AUTH_SIGN_IN_LOCKED with Retry-After (details.retryAfterSeconds).',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const session = await login(db, context.config, request.body.username, request.body.password, context.clock(), request.ip);
      void reply.header('set-cookie', sessionCookie(session.token, ttlSeconds, secure));
      // The body carries a credential: no cache along the way may keep it.
      void reply.header('cache-control', 'no-store');
      return {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        csrfToken: csrfTokenFor(context.config.auth.csrfKey, session.tokenHash),
        mustChangePassword: session.account.mustChangePassword,
        account: presentAccount(session.account),
      };
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
    async (request, reply) => {
      const caller = requireCaller(request);
      const serverTime = context.clock().getTime();
      if (caller.kind === 'app') {
        return { kind: 'app' as const, appId: caller.appId, regionPath: caller.regionPath, orgId: caller.orgId, channelProfile: caller.channelProfile, serverTime };
      }
      const account = await findStaffAccount(db, { id: caller.accountId });
      const session = staffSessionOf(request);
      // Deleted between the guard and here: as good as an expired session.
      if (!account || !session) throw new AppError('AUTH_SESSION_EXPIRED');
      void reply.header('cache-control', 'no-store');
      return {
        kind: 'staff' as const,
        account: presentAccount(account),
        csrfToken: csrfTokenFor(context.config.auth.csrfKey, session.tokenHash),
        mustChangePassword: account.mustChangePassword,
        sessionExpiresAt: session.expiresAt.toISOString(),
        serverTime,
      };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: '修改本人密码 / Change my password',
        description:
          '须提供当前密码；当前密码错误返回 AUTH_PASSWORD_WRONG，并与登录失败一同计入锁定次数。成功后本账号的其他会话全部结束，当前会话保留，“须修改初始密码”的要求解除。\n\n' +
          'Needs the current password; a wrong one gives AUTH_PASSWORD_WRONG and counts toward the sign-in lock like a failed sign-in. On success the account\'s other sessions end, this one stays, and the demand to change the initial password is lifted.',
        security: [{ staffSession: [] }],
        body: PasswordBody,
        response: { 204: Type.Null({ description: '已修改 / changed' }), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request);
      await changePassword(
        db,
        context.config,
        { caller, currentPassword: request.body.currentPassword, newPassword: request.body.newPassword, keepSessionHash: staffSessionOf(request)?.tokenHash ?? null, address: request.ip },
        context.clock(),
      );
      return reply.code(204).send(null);
    },
  );
}
