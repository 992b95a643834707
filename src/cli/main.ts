// The one binary: `serve` (web + intake), and operator commands. Errors print their stable code
// with the Chinese and English message, exactly as the API returns them.
import { parseArgs } from 'node:util';
import { createIntegratorAppCommand, createStaffAccountCommand, setIntegratorAppActiveCommand, setStaffAccountActiveCommand } from '../auth/auth-cli.ts';
import { calendarStatusCommand, checkNoticeCommand, enterNoticeCommand, readNotice } from '../calendar/calendar-cli.ts';
import { formatImportReport, importFile } from '../catalog/catalog-cli.ts';
import { isCatalogKind } from '../catalog/import.ts';
import { userInfo } from 'node:os';
import { recomputeCounters } from '../aggregates/counters.ts';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { AppError, errorCatalogue } from '../errors.ts';
import { generateDemo } from '../demo/generate.ts';
import type { DemoSummary } from '../demo/summary.ts';
import { parsePeriod } from '../scoring/periods.ts';
import { rebuildTallies } from '../scoring/rebuild.ts';
import { loadSigner } from '../crypto/signing-key.ts';
import { closePeriod } from '../scoring/snapshots.ts';
import { openConfiguredDatabase, prepareDatabase } from '../system.ts';
import { verifyLedgerCommand, verifySnapshotCommand } from './verify-commands.ts';
import { serve } from './serve.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

const USAGE = `好差评平台 命令行 / haochaping command line

用法 / usage: npm run cli -- <command> [options]

  quickstart                     演示数据 + 启动服务 / demo data (first time) and the server
  serve                          启动服务 / start the HTTP server (and intake writer);
                                 HTTP_WORKERS=N: N 个工作进程 / N worker processes (PostgreSQL)
  demo [--months N] [--evaluations N] [--seed N] [--counties N|all]
                                 生成演示数据 / generate a demo province
  migrate                        执行数据库迁移并载入行政区划 / run migrations, seed regions
  verify [--public-key FILE]     校验评价台账哈希链与已签名的链头检查点；不符则退出码 1 /
                                 recompute every ledger chain, hold it to every signed checkpoint
                                 of the chain heads; exit 1 if broken
  recompute                      由台账重建计数与计分台账 / rebuild the evaluation counters and score tallies from the ledger
  close-period <period>          关账并以 SM2 签名发布（如 2026-10、2026-Q3、2026）/ close and publish a period, signed with SM2
  verify-snapshot <period> [--public-key FILE]
                                 仅凭台账核验已发布结果；不符则退出码 1 / verify a published snapshot from the ledger alone; exit 1 if not
                                 （验签只信任配置的签名密钥或 --public-key，不信任数据库中的公钥 /
                                 signatures are checked against the configured key or --public-key, never a key read from the database）
  import orgs|items|windows|staff <file> [--skip-bad-rows]
                                 导入目录（CSV 或 JSON）/ import catalog data; bad rows reported by line
  create-account --username U --display-name N --role R [--region CODE | --org ID] [--generate-password]
  （或 / or: accounts create …）  初始密码随机生成，只显示一次，首次登录须修改
                                 / a generated password, shown once, to be changed at first sign-in
  create-app --app-id ID --name N --region CODE [--org ID] [--channel-profile national|sms-six]
  disable-account --username U   停用账号，会话立即结束 / disable an account, its sessions end at once
  enable-account --username U    重新启用账号 / enable it again
  disable-app --app-id ID        停用接入应用 / disable an integrator app (refused within 5 s)
  enable-app --app-id ID         重新启用接入应用 / enable it again
                                 （均记入管理操作日志 / each recorded in the admin audit log）
  calendar status                工作日历覆盖到哪一年 / how far the working-day calendar reaches
  calendar check <file>          核对国务院节假日安排通知，不录入 / check a holiday notice file, store nothing
  calendar import <file|->       录入通知并重算暂定时限 / enter a holiday notice (file or stdin) and
                                 recompute provisional ticket deadlines (docs/calendar.md)
  calendar enter --year Y --title T --published D [--url U] --holiday "元旦 2027-01-01..2027-01-03" …
                 [--workday 2027-02-14 …]
                                 以选项录入同一通知 / the same, the notice given as options
  errors                         列出错误码 / list the error catalogue

配置取自环境变量（见 README）/ configuration comes from environment variables (see README).`;

function printDemoSummary(summary: DemoSummary): void {
  const c = summary.counts;
  print(summary.generated ? '演示数据已生成 / demo data generated:' : '演示数据已存在 / demo data already present:');
  print(`  部门 orgs ${c.org} · 事项 items ${c.service_item} · 窗口 windows ${c.service_window} · 人员 staff ${c.staff} · 办件 cases ${c.service_case} · 评价 evaluations ${c.evaluation}`);
  const t = summary.tickets;
  const states = Object.entries(t.byState).filter(([, n]) => n > 0).map(([state, n]) => `${state} ${n}`).join(' · ');
  print(`  差评工单 tickets ${t.total} (${states}) · 回复率 reply rate ${t.replyRate ?? '—'} · 超期 overdue ${t.overdue}`);
  print(`  ${summary.credentials.note}`);
  for (const account of summary.credentials.accounts) print(`  ${account.username.padEnd(12)} ${summary.credentials.password}  ${account.role}`);
  const app = summary.credentials.integrator;
  if (app) print(`  接入应用 / integrator app: ${app.appId}  secret: ${app.secret ?? '（仅首次生成时显示 / shown only when first generated）'}`);
}

async function withDatabase<T>(config: Config, work: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(config);
  try {
    await prepareDatabase(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      'display-name': { type: 'string' },
      role: { type: 'string' },
      region: { type: 'string' },
      org: { type: 'string' },
      'app-id': { type: 'string' },
      name: { type: 'string' },
      'channel-profile': { type: 'string' },
      'skip-bad-rows': { type: 'boolean' },
      // The only way the command line makes a password (it never takes one on argv), so optional.
      'generate-password': { type: 'boolean' },
      'public-key': { type: 'string' },
      months: { type: 'string' },
      evaluations: { type: 'string' },
      seed: { type: 'string' },
      counties: { type: 'string' },
      year: { type: 'string' },
      title: { type: 'string' },
      published: { type: 'string' },
      url: { type: 'string' },
      holiday: { type: 'string', multiple: true },
      workday: { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config, null);
    case 'quickstart':
    case 'demo': {
      const options = {
        ...(values.months ? { months: Number(values.months) } : {}),
        ...(values.evaluations ? { evaluations: Number(values.evaluations) } : {}),
        ...(values.seed ? { seed: Number(values.seed) } : {}),
        ...(values.counties ? { countiesPerCity: values.counties === 'all' ? ('all' as const) : Number(values.counties) } : {}),
      };
      const summary = await withDatabase(config, async ({ db }) => {
        print('正在准备演示数据（首次约需半分钟）/ preparing demo data (about half a minute the first time) …');
        return generateDemo({ db, config, now: new Date() }, { ...options, onProgress: (step, ms) => print(`  ${step} (${(ms / 1000).toFixed(1)} s)`) });
      });
      printDemoSummary(summary);
      return command === 'quickstart' ? serve(config, summary) : 0;
    }
    case 'migrate':
      await withDatabase(config, async () => print('数据库已是最新 / database is up to date'));
      return 0;
    case 'verify':
      return withDatabase(config, ({ db }) => verifyLedgerCommand(db, config, { publicKeyFile: values['public-key'] }, print));
    case 'recompute':
      return withDatabase(config, async ({ db }) => {
        const result = await recomputeCounters(db);
        print(`已由台账重建计数 / counters rebuilt from the ledger: ${result.rows} rows, ${result.evaluations} evaluations`);
        const tallies = await rebuildTallies(db);
        print(`已由台账重建计分台账 / score tallies rebuilt from the ledger: ${tallies.tallyRows} unit-days, ${tallies.channelRows} by channel`);
        return 0;
      });
    case 'close-period':
    case 'verify-snapshot': {
      const period = parsePeriod(positionals[0] ?? '');
      if (!period || period.kind === 'range') {
        print(`用法 / usage: ${command} <2026-10 | 2026-Q3 | 2026 | 2026-W40 | 2026-10-01>`);
        return 2;
      }
      const kind = period.kind;
      return withDatabase(config, async ({ db }) => {
        if (command === 'close-period') {
          const snapshot = await closePeriod(db, loadSigner(config), period, 'cli', new Date());
          print(`已关账发布 / closed and published ${snapshot.periodKey}: SM3 ${snapshot.digest}, SM2 key ${snapshot.keyId}`);
          return 0;
        }
        return verifySnapshotCommand(db, config, { kind, key: period.key }, { publicKeyFile: values['public-key'] }, print);
      });
    }
    case 'import': {
      const [kind, file] = positionals;
      if (!kind || !file || !isCatalogKind(kind)) {
        print('用法 / usage: import orgs|items|windows|staff <file.csv|file.json> [--skip-bad-rows]');
        return 2;
      }
      return withDatabase(config, async ({ db }) => {
        const report = await importFile(db, kind, file, { skipBadRows: values['skip-bad-rows'] ?? false }, new Date());
        for (const line of formatImportReport(report)) print(line);
        return report.errors.length > 0 && !values['skip-bad-rows'] ? 1 : 0;
      });
    }
    case 'accounts':
      if (positionals[0] !== 'create') {
        print('用法 / usage: accounts create --username U --display-name N --role R [--region CODE | --org ID] [--generate-password]');
        return 2;
      }
    // falls through: `accounts create` is `create-account`
    case 'create-account':
      return withDatabase(config, async ({ db }) => {
        await createStaffAccountCommand(
          db,
          { username: values.username ?? '', displayName: values['display-name'] ?? values.username ?? '', role: values.role ?? '', scopeRegionCode: values.region, scopeOrgId: values.org },
          new Date(),
          print,
        );
        return 0;
      });
    case 'create-app':
      return withDatabase(config, async ({ db }) => {
        await createIntegratorAppCommand(db, config, { appId: values['app-id'] ?? '', name: values.name ?? '', regionCode: values.region ?? '', orgId: values.org, channelProfile: values['channel-profile'] }, new Date(), print);
        return 0;
      });
    case 'disable-account':
    case 'enable-account':
      return withDatabase(config, async ({ db }) => {
        await setStaffAccountActiveCommand(db, { username: values.username ?? '', active: command === 'enable-account' }, userInfo().username, new Date(), print);
        return 0;
      });
    case 'disable-app':
    case 'enable-app':
      return withDatabase(config, async ({ db }) => {
        await setIntegratorAppActiveCommand(db, { appId: values['app-id'] ?? '', active: command === 'enable-app' }, userInfo().username, new Date(), print);
        return 0;
      });
    case 'calendar': {
      const [sub, file] = positionals;
      if (sub === 'status') {
        return withDatabase(config, async ({ db }) => {
          await calendarStatusCommand(db, new Date(), print);
          return 0;
        });
      }
      if ((sub === 'check' || sub === 'import') && file !== undefined) {
        const notice = readNotice(file, {});
        return withDatabase(config, async ({ db }) => {
          if (sub === 'check') await checkNoticeCommand(db, notice, print);
          else await enterNoticeCommand({ db, config }, notice, userInfo().username, new Date(), print);
          return 0;
        });
      }
      if (sub === 'enter') {
        const notice = readNotice(undefined, values);
        return withDatabase(config, async ({ db }) => {
          await enterNoticeCommand({ db, config }, notice, userInfo().username, new Date(), print);
          return 0;
        });
      }
      print('用法 / usage: calendar status | calendar check <file> | calendar import <file|-> | calendar enter --year … (docs/calendar.md)');
      return 2;
    }
    case 'errors':
      for (const [code, entry] of Object.entries(errorCatalogue)) print(`${code.padEnd(38)} ${entry.status}  ${entry.zh} / ${entry.en}`);
      return 0;
    default:
      print(USAGE);
      return command === undefined || command === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      const entry = errorCatalogue.CONFIG_INVALID;
      process.stderr.write(`错误 / error CONFIG_INVALID: ${entry.zh} / ${entry.en}: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof AppError) {
      const entry = errorCatalogue[error.code];
      process.stderr.write(`错误 / error ${error.code}: ${entry.zh} / ${entry.en}${error.details ? ` ${JSON.stringify(error.details)}` : ''}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
