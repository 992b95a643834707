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
  let minute = 30;

  const db = () => database.db;

  /** A case completed at the evaluator's window a moment ago, through the real case registration. */
  async function completeCase(): Promise<string> {
    minute += 1;
    return makeCompletedCase(db(), config, item, `2026-11-20 09:${minute}:00`, { windowCode: windowRow.code });
  }

  const evaluationsOf = (projectNo: string) => db().selectFrom('evaluation').select(['level', 'channel', 'indicator_codes', 'client_id']).where('project_no', '=', projectNo).execute();

  async function shot(target: Page, name: string) {
    if (!TAKE_SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await target.screenshot({ path: `${SHOTS}${name}.png`, scale: 'css' });
  }

  const ratingScreen = () => page.getByText('请对本次服务进行评价').waitFor();
  const idleScreen = () => page.getByText('请为本窗口服务评价').waitFor({ timeout: 15_000 });
  const waiting = () => page.locator('#net');

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
    await page.getByText('已提交').waitFor();
    await idleScreen();
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 5, channel: 'hall_tablet', indicator_codes: [] })]);
  });

  it('asks what went wrong for a 差评, needing at least one choice', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.locator('button.level-2').click();
    const send = page.getByRole('button', { name: /提交评价/ });
    await expect(send.isDisabled()).resolves.toBe(true);
    const first = page.locator('button.indicator').first();
    await first.click();
    await expect(first.getAttribute('aria-pressed')).resolves.toBe('true');
    await send.click();
    await page.getByText('已提交').waitFor();
    const [stored] = await evaluationsOf(projectNo);
    expect(stored).toMatchObject({ level: 2, channel: 'hall_tablet' });
    expect(stored?.indicator_codes).toHaveLength(1);
    await idleScreen();
  });

  it('keeps a rating made offline on the device and delivers it once when the network returns', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await context.setOffline(true);
    await page.locator('button.level-4').click();
    await page.getByText(/评价已保存在本机/).waitFor();
    await expect(waiting().textContent()).resolves.toMatch(/离线.*待提交 1/);
    expect(await evaluationsOf(projectNo)).toEqual([]);
    await context.setOffline(false);
    await waiting().waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 4, channel: 'hall_tablet' })]);
    // The reconnected stream offers that stage again while it was unrated; the device does not show it twice.
    await idleScreen();
  });

  it('keeps the queue through a reload of the page', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    await page.route('**/api/v1/public/ratings/**', (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()));
    await page.locator('button.level-3').click();
    await page.getByText(/评价已保存在本机/).waitFor();
    await page.reload();
    await idleScreen();
    await expect(waiting().textContent()).resolves.toMatch(/待提交 1/);
    expect(await evaluationsOf(projectNo)).toEqual([]);
    await page.unroute('**/api/v1/public/ratings/**');
    await waiting().waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await evaluationsOf(projectNo)).toEqual([expect.objectContaining({ level: 3 })]);
  });

  it('stores a rating once when the answer to its delivery was lost: the retry gets "duplicate"', async () => {
    const projectNo = await completeCase();
    await ratingScreen();
    const answered: number[] = [];
    await page.route('**/api/v1/public/ratings/**', async (route) => {
      if (route.request().method() !== 'POST' || answered.length > 0) return route.continue();
      // The server takes the rating, and the answer never reaches the device.
      const response = await route.fetch();
      answered.push(response.status());
      return route.abort('connectionreset');
    });
    const retried = page.waitForResponse((r) => r.url().includes('/api/v1/public/ratings/') && r.request().method() === 'POST', { timeout: 30_000 });
    await page.locator('button.level-5').click();
    const retry = await retried;
    expect(answered).toEqual([201]);
    expect(retry.status()).toBe(201);
    await expect(retry.json()).resolves.toMatchObject({ status: 'duplicate' });
    await waiting().waitFor({ state: 'hidden', timeout: 30_000 });
    const stored = await evaluationsOf(projectNo);
    expect(stored).toHaveLength(1);
    await page.unroute('**/api/v1/public/ratings/**');
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
