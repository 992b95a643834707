// Commands the CLI (src/cli) calls for auth administration. They take plain strings as typed
// on a command line, validate them, and print what the operator must see once: a generated
// password or an app secret. Errors are AppErrors, printed by the CLI like any other.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { cliActor } from './admin-audit.ts';
import { checkPasswordPolicy } from './passwords.ts';
import { createIntegratorApp, setIntegratorAppActive, type IntegratorApp, type IntegratorAppSummary } from './integrator-apps.ts';
import { createStaffAccount, isStaffRole, setStaffAccountActive, STAFF_ROLES, type StaffAccount } from './staff-accounts.ts';

export type Print = (line: string) => void;

/** 18 random bytes (144 bits): 24 base64url characters, well past the policy and easy to copy. */
export function generatePassword(): string {
  for (;;) {
    const password = randomBytes(18).toString('base64url');
    // Never refused by the policy as it stands; checked so that a stricter one cannot be missed.
    if (checkPasswordPolicy(password) === null) return password;
  }
}

export interface StaffAccountArgs {
  username: string;
  /** Absent: a random one is generated and printed once. Read it from a prompt or stdin, not argv. */
  password?: string | undefined;
  displayName: string;
  role: string;
  scopeRegionCode?: string | undefined;
  scopeOrgId?: string | undefined;
}

export async function createStaffAccountCommand(db: Kysely<DB>, args: StaffAccountArgs, now: Date, print: Print): Promise<StaffAccount> {
  if (!isStaffRole(args.role)) throw new AppError('VALIDATION_FAILED', { field: 'role', allowed: STAFF_ROLES });
  const generated = args.password === undefined ? generatePassword() : null;
  const account = await createStaffAccount(
    db,
    {
      username: args.username,
      password: args.password ?? generated ?? '',
      displayName: args.displayName,
      role: args.role,
      scopeRegionCode: args.scopeRegionCode ?? null,
      scopeOrgId: args.scopeOrgId ?? null,
      // The operator has seen a generated password: its holder chooses their own at first sign-in.
      mustChangePassword: generated !== null,
    },
    now,
  );
  print(`已创建工作人员账号 / Staff account created: ${account.username} (${account.displayName})`);
  print(`  角色 / role: ${account.role}`);
  print(
    account.scopeOrgId !== null
      ? `  管辖单位 / org: ${account.scopeOrgId}`
      : `  管辖区划 / region: ${account.scopeRegionCode ?? ''} (${account.regionPath ?? ''})`,
  );
  if (generated !== null) {
    print('  初始密码（只显示这一次） / Initial password (shown only this once):');
    print(`  ${generated}`);
    print('  首次登录后须先修改密码 / It must be changed at the first sign-in');
  }
  return account;
}

export interface IntegratorAppArgs {
  appId: string;
  name: string;
  regionCode: string;
  orgId?: string | undefined;
  channelProfile?: string | undefined;
}

export async function createIntegratorAppCommand(db: Kysely<DB>, config: Config, args: IntegratorAppArgs, now: Date, print: Print): Promise<IntegratorApp> {
  const channelProfile = args.channelProfile ?? 'national';
  if (channelProfile !== 'national' && channelProfile !== 'sms-six') {
    throw new AppError('VALIDATION_FAILED', { field: 'channelProfile', allowed: ['national', 'sms-six'] });
  }
  const { app, secret } = await createIntegratorApp(db, config, { appId: args.appId, name: args.name, regionCode: args.regionCode, orgId: args.orgId ?? null, channelProfile }, now);
  print(`已创建接入应用 / Integrator app created: ${app.appId} (${app.name})`);
  print(`  管辖区划 / region: ${app.regionCode} (${app.regionPath})${app.orgId === null ? '' : `, 单位 / org: ${app.orgId}`}`);
  print(`  渠道代码方案 / channel profile: ${app.channelProfile}`);
  print('  应用密钥（只显示这一次，平台不保存明文，请通过安全渠道交给接入方） / App secret (shown only this once; hand it over securely):');
  print(`  ${secret}`);
  print('  签名方法见 / Signing: docs/integration.md');
  return app;
}

/** `disable-account` / `enable-account`: as the operator, recorded in admin_audit under their OS user. */
export async function setStaffAccountActiveCommand(db: Kysely<DB>, args: { username: string; active: boolean }, osUser: string, now: Date, print: Print): Promise<StaffAccount> {
  const account = await setStaffAccountActive(db, { username: args.username, active: args.active, actor: cliActor(osUser), caller: null }, now);
  print(
    account.active
      ? `已启用工作人员账号 / Staff account enabled: ${account.username} (${account.displayName})`
      : `已停用工作人员账号，其会话已全部结束 / Staff account disabled, its sessions ended: ${account.username} (${account.displayName})`,
  );
  return account;
}

/** `disable-app` / `enable-app`: running servers notice within 5 seconds (their app cache). */
export async function setIntegratorAppActiveCommand(db: Kysely<DB>, args: { appId: string; active: boolean }, osUser: string, now: Date, print: Print): Promise<IntegratorAppSummary> {
  const app = await setIntegratorAppActive(db, { appId: args.appId, active: args.active, actor: cliActor(osUser) }, now);
  print(
    app.active
      ? `已启用接入应用 / Integrator app enabled: ${app.appId} (${app.name})`
      : `已停用接入应用，5 秒内其签名请求一律拒绝 / Integrator app disabled, its signed requests refused within 5 s: ${app.appId} (${app.name})`,
  );
  return app;
}
