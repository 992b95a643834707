// The window evaluator in a real browser (Debian's Chromium through playwright-core) against the
// real system on PGlite: set up by its link, idle, a case completed at its window brings up the
// rating screen at once, a rating is thanked and the screen resets; then the network is cut — the
// rating waits on the device (through a reload, too) and is stored exactly once when the network
// returns, also when the answer to a delivered rating was lost on the way back.
//
// Screenshots (idle and rating, landscape and portrait) are written to docs/screenshots/ only
// when asked: HCP_SCREENSHOTS=1 npx vitest run src/kiosk/kiosk.browser.test.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import type { StaffCaller } from '../http/caller.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeWindow } from '../../test/factories.ts';
import { decodeQrPng } from '../posters/testing.ts';
import { registerDevice } from './devices.ts';
import { TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const TAKE_SHOTS = TAKE_SCREENSHOTS;
const NOW = '2026-11-20T02:00:00.000Z'; // 10:00 Beijing
const ADMIN: StaffCaller = { kind: 'staff', accountId: 'a', username: 'admin', role: 'province_admin', regionPath: '510000/', orgId: null };

describe.skipIf(missingTool('chromium'))('window evaluator in Chromium', () => {
  const clock = testClock(NOW);
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let item: { task_code: string; name: string };
  let windowRow: { id: string; code: string; name: string };
  let setupUrl: string;
  let minute = 10;

  const db = () => database.db;

  /**
   * A case completed at the evaluator's window half a minute ago, through the real case
   * registration. The server's clock and the browser's (which dates each rating) move together:
   * a device is pushed only fresh completions, and its rating must be made within minutes.
   */
  async function completeCase(): Promise<string> {
    minute += 1;
    clock.set(`2026-11-20T02:${minute}:30.000Z`);
    await context.clock.setFixedTime(clock());
    return makeCompletedCase(db(), config, item, `2026-11-20 10:${minute}:00`, { windowCode: windowRow.code });
  }

  const evaluationsOf = (projectNo: string) =>
    db().selectFrom('evaluation').select(['level', 'channel', 'indicator_codes', 'client_id', 'receipt_no', 'is_anonymous', 'rater_masked']).where('project_no', '=', projectNo).execute();

  async function shot(target: Page, name: string) {
    if (!TAKE_SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await target.screenshot({ path: `${SHOTS}${name}.png`, scale: 'css' });
  }

  const ratingScreen = () => page.getByText('请对本次服务进行评价').waitFor();
  const idleScreen = () => page.getByText('请为本窗口服务评价').waitFor({ timeout: 15_000 });
  const waiting = () => page.locator('#net');
  /** The rater is done with the receipt: back to the idle screen. */
  const finish = async () => {
    await page.getByRole('button', { name: '完成' }).click();
    await idleScreen();
  };
  /** The receipt shown after a rating: its number, and its QR code read back from the screen. */
  async function shownReceipt(): Promise<{ number: string; qr: string | null }> {
    await page.locator('#receipt').waitFor();
    const number = (await page.locator('#receipt').textContent()) ?? '';
    // All of it on the one screen, the 完成 button too.
    const done = await page.getByRole('button', { name: /^(完成|Done)$/ }).boundingBox();
    expect((done?.y ?? 0) + (done?.height ?? 0)).toBeLessThanOrEqual(page.viewportSize()?.height ?? 0);
    const image = page.locator('.receipt-qr img');
    await image.evaluate((img: HTMLImageElement) => (img.complete ? undefined : new Promise((resolve) => img.addEventListener('load', resolve))));
    return { number, qr: decodeQrPng(await image.screenshot({ type: 'png' })) };
  }

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const org = await makeOrg(db(), { name: '锦江区政务服务中心' });
    item = await makeItem(db(), org);
    windowRow = await makeWindow(db(), org);
    const device = await registerDevice(db(), ADMIN, { windowId: windowRow.id, kind: 'evaluator', name: '评价器' }, clock());
    setupUrl = `${base}/kiosk#device=${device.credential}`;
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', hasTouch: true });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('before it is set up, says it is not set up (未配置), not offline', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const unset = await fresh.newPage();
    await unset.goto(`${base}/kiosk`);
    await unset.getByRole('heading', { name: '设备设置' }).waitFor();
    await expect(unset.locator('#net').textContent()).resolves.toBe('● 未配置');
    await expect(unset.getByText('离线').count()).resolves.toBe(0);
    await shot(unset, 'kiosk-setup');
    await unset.getByRole('button', { name: 'English' }).click();
    await unset.getByRole('heading', { name: 'Device setup' }).waitFor();
    await expect(unset.locator('#net').textContent()).resolves.toBe('● Not set up');
    await fresh.close();
  });

  it('is set up by its link, which leaves the address bar, and waits on an idle screen under a strict CSP', async () => {
    const response = await page.goto(setupUrl);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await idleScreen();
    await page.getByText(windowRow.name).waitFor();
    expect(page.url()).toBe(`${base}/kiosk`);
    await expect(page.evaluate(() => localStorage.getItem('hcp.kiosk.device'))).resolves.toMatch(/^[0-9a-f-]{36}\./);
    await expect(waiting().isVisible()).resolves.toBe(false);
    await shot(page, 'kiosk-idle');
  });

  it('shows the rating screen as soon as a case is completed at its window, thanks the rater and resets', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.getByText(item.name).waitFor();
    const best = page.locator('button.level-5');
    // Five choices, each large enough for any finger, all on one screen.
    await expect(page.locator('button.level').count()).resolves.toBe(5);
    const box = await best.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(96);
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(96);
    await shot(page, 'kiosk-rate');
    await best.click();
    await page.getByText('感谢您的评价！').waitFor();
    // The receipt stays on screen, its number and the QR code of its page, to be photographed.
    const receipt = await shownReceipt();
    const [stored] = await evaluationsOf(projectNo);
    expect(stored).toMatchObject({ level: 5, channel: 'hall_tablet', indicator_codes: [], is_anonymous: true, receipt_no: receipt.number });
    expect(receipt.qr).toBe(`${config.http.publicBaseUrl}/r/${receipt.number}`);
    // Through the device's own link, dated by the device.
    const proof = await db().selectFrom('rating_proof as p').innerJoin('evaluation as e', 'e.id', 'p.evaluation_id').select(['p.proof', 'p.made_at']).where('e.receipt_no', '=', receipt.number).executeTakeFirstOrThrow();
    expect(proof).toEqual({ proof: 'device', made_at: clock() });
    await finish();
  });

  it('speaks one language at a time: English by the switch, Chinese again for the next rater', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Please rate this service' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    const names = await page.locator('button.level').allTextContents();
    expect(names).toEqual(['Very satisfied', 'Satisfied', 'Basically satisfied', 'Dissatisfied', 'Very dissatisfied']);
    // No Chinese on screen but the names of the service and the window, which are data, and the switch back.
    await expect(page.locator('#lang').textContent()).resolves.toBe('中文');
    const text = (await page.locator('main').innerText()).replace(item.name, '').replace(windowRow.name, '').replace('中文', '');
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    await shot(page, 'kiosk-english');
    await page.getByRole('button', { name: 'Satisfied', exact: true }).click();
    await page.getByText('Thank you for your rating!').waitFor();
    await page.locator('#receipt').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await idleScreen();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-CN');
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 4 })]);
  });

  it('asks what went wrong for a 差评, then offers an optional phone so that the answer can reach the rater', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.locator('button.level-2').click();
    // The window's stage was served at a hall window: the offline reasons.
    await page.getByRole('button', { name: '服务态度差' }).waitFor();
    await expect(page.getByRole('button', { name: '平台操作困难' }).count()).resolves.toBe(0);
    const next = page.getByRole('button', { name: '下一步' });
    await expect(next.isDisabled()).resolves.toBe(true);
    const first = page.getByRole('button', { name: '服务态度差' });
    await first.click();
    await expect(first.getAttribute('aria-pressed')).resolves.toBe('true');
    await next.click();
    await page.getByRole('heading', { name: '是否留下手机号？' }).waitFor();
    await expect(page.getByText('办理单位的答复会以短信发给您').isVisible()).resolves.toBe(true);
    const field = page.getByLabel('手机号（选填，用于接收答复）');
    await expect(field.getAttribute('inputmode')).resolves.toBe('numeric');
    // Typed on the on-screen pad, large enough for any finger; a wrong number is said, not sent.
    const pad = page.getByRole('group', { name: '数字键盘' });
    const key = await pad.getByRole('button', { name: '5', exact: true }).boundingBox();
    expect(key?.height ?? 0).toBeGreaterThanOrEqual(72);
    for (const digit of '1381234') await pad.getByRole('button', { name: digit, exact: true }).click();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('手机号或电话号码格式不正确').waitFor();
    for (const digit of '5678') await pad.getByRole('button', { name: digit, exact: true }).click();
    await expect(field.inputValue()).resolves.toBe('13812345678');
    await shot(page, 'kiosk-contact');
    await page.getByRole('button', { name: '提交评价' }).click();
    const receipt = await shownReceipt();
    const [stored] = await evaluationsOf(projectNo);
    expect(stored).toMatchObject({ level: 2, channel: 'hall_tablet', indicator_codes: ['507'], is_anonymous: false, receipt_no: receipt.number });
    expect(JSON.stringify(stored?.rater_masked)).toContain('138****5678');
    expect(receipt.qr).toBe(`${config.http.publicBaseUrl}/r/${receipt.number}`);
    await finish();
  });

  it('takes a 差评 without a phone as anonymous, and says the receipt is the only way to the answer', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.locator('button.level-1').click();
    await page.getByRole('button', { name: '服务效率低、等候时间长' }).click();
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('button', { name: '不留号码，提交评价' }).click();
    const receipt = await shownReceipt();
    await expect(page.getByText('办理单位的答复只能凭这个回执号查看').isVisible()).resolves.toBe(true);
    await shot(page, 'kiosk-receipt');
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 1, is_anonymous: true, rater_masked: null, receipt_no: receipt.number })]);
    await finish();
  });

  it('keeps a rating made offline on the device and delivers it once when the network returns', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await context.setOffline(true);
    await page.locator('button.level-4').click();
    await page.getByText(/评价已保存在本机/).waitFor();
    await expect(page.getByText('本次无法显示回执号').isVisible()).resolves.toBe(true);
    await expect(waiting().textContent()).resolves.toMatch(/离线.*待提交 1/);
    expect(await evaluationsOf(projectNo)).toEqual([]);
    await context.setOffline(false);
    await waiting().waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 4, channel: 'hall_tablet' })]);
    // The reconnected stream offers that stage again while it was unrated; the device does not show it twice.
    await finish();
  });

  it('keeps the queue through a reload of the page', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.route('**/api/v1/kiosk/ratings/**', (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()));
    await page.locator('button.level-3').click();
    await page.getByText(/评价已保存在本机/).waitFor();
    await page.reload();
    await idleScreen();
    await expect(waiting().textContent()).resolves.toMatch(/待提交 1/);
    expect(await evaluationsOf(projectNo)).toEqual([]);
    await page.unroute('**/api/v1/kiosk/ratings/**');
    await waiting().waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 3 })]);
  });

  it('stores a rating once when the answer to its delivery was lost: the retry gets "duplicate"', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    const answered: number[] = [];
    await page.route('**/api/v1/kiosk/ratings/**', async (route) => {
      if (route.request().method() !== 'POST' || answered.length > 0) return route.continue();
      // The server takes the rating, and the answer never reaches the device.
      const response = await route.fetch();
      answered.push(response.status());
      return route.abort('connectionreset');
    });
    const retried = page.waitForResponse((r) => r.url().includes('/api/v1/kiosk/ratings/') && r.request().method() === 'POST', { timeout: 30_000 });
    await page.locator('button.level-5').click();
    const retry = await retried;
    expect(answered).toEqual([201]);
    expect(retry.status()).toBe(201);
    await expect(retry.json()).resolves.toMatchObject({ status: 'duplicate' });
    await waiting().waitFor({ state: 'hidden', timeout: 30_000 });
    const stored = await evaluationsOf(projectNo);
    expect(stored).toHaveLength(1);
    await page.unroute('**/api/v1/kiosk/ratings/**');
  });

  it('fits an upright terminal: the five choices one above another', async () => {
    const upright = await context.newPage();
    await upright.setViewportSize({ width: 800, height: 1280 });
    await upright.goto(`${base}/kiosk`);
    await upright.getByText('请为本窗口服务评价').waitFor();
    await shot(upright, 'kiosk-idle-portrait');
    await completeCase();
    await upright.getByText('请对本次服务进行评价').waitFor();
    const boxes = await upright.locator('button.level').evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().toJSON() as DOMRect));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]?.y ?? 0).toBeGreaterThan(boxes[i - 1]?.y ?? 0);
    for (const box of boxes) expect(box.y + box.height).toBeLessThanOrEqual(1280);
    await shot(upright, 'kiosk-rate-portrait');
    await upright.close();
  });
});
