// The staff console in a real browser (Debian's Chromium through playwright-core) against the real
// system on PGlite, served at /console from its Vite build: signing in and out, an expired session,
// the home page with a notification arriving live, scope (a county supervisor never sees another
// county's tickets), the supervision queues, an inspection recorded on an upright tablet, English
// alone behind the switch, and axe on every page at a desktop and a tablet size.
//
// Screenshots are written to docs/screenshots/ only when asked:
// HCP_SCREENSHOTS=1 npx vitest run src/console/console.browser.test.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { foldLedger } from '../scoring/feed.ts';
import { startSystem, type System } from '../system.ts';
import { seriousViolations } from '../../test/axe.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { ensureConsoleBuilt } from '../../test/console-build.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeWindow } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { screenshotBrowserEnv, TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const PASSWORD = 'console-test-password';
const FRIDAY = '2026-11-20T02:00:00.000Z'; // Friday 10:00 Beijing
const TUESDAY = '2026-11-24T02:00:00.000Z'; // the Tuesday after: the untouched tickets are overdue
const DESKTOP = { width: 1366, height: 768 };
const TABLET = { width: 768, height: 1024 };
const CJK = /[\u3400-\u9fff]/;

describe.skipIf(missingTool('chromium'))('staff console in Chromium', () => {
  const clock = testClock(FRIDAY);
  let config: Config;
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;
  let orgA: { id: string; name: string; region_code: string };
  let orgB: { id: string; name: string; region_code: string };
  let itemA: { task_code: string; name: string };
  let windowA: { name: string };
  const tokens: Record<string, string> = {};
  const accountIds: Record<string, string> = {};
  const ticketsA: Array<{ id: string; receiptNo: string }> = [];
  let ticketB: { id: string; receiptNo: string };
  let extending: { id: string; receiptNo: string };
  let serial = 0;
  const contexts: BrowserContext[] = [];
  const db = () => database.db;

  const as = (who: string, url: string, payload?: Record<string, unknown>) =>
    system.app.inject({ method: payload ? 'POST' : 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload ? { payload } : {}) });

  async function account(username: string, displayName: string, role: 'org_handler' | 'supervisor' | 'province_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }, mustChangePassword = false) {
    const created = await createStaffAccount(db(), { username, displayName, role, password: PASSWORD, mustChangePassword, ...scope }, clock());
    accountIds[username] = created.id;
    tokens[username] = (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } })).json().token;
  }

  /** 差评 (or other levels) on completed cases of `item`, each opening a ticket when bad. */
  async function rate(item: { task_code: string }, area: string, levels: number[]): Promise<Array<{ id: string; receiptNo: string }>> {
    const projects: string[] = [];
    for (const _level of levels) {
      projects.push(await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00', { projectNo: `${area}-20261119-${String(++serial).padStart(6, '0')}`, areaCode: area }));
    }
    await submitDrafts(system.intake, projects.map((p, i) => ({ ...draft(p, { level: levels[i] ?? 5 }), assessedAt: new Date(clock().getTime() - 60_000) })));
    await foldLedger(db());
    const rows = await db()
      .selectFrom('ticket as t')
      .innerJoin('evaluation as e', 'e.id', 't.evaluation_id')
      .select(['t.id', 't.receipt_no'])
      .where('e.project_no', 'in', projects)
      .orderBy('e.project_no')
      .execute();
    return rows.map((r) => ({ id: r.id, receiptNo: r.receipt_no }));
  }

  async function step(who: string, ticketId: string, body: Record<string, unknown>) {
    const response = await as(who, `/api/v1/tickets/${ticketId}/steps`, body);
    expect(response.statusCode, response.body).toBe(200);
  }

  async function newPage(viewport = DESKTOP, options: { touch?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', hasTouch: options.touch ?? false });
    // The browser's clock is the server's: the inspection form dates a record "now".
    await context.clock.setFixedTime(clock());
    contexts.push(context);
    return context.newPage();
  }

  async function shot(page: Page, name: string) {
    if (!TAKE_SCREENSHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}${name}.png`, scale: 'css' });
  }

  const signInButton = (page: Page) => page.getByRole('button', { name: /^(登\s?录|Sign in)$/ });

  async function signIn(page: Page, username: string, password = PASSWORD) {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await signInButton(page).click();
  }

  async function signedIn(username: string, viewport = DESKTOP, options: { touch?: boolean } = {}): Promise<Page> {
    const page = await newPage(viewport, options);
    await signIn(page, username);
    await page.getByRole('heading', { level: 1, name: '工作台', exact: true }).waitFor();
    return page;
  }

  /** axe at both sizes: serious and critical violations only. */
  async function accessible(page: Page) {
    const own = page.viewportSize() ?? DESKTOP;
    for (const size of [DESKTOP, TABLET]) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      expect(await seriousViolations(page), `${page.url()} at ${size.width}×${size.height}`).toEqual([]);
    }
    await page.setViewportSize(own);
  }

  /** An entry of the open Select's list. */
  const option = (page: Page, text: string) => page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first();

  /** The receipt numbers of the ticket rows on screen. */
  const receiptsShown = async (page: Page) => (await page.locator('.ant-table-tbody a').allTextContents()).map((text) => text.split(' · ')[0]);

  beforeAll(async () => {
    await ensureConsoleBuilt();
    config = testConfig({ JOBS_ENABLED: 'false', TICKET_REPLY_DAYS: '3' });
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], ...(TAKE_SCREENSHOTS ? { env: screenshotBrowserEnv() } : {}) });

    orgA = await makeOrg(db(), { regionCode: '510104', name: '锦江区行政审批局' });
    orgB = await makeOrg(db(), { regionCode: '510105', name: '青羊区行政审批局' });
    itemA = await makeItem(db(), orgA);
    const itemB = await makeItem(db(), orgB);
    windowA = await makeWindow(db(), orgA);
    await account('handler.a', '张承办', 'org_handler', { scopeOrgId: orgA.id });
    await account('sup.jinjiang', '李督查', 'supervisor', { scopeRegionCode: '510104' });
    await account('sup.qingyang', '王督查', 'supervisor', { scopeRegionCode: '510105' });
    await account('admin', '省管理员', 'province_admin', { scopeRegionCode: '510000' });
    // Created with a generated password (accounts create --generate-password): changed at the first sign-in.
    await account('new.handler', '赵新人', 'org_handler', { scopeOrgId: orgA.id }, true);

    ticketsA.push(...(await rate(itemA, '510104', [1, 2, 1])));
    const [onlyB] = await rate(itemB, '510105', [1]);
    const [, second] = ticketsA;
    if (!onlyB || !second) throw new Error('tickets missing');
    ticketB = onlyB;
    extending = second;
    await step('handler.a', extending.id, { step: 'accept' });
    await step('handler.a', extending.id, { step: 'verified' });
    await step('handler.a', extending.id, { step: 'request_extension', days: 5, reason: '需采购设备' });

    const template = await as('admin', '/api/v1/inspection-templates', {
      code: 'hall-basic',
      name: '大厅窗口服务检查表',
      items: [
        { code: 'sign', title: '窗口标识清晰、公示事项齐全', points: 10 },
        { code: 'attitude', title: '工作人员文明礼貌、一次性告知', points: 20, description: '暗访人员咨询时的答复情况' },
        { code: 'wait', title: '排队等候不超过20分钟', points: 10 },
      ],
    });
    expect(template.statusCode, template.body).toBe(201);
    // Tuesday: the untouched tickets are past their deadlines.
    clock.set(TUESDAY);
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('signs in: a wrong password is said, the right one opens the home page; the page passes axe', async () => {
    const page = await newPage();
    await page.goto(`${base}/console/`);
    // Not signed in: to the sign-in page, which comes back here after.
    await signInButton(page).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shot(page, 'console-login');
    await accessible(page);

    await page.getByLabel('用户名').fill('handler.a');
    await page.getByLabel('密码', { exact: true }).fill('not-the-password');
    await signInButton(page).click();
    await expect(page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).textContent()).resolves.toContain('用户名或密码错误');

    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await signInButton(page).click();
    await page.getByRole('heading', { level: 1, name: '工作台', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/?$/);
    await page.getByText('张承办').waitFor();
  });

  it('shows an org handler their open tickets by deadline with the time left, their unit’s month, and a notification as it arrives', async () => {
    const page = await signedIn('handler.a');
    const table = page.locator('.ant-table-tbody');
    await table.locator('tr.ant-table-row').first().waitFor();
    // All three of the org's tickets, the most urgent first; each with its status in words and the time left.
    expect((await receiptsShown(page)).sort()).toEqual(ticketsA.map((t) => t.receiptNo).sort());
    await expect(table.getByText('超期', { exact: true }).count()).resolves.toBeGreaterThan(0);
    await expect(table.getByText(/已超期 \d+ (个工作日|小时)/).count()).resolves.toBeGreaterThan(0);
    const firstStatus = await table.locator('tr.ant-table-row').first().locator('.ant-tag').textContent();
    expect(firstStatus).toBe('超期');

    // The unit's figures this month (GET /api/v1/workbench).
    await page.getByRole('heading', { name: /锦江区行政审批局 · 2026-11/ }).waitFor();
    for (const title of ['好评率', '差评数', '差评回复率', '超期回复']) await page.getByText(title, { exact: true }).waitFor();

    // A new 差评 for the org: its notification arrives on the open page, no reload, and the bell counts it.
    const bell = page.getByRole('link', { name: /^通知 \d+$/ });
    await bell.waitFor();
    const before = Number((await bell.getAttribute('aria-label'))?.split(' ')[1]);
    const notes = page.locator('[data-notification]');
    const notesBefore = await notes.count();
    const [fresh] = await rate(itemA, '510104', [2]);
    if (!fresh) throw new Error('no ticket opened');
    ticketsA.push(fresh);
    await page.getByRole('link', { name: `通知 ${before + 1}` }).waitFor({ timeout: 15_000 });
    await expect.poll(() => notes.count(), { timeout: 15_000 }).toBe(Math.min(notesBefore + 1, 10));
    // Its ticket joins the list too, without a reload.
    await expect.poll(() => receiptsShown(page), { timeout: 15_000 }).toContain(fresh.receiptNo);
    const newest = notes.first();
    await expect(newest.textContent()).resolves.toContain('未读');
    await shot(page, 'console-home');
    await accessible(page);

    // Marked read: the bell counts one less, told by the stream.
    await newest.getByRole('button', { name: /标为已读/ }).click();
    await page.getByRole('link', { name: `通知 ${before}` }).waitFor({ timeout: 15_000 });
    await expect(newest.getByRole('button').count()).resolves.toBe(0);
    const unread = await db().selectFrom('notification').select((eb) => eb.fn.countAll<string>().as('n')).where('account_id', '=', accountIds['handler.a'] ?? '').where('read_at', 'is', null).executeTakeFirstOrThrow();
    expect(Number(unread.n)).toBe(before);
  });

  it('speaks English alone once switched, and Chinese again when switched back', async () => {
    const page = await signedIn('handler.a');
    await page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home', exact: true }).waitFor();
    await page.getByText('My open tickets, by deadline').waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    // Nothing Chinese but data (names of units, services, windows, people) and the switch back.
    const data = [orgA.name, '锦江区', itemA.name, windowA.name, '张承办', '中文'];
    let text = await page.locator('body').innerText();
    for (const value of data) text = text.split(value).join('');
    expect(text.match(new RegExp(`.{0,20}${CJK.source}.{0,20}`, 'g')) ?? []).toEqual([]);
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { level: 1, name: '工作台', exact: true }).waitFor();
  });

  it('keeps a county supervisor to their county: none of another county’s tickets listed, and its ticket page is not found', async () => {
    const page = await signedIn('sup.qingyang');
    await page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    expect(await receiptsShown(page)).toEqual([ticketB.receiptNo]);
    await page.goto(`${base}/console/supervision?queue=overdue`);
    await page.getByRole('heading', { level: 1, name: '督办审批', exact: true }).waitFor();
    await page.getByRole('tabpanel').locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    expect(await receiptsShown(page)).toEqual([ticketB.receiptNo]);
    const [other] = ticketsA;
    await page.goto(`${base}/console/tickets/${other?.id ?? ''}`);
    await page.getByText(/工单不存在|页面不存在/).first().waitFor();
    await expect(page.getByText(other?.receiptNo ?? '-').count()).resolves.toBe(0);
  });

  it('lists a pending extension request in the supervisor’s queue, each row linking to its ticket', async () => {
    const page = await signedIn('sup.jinjiang');
    await page.getByRole('link', { name: '督办审批' }).click();
    await page.getByRole('heading', { level: 1, name: '督办审批', exact: true }).waitFor();
    await page.getByRole('tab', { name: /延期申请（1）/ }).click();
    const active = page.getByRole('tabpanel');
    await active.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    expect(await active.locator('.ant-table-tbody a').allTextContents()).toEqual([expect.stringContaining(extending.receiptNo)]);
    await expect(active.getByRole('link', { name: new RegExp(extending.receiptNo) }).getAttribute('href')).resolves.toBe(`/console/tickets/${extending.id}`);
    // The other queues: nothing to decide there.
    await expect(page.getByRole('tab', { name: /申诉待审（0）/ }).count()).resolves.toBe(1);
    await shot(page, 'console-supervision');
    await accessible(page);
    await page.getByRole('tab', { name: '问责清单' }).click();
    await page.getByText('尚无通报').waitFor();
    await accessible(page);
  });

  it('records an inspection on an upright tablet by touch, and lists it', async () => {
    const page = await signedIn('sup.jinjiang', TABLET, { touch: true });
    await page.goto(`${base}/console/inspections`);
    await page.getByRole('heading', { level: 1, name: '调查暗访', exact: true }).waitFor();
    await page.getByText('尚无暗访记录').waitFor();
    await accessible(page);
    await page.getByRole('button', { name: /录入暗访/ }).tap();
    await page.getByRole('heading', { level: 1, name: '录入调查暗访', exact: true }).waitFor();

    await page.getByRole('combobox', { name: '检查表' }).click();
    await option(page, '大厅窗口服务检查表').tap();
    await page.getByRole('combobox', { name: '被检查单位' }).fill('锦江');
    await option(page, orgA.name).tap();
    await page.getByRole('combobox', { name: '窗口' }).click();
    await option(page, windowA.name).tap();
    await page.locator('label').filter({ hasText: '暗访（扮作办事群众）' }).tap();

    const items = page.locator('.hcp-check-item');
    await expect(items.count()).resolves.toBe(3);
    // Saving with an item unscored is refused on the form.
    await page.getByRole('button', { name: '提交暗访记录' }).tap();
    await page.getByText('请为此项评分').first().waitFor();
    // Each choice large enough for a finger.
    const choice = await items.nth(0).locator('.ant-radio-button-wrapper').first().boundingBox();
    expect(choice?.height ?? 0).toBeGreaterThanOrEqual(48);
    expect(choice?.width ?? 0).toBeGreaterThanOrEqual(96);
    await items.nth(0).getByText(/^符合/).tap();
    await items.nth(1).getByText(/^部分符合/).tap();
    await items.nth(1).getByRole('textbox').fill('咨询时未一次性告知所需材料');
    await items.nth(2).getByText(/^不符合/).tap();
    // 10 + 10 of 40.
    await page.getByText('当前得分 50.00 / 100').waitFor();
    await page.getByRole('combobox', { name: '窗口' }).scrollIntoViewIfNeeded();
    await shot(page, 'console-inspection');
    await accessible(page);
    const submit = await page.getByRole('button', { name: '提交暗访记录' }).boundingBox();
    expect(submit?.height ?? 0).toBeGreaterThanOrEqual(48);
    await page.getByRole('button', { name: '提交暗访记录' }).tap();

    await page.getByRole('heading', { level: 1, name: '调查暗访', exact: true }).waitFor();
    const row = page.locator('.ant-table-tbody tr.ant-table-row').first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(orgA.name);
    await expect(row.textContent()).resolves.toContain('50.00');
    await shot(page, 'console-inspections');
    const stored = await db().selectFrom('inspection').select(['org_id', 'method', 'score_points']).execute();
    expect(stored).toEqual([{ org_id: orgA.id, method: 'mystery_shopper', score_points: 5000 }]);
  });

  it('opens the password page for a signed-in member; it passes axe', async () => {
    const page = await signedIn('sup.jinjiang');
    await page.goto(`${base}/console/password`);
    await page.getByRole('heading', { level: 1, name: '修改密码', exact: true }).waitFor();
    await accessible(page);
  });

  it('makes an account with a generated password change it first, and nothing else opens until then', async () => {
    const page = await newPage();
    await signIn(page, 'new.handler');
    await page.getByRole('heading', { level: 1, name: '修改密码', exact: true }).waitFor();
    await page.getByText('首次登录须修改系统生成的初始密码').waitFor();
    await shot(page, 'console-password');
    await accessible(page);
    // Any other page sends back here.
    await page.goto(`${base}/console/`);
    await page.getByRole('heading', { level: 1, name: '修改密码', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/password');
    await page.getByLabel('当前密码').fill(PASSWORD);
    await page.getByLabel('新密码', { exact: true }).fill('a-better-password-2026');
    await page.getByLabel('再次输入新密码').fill('a-better-password-2026');
    await page.getByRole('button', { name: /保存新密码/ }).click();
    await page.getByRole('heading', { level: 1, name: '工作台', exact: true }).waitFor();
    const stored = await db().selectFrom('staff_account').select('must_change_password').where('username', '=', 'new.handler').executeTakeFirstOrThrow();
    expect(stored.must_change_password).toBe(false);
  });

  it('signs out to the sign-in page, which says so', async () => {
    const page = await signedIn('sup.jinjiang');
    await page.getByRole('button', { name: /李督查/ }).click();
    await page.getByRole('menuitem', { name: /退出登录/ }).click();
    await page.getByText('已退出登录').waitFor();
    await signInButton(page).waitFor();
    // The session is gone on the server too: the home page sends back to sign-in.
    await page.goto(`${base}/console/`);
    await signInButton(page).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });

  it('sends a member whose session has expired to the sign-in page with the reason', async () => {
    const page = await signedIn('sup.jinjiang');
    await db().updateTable('staff_session').set({ expires_at: new Date(clock().getTime() - 1000) }).where('account_id', '=', accountIds['sup.jinjiang'] ?? '').execute();
    await page.getByRole('link', { name: '督办审批' }).click();
    await page.getByText('登录已过期，请重新登录').waitFor({ timeout: 15_000 });
    await signInButton(page).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/supervision');
  });
});
