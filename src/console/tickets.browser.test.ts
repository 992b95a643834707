// The console's ticket desk in a real browser (Debian's Chromium through playwright-core) against
// the real system on PGlite, signed in through the console's own sign-in page: a handler finds a
// 差评 and works it through to the answer the rater reads on the receipt page; a supervisor grants
// an extension and upholds an appeal; two people acting on one version; everything by keyboard
// alone; axe on both pages at a laptop's and a tablet's size; English without Chinese labels.
//
// Screenshots are written to docs/screenshots/ only when asked:
//   HCP_SCREENSHOTS=1 npx vitest run src/console/tickets.browser.test.ts
import ExcelJS from 'exceljs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { seedPlaces } from '../auth/testing.ts';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import type { Database } from '../db/database.ts';
import type { StaffCaller } from '../http/caller.ts';
import { startSystem, type System } from '../system.ts';
import { takeStep, type TicketDeps } from '../tickets/commands.ts';
import type { StepInput } from '../tickets/step-rules.ts';
import { beijingTime } from '../../console/src/i18n/format.ts';
import { seriousViolations } from '../../test/axe.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { ensureConsoleBuilt } from '../../test/console-build.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, makeStaff, makeWindow, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { screenshotBrowserEnv, TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

const PASSWORD = 'correct horse battery';
const LAPTOP = { width: 1366, height: 768 };
const TABLET = { width: 768, height: 1024 };
const DAY_MS = 86_400_000;
const POLL = { timeout: 15_000 };
// A browser on a machine shared with other work: the slowest step is axe on a full page.
const TEST_TIMEOUT = 240_000;
// A 1×1 PNG: evidence recognised by its first bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const CJK = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+/g;

type TicketRow = { id: string; receipt_no: string; state: string; version: number; reply_due_at: Date };

describe.skipIf(missingTool('chromium'))('ticket desk in Chromium', () => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_IP: '10000', RATE_LIMIT_SUBMIT_PER_IP: '1000' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;
  let deps: TicketDeps;
  let integrator: TestIntegrator;
  let org: { id: string; name: string; region_code: string };
  let item: { task_code: string; name: string };
  let windowRow: { code: string; name: string };
  let staffRow: { staff_no: string; name: string };
  let handler: StaffCaller;
  let serial = 0;
  const db = () => database.db;

  /** A 差评 through the real intake; its ticket. */
  async function badRating(comment: string, rater: { name: string; phone: string } | null = null): Promise<TicketRow> {
    serial += 1;
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00', { windowCode: windowRow.code, staffNo: staffRow.staff_no });
    const body = { projectNo, level: 2, indicators: ['505'], channel: 'mobile', comment, assessedAt: `2026-11-20 09:${String(Math.floor(serial / 60)).padStart(2, '0')}:${String(serial % 60).padStart(2, '0')}`, ...(rater ? { anonymous: false, rater } : { anonymous: true }) };
    const rated = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', body);
    expect(rated.statusCode, rated.body).toBe(201);
    return ticketOf(rated.json().evaluation.id as string, 'evaluation_id');
  }

  const ticketOf = (value: string, column: 'id' | 'evaluation_id' = 'id'): Promise<TicketRow> =>
    db().selectFrom('ticket').select(['id', 'receipt_no', 'state', 'version', 'reply_due_at']).where(column, '=', value).executeTakeFirstOrThrow();

  /** Steps taken by the org's handler through the command (the set-up of a test, not what it tests). */
  async function steps(ticket: TicketRow, inputs: StepInput[]): Promise<TicketRow> {
    for (const input of inputs) await takeStep(deps, handler, { ticketId: ticket.id, input, version: null, note: null, attachments: [] });
    return ticketOf(ticket.id);
  }

  async function signIn(username: string, viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(/\/console\/?$/);
    return { context, page };
  }

  async function openTicket(page: Page, ticket: TicketRow) {
    await page.goto(`${base}/console/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: `差评工单 ${ticket.receipt_no}` }).waitFor();
  }

  const stepForm = (page: Page, name: string) => page.getByRole('form', { name });
  const chooseStep = async (page: Page, name: string) => {
    await page.getByRole('radiogroup', { name: '选择办理事项' }).getByText(name, { exact: true }).click();
    await stepForm(page, name).waitFor();
  };
  const doneMessage = (page: Page, step: string) => page.getByText(`已提交：${step}`).last().waitFor();

  async function attach(page: Page, form: Locator, name: string) {
    const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/v1/evidence') && r.request().method() === 'POST');
    await form.locator('input[type=file]').setInputFiles({ name, mimeType: 'image/png', buffer: PNG });
    expect((await uploaded).status()).toBe(201);
    const listed = form.locator('.ant-upload-list-item').filter({ hasText: name });
    await listed.waitFor();
    await expect(listed.getAttribute('class')).resolves.toContain('ant-upload-list-item-done');
  }

  /** Tab until `target` has the focus: reachable by keyboard, in a sensible number of steps. */
  async function tabTo(page: Page, target: Locator, max = 60) {
    await target.waitFor({ state: 'attached' });
    const seen: string[] = [];
    for (let i = 0; i < max; i++) {
      if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))) return;
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => `${document.activeElement?.tagName ?? ''}.${document.activeElement?.className ?? ''} ${document.activeElement?.textContent?.slice(0, 20) ?? ''}`));
    }
    throw new Error(`not reached by Tab: ${target.toString()} after ${seen.join(' | ')}`);
  }

  /** axe's serious and critical findings: none allowed. */
  const axeProblems = (page: Page) => seriousViolations(page);

  const shot = async (page: Page, name: string) => {
    if (TAKE_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], ...(TAKE_SCREENSHOTS ? { env: screenshotBrowserEnv() } : {}) });
    await seedPlaces(db());
    org = await makeOrg(db(), { name: '锦江区政务服务中心', regionCode: '510104' });
    item = await makeItem(db(), org);
    const win = await makeWindow(db(), org);
    windowRow = win;
    staffRow = await makeStaff(db(), org, win);
    integrator = await makeIntegrator(db(), config);
    deps = { db: db(), config, clock, calendar: chinaCalendar() };
    const accounts = [
      ['handler', '王办理', 'org_handler', { scopeOrgId: org.id }],
      ['handler2', '李办理', 'org_handler', { scopeOrgId: org.id }],
      ['supervisor', '赵督查', 'supervisor', { scopeRegionCode: '510104' }],
    ] as const;
    for (const [username, displayName, role, scope] of accounts) {
      const account = await createStaffAccount(db(), { username, password: PASSWORD, displayName, role, ...scope }, clock());
      if (username === 'handler') handler = { kind: 'staff', accountId: account.id, username, role, regionPath: null, orgId: org.id };
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('a handler finds the 差评 in the list, accepts, verifies and answers with evidence; the rater reads the answer on the receipt page', async () => {
    const ticket = await badRating('窗口人员态度冷淡，让我来回跑了三趟。');
    const { context, page } = await signIn('handler');
    await page.getByRole('link', { name: '差评工单' }).click();
    await page.getByRole('heading', { name: '差评工单', level: 1 }).waitFor();
    // Filtered by words of the comment, kept in the address bar.
    const search = page.getByLabel('评价内容');
    await search.fill('来回跑');
    await search.press('Enter');
    await page.waitForURL(/q=/);
    const row = page.getByRole('row').filter({ hasText: ticket.receipt_no });
    await row.waitFor();
    await expect(page.getByRole('row').count()).resolves.toBe(2);
    const rowText = await row.innerText();
    for (const text of ['不满意', '窗口人员态度冷淡', '待签收', org.name, item.name]) expect(rowText, text).toContain(text);
    await expect(row.locator('.hcp-deadline').textContent()).resolves.toMatch(/核实 · (剩余 \d+ 个工作日|今日到期)核实期限 2026-/);
    // The urgency is said in words beside its colour.
    await expect(row.locator('.hcp-tone').first().textContent()).resolves.toMatch(/^(正常|临期|超期)$/);
    // Counted per state, for the same filter.
    await page.getByRole('radio', { name: '待签收 (1)' }).waitFor({ state: 'attached' });
    // The workbook of the same filter: this one ticket, masked, with Chinese headers.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/^差评工单-\d{12}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await saved.path());
    const sheet = workbook.getWorksheet('差评工单');
    expect(sheet?.rowCount).toBe(2);
    expect(String(sheet?.getRow(1).getCell(1).value)).toBe('回执号');
    expect(String(sheet?.getRow(2).getCell(1).value)).toBe(ticket.receipt_no);

    await row.getByRole('link', { name: ticket.receipt_no }).click();
    await page.getByRole('heading', { name: `差评工单 ${ticket.receipt_no}` }).waitFor();
    for (const text of ['窗口人员态度冷淡，让我来回跑了三趟。', item.name, windowRow.name, staffRow.name, '移动服务端', '2026-11-20 09:', '匿名评价']) {
      await expect(page.getByText(text).first().isVisible(), text).resolves.toBe(true);
    }

    await stepForm(page, '签收').getByRole('button', { name: '签收工单' }).click();
    await doneMessage(page, '签收');
    const verify = stepForm(page, '核实');
    await verify.getByLabel('核实情况').fill('经调取监控核实，窗口人员未一次性告知所需材料。');
    // A file that is not what it says is refused, in words, with the server's reason.
    await verify.locator('input[type=file]').setInputFiles({ name: '伪装.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await expect(verify.getByRole('alert').textContent()).resolves.toMatch(/伪装\.png 上传失败：.*（EVIDENCE_TYPE_(MISMATCH|UNSUPPORTED)）/);
    await attach(page, verify, '监控截图.png');
    await verify.getByRole('button', { name: '提交核实结果' }).click();
    await doneMessage(page, '核实');

    const reply = stepForm(page, '答复');
    const answer = '经核实，已对窗口人员批评教育，并推行一次性告知清单。';
    await reply.getByLabel('答复内容（发送给评价人）').fill(answer);
    // The SMS preview follows the typing, from the server's one template.
    await expect.poll(() => page.getByTestId('sms-preview').textContent(), { timeout: 10_000 }).toContain(answer);
    await reply.getByLabel('整改措施（内部记录，选填）').fill('制定一次性告知清单并张贴于窗口。');
    await attach(page, reply, '整改现场.png');
    await reply.getByRole('button', { name: '发送答复' }).click();
    await doneMessage(page, '答复');
    await page.locator('.hcp-page-head').getByText('已答复待回访').waitFor();

    // The history: every step, by whom, with the evidence readable through the ticket.
    const history = page.getByRole('region', { name: '办理记录' });
    for (const text of ['签收', '核实完成', '答复评价人', '王办理（承办单位）', answer, '制定一次性告知清单并张贴于窗口。']) {
      await expect(history.getByText(text).first().isVisible(), text).resolves.toBe(true);
    }
    const evidence = history.getByRole('link', { name: '整改现场.png' });
    const href = await evidence.getAttribute('href');
    expect(href).toMatch(new RegExp(`^/api/v1/tickets/${ticket.id}/evidence/[0-9a-f]{64}$`));
    const file = await page.request.get(`${base}${href ?? ''}`);
    expect(file.status()).toBe(200);
    expect(Buffer.from(await file.body()).equals(PNG)).toBe(true);
    expect((await ticketOf(ticket.id)).state).toBe('replied');

    // The rater's receipt page shows the answer.
    await page.goto(`${base}/r/${ticket.receipt_no}`);
    await expect(page.getByText(answer).isVisible()).resolves.toBe(true);
    await context.close();
  }, TEST_TIMEOUT);

  it('a supervisor grants an extension and the reply deadline moves on the detail page', async () => {
    const ticket = await steps(await badRating('办理时间过长。'), [{ step: 'accept' }, { step: 'verified' }, { step: 'request_extension', days: 5, reason: '需与市级部门协调数据共享' }]);
    const { context, page } = await signIn('supervisor');
    await openTicket(page, ticket);
    const replyLine = page.getByTestId('deadlines').locator('li').filter({ hasText: '答复' });
    await expect(replyLine.textContent()).resolves.toContain(beijingTime(ticket.reply_due_at.toISOString()));
    const form = stepForm(page, '延期审批');
    await expect(form.getByText('申请延期 5 天：需与市级部门协调数据共享').isVisible()).resolves.toBe(true);
    await form.getByRole('radio', { name: '同意', exact: true }).check();
    await form.getByLabel('审批意见（选填）').fill('同意延期');
    await form.getByRole('button', { name: '提交决定' }).click();
    await doneMessage(page, '延期审批');
    const moved = beijingTime(new Date(ticket.reply_due_at.getTime() + 5 * DAY_MS).toISOString());
    await expect.poll(() => replyLine.textContent(), POLL).toContain(moved);
    await expect(page.getByText('延期：已批准，5 天').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('region', { name: '办理记录' }).getByText('赵督查（监督人员）').isVisible()).resolves.toBe(true);
    expect((await ticketOf(ticket.id)).reply_due_at.getTime()).toBe(ticket.reply_due_at.getTime() + 5 * DAY_MS);
    await context.close();
  }, TEST_TIMEOUT);

  it('a supervisor upholds an appeal and the rating leaves the figures', async () => {
    const ticket = await steps(await badRating('随便评的差评。'), [{ step: 'accept' }, { step: 'judge_invalid', kind: 'mistaken', reason: '评价人当场表示误点了不满意' }]);
    const { context, page } = await signIn('supervisor');
    const figures = async () => {
      const response = await page.request.get(`${base}/api/v1/stats/tickets?from=2026-11-20&to=2026-11-20&groupBy=org`);
      expect(response.status()).toBe(200);
      const groups = (await response.json()).groups as Array<{ key: string; bad: number; appealsUpheld: number }>;
      return groups.find((group) => group.key === org.id) ?? { bad: 0, appealsUpheld: 0 };
    };
    const before = await figures();
    await openTicket(page, ticket);
    const form = stepForm(page, '申诉复核');
    await expect(form.getByText('申诉（误评）：评价人当场表示误点了不满意').isVisible()).resolves.toBe(true);
    await form.getByRole('radio', { name: '申诉成立' }).check();
    await form.getByRole('button', { name: '提交决定' }).click();
    await doneMessage(page, '申诉复核');
    await page.locator('.hcp-page-head').getByText('申诉成立').waitFor();
    await expect(page.getByText('当前没有需要您办理的步骤').isVisible()).resolves.toBe(true);
    const after = await figures();
    expect(after.bad).toBe(before.bad - 1);
    expect(after.appealsUpheld).toBe(before.appealsUpheld + 1);
    await context.close();
  }, TEST_TIMEOUT);

  it('two people on one version: the second is told, sees the fresh ticket, and keeps what they typed', async () => {
    const ticket = await steps(await badRating('材料被退回三次。'), [{ step: 'accept' }, { step: 'verified' }]);
    const first = await signIn('handler');
    const second = await signIn('handler2');
    await openTicket(first.page, ticket);
    await openTicket(second.page, ticket);
    // The second starts typing an answer …
    const typed = '已安排专人一次性告知所需材料，并向您致歉。';
    await stepForm(second.page, '答复').getByLabel('答复内容（发送给评价人）').fill(typed);
    // … while the first asks for an extension.
    await chooseStep(first.page, '申请延期');
    const ask = stepForm(first.page, '申请延期');
    await ask.getByLabel('延期天数（自然日）').fill('3');
    await ask.getByLabel('延期理由').fill('需补充调取窗口录像');
    await ask.getByRole('button', { name: '提交延期申请' }).click();
    await doneMessage(first.page, '申请延期');

    await stepForm(second.page, '答复').getByRole('button', { name: '发送答复' }).click();
    const alert = second.page.getByRole('alert').filter({ hasText: '工单已被他人更新' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('您填写的内容已保留');
    // Focus goes to the message, the page shows the fresh ticket, the typing is kept.
    await expect.poll(() => second.page.evaluate(() => document.activeElement?.classList.contains('hcp-conflict')), POLL).toBe(true);
    await second.page.getByText('延期：申请中，3 天').waitFor();
    await expect(second.page.getByRole('region', { name: '办理记录' }).getByText('申请延期').first().isVisible()).resolves.toBe(true);
    await expect(stepForm(second.page, '答复').getByLabel('答复内容（发送给评价人）').inputValue()).resolves.toBe(typed);
    expect((await ticketOf(ticket.id)).state).toBe('rectifying');
    // Sent again, on the fresh version: it goes through.
    await stepForm(second.page, '答复').getByRole('button', { name: '发送答复' }).click();
    await doneMessage(second.page, '答复');
    expect((await ticketOf(ticket.id)).state).toBe('replied');
    await first.context.close();
    await second.context.close();
  }, TEST_TIMEOUT);

  it('works by keyboard alone: open from the list, reveal the rater, accept, verify, answer', async () => {
    const ticket = await badRating('键盘测试：等候时间太长。', { name: '张三丰', phone: '13812345678' });
    const { context, page } = await signIn('handler');
    await page.goto(`${base}/console/tickets?q=${encodeURIComponent('键盘测试')}`);
    const link = page.getByRole('link', { name: ticket.receipt_no });
    await tabTo(page, link, 120);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `差评工单 ${ticket.receipt_no}` }).waitFor();

    // The rater, masked; shown on asking with a reason.
    await expect(page.getByText('13812345678').count()).resolves.toBe(0);
    await tabTo(page, page.getByRole('button', { name: '查看评价人信息' }));
    await page.keyboard.press('Enter');
    const reason = page.getByLabel('查看理由');
    await reason.waitFor();
    await expect(reason.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.type('电话回访评价人');
    await tabTo(page, page.getByRole('button', { name: '确认查看' }));
    await page.keyboard.press('Enter');
    await page.getByText('13812345678').waitFor();
    // Logged, with who and why.
    const logged = await db().selectFrom('pii_access_log').select(['actor_role', 'purpose']).where('purpose', 'like', '%电话回访评价人%').execute();
    expect(logged).toEqual([{ actor_role: 'org_handler', purpose: expect.stringContaining(ticket.id) }]);

    await tabTo(page, page.getByRole('button', { name: '签收工单' }));
    await page.keyboard.press('Enter');
    await doneMessage(page, '签收');
    // After the step the focus is on the actions' heading, ahead of the next form.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), POLL).toBe('ticket-actions');

    await tabTo(page, page.getByLabel('核实情况'));
    await page.keyboard.type('核实属实，高峰期仅开放一个窗口。');
    await tabTo(page, page.getByRole('button', { name: '提交核实结果' }));
    await page.keyboard.press('Enter');
    await doneMessage(page, '核实');

    // The answer is the step offered first now; the others are a choice away (arrow keys).
    await tabTo(page, page.getByRole('radio', { name: '答复', exact: true }));
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('radio', { name: '申请延期', exact: true }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('form', { name: '申请延期' }).isVisible()).resolves.toBe(true);
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByRole('radio', { name: '答复', exact: true }).isChecked()).resolves.toBe(true);
    await tabTo(page, page.getByLabel('答复内容（发送给评价人）'));
    await page.keyboard.type('已增开高峰期窗口，感谢您的监督。');
    await tabTo(page, page.getByRole('button', { name: '发送答复' }));
    await page.keyboard.press('Enter');
    await doneMessage(page, '答复');
    expect((await ticketOf(ticket.id)).state).toBe('replied');
    await context.close();
  }, TEST_TIMEOUT);

  it('loads the next page by the keyset cursor, and sorts oldest first', async () => {
    const made: TicketRow[] = [];
    for (let i = 0; i < 51; i++) made.push(await badRating(`分页测试第${i + 1}条`));
    const { context, page } = await signIn('handler');
    await page.goto(`${base}/console/tickets?q=${encodeURIComponent('分页测试')}`);
    const rows = page.locator('.hcp-ticket-table tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), POLL).toBe(50);
    await page.getByText('已显示 50 条，共 51 条').waitFor();
    await page.getByRole('button', { name: '加载更多' }).click();
    await expect.poll(() => rows.count(), POLL).toBe(51);
    await page.getByText('已全部加载').waitFor();
    // Newest first by default; the oldest first on asking, kept in the address bar.
    await expect(rows.first().innerText()).resolves.toContain(made[50]?.receipt_no ?? '-');
    await page.getByRole('combobox', { name: '排序' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: '最早评价' }).click();
    await page.waitForURL(/sort=openedAt/);
    await expect.poll(() => rows.first().innerText(), POLL).toContain(made[0]?.receipt_no ?? '-');
    await page.reload();
    await expect.poll(() => rows.first().innerText(), POLL).toContain(made[0]?.receipt_no ?? '-');
    await context.close();
  }, TEST_TIMEOUT);

  it('has no serious accessibility problem on the list and the detail, at a laptop’s and a tablet’s size, and speaks English without Chinese labels', async () => {
    const ticket = await steps(await badRating('无障碍检查用的差评。'), [{ step: 'accept' }, { step: 'verified' }]);
    for (const viewport of [LAPTOP, TABLET]) {
      const { context, page } = await signIn('handler', viewport);
      await page.goto(`${base}/console/tickets`);
      await page.getByRole('row').filter({ hasText: ticket.receipt_no }).waitFor();
      expect(await axeProblems(page), `list ${viewport.width}`).toEqual([]);
      // Nothing runs off the side: the columns collapse instead.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      if (viewport === LAPTOP) await shot(page, 'console-tickets');
      await openTicket(page, ticket);
      expect(await axeProblems(page), `detail ${viewport.width}`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      if (viewport === LAPTOP) await shot(page, 'console-ticket-detail');
      await context.close();
    }

    // A supervisor's list has the region and org filters too.
    const supervisor = await signIn('supervisor');
    await supervisor.page.goto(`${base}/console/tickets?needsDecision=true`);
    await supervisor.page.getByLabel('区划').waitFor();
    await expect(supervisor.page.getByRole('radio', { name: /待审批/ }).isChecked()).resolves.toBe(true);
    expect(await axeProblems(supervisor.page)).toEqual([]);
    await supervisor.context.close();

    // English: no Chinese left but the data (names, the comment, what people wrote).
    const { context, page } = await signIn('handler');
    await page.goto(`${base}/console/tickets`);
    await page.getByRole('row').filter({ hasText: ticket.receipt_no }).waitFor();
    await page.getByRole('button', { name: '切换到英文' }).click();
    await page.getByRole('heading', { name: 'Tickets', level: 1 }).waitFor();
    const list = (await page.request.get(`${base}/api/v1/tickets?limit=200`)).json() as Promise<{ items: Array<Record<string, unknown>> }>;
    // The switch back (中文) and the signed-in name are not labels of this page.
    const data = new Set<string>(['中文', '王办理']);
    for (const entry of (await list).items) {
      for (const key of ['orgName', 'regionName', 'itemName', 'windowName', 'staffName', 'commentExcerpt']) if (typeof entry[key] === 'string') data.add(entry[key] as string);
    }
    const withoutData = (text: string) => [...data].sort((a, b) => b.length - a.length).reduce((rest, value) => rest.split(value).join(''), text);
    expect(withoutData(await page.locator('body').innerText()).match(CJK)).toBeNull();
    await page.getByRole('link', { name: ticket.receipt_no }).click();
    await page.getByRole('heading', { name: `Ticket ${ticket.receipt_no}` }).waitFor();
    for (const value of ['无障碍检查用的差评。', '王办理', '李办理', item.name, windowRow.name, staffRow.name, '锦江区政务服务中心', '锦江区', '成都市锦江区']) data.add(value);
    expect(withoutData(await page.locator('body').innerText()).match(CJK)).toBeNull();
    expect(await axeProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    await page.getByRole('heading', { name: `差评工单 ${ticket.receipt_no}` }).waitFor();
    await context.close();
  }, TEST_TIMEOUT);
});
