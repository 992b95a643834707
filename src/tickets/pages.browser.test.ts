// The rater's pages in a real browser (Debian's Chromium through playwright-core), on a phone-sized
// screen: the front page, a receipt number typed any way, the receipt with its progress and the
// callback choice, large text, English, and the signed callback link; each checked with axe-core.
//
// Screenshots are written to docs/screenshots/ only when asked:
//   HCP_SCREENSHOTS=1 npx vitest run src/tickets/pages.browser.test.ts
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import type { Database } from '../db/database.ts';
import type { StaffCaller } from '../http/caller.ts';
import { startSystem, type System } from '../system.ts';
import { seriousViolations } from '../../test/axe.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { callbackLink, takeStep, type TicketDeps } from './commands.ts';

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

describe.skipIf(missingTool('chromium'))('rater pages in Chromium', () => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_IP: '10000', RATE_LIMIT_SUBMIT_PER_IP: '1000' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;
  let deps: TicketDeps;
  let handler: StaffCaller;
  let integrator: TestIntegrator;
  let item: { task_code: string; name: string };

  const shot = async (page: Page, name: string) => {
    if (TAKE_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
  };

  /** An anonymous 差评 answered by the org: its ticket. */
  async function answeredBadRating(reply: string) {
    const projectNo = await makeCompletedCase(database.db, config, item, '2026-11-19 10:00:00');
    const rated = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 2, indicators: ['505'], channel: 'mobile', anonymous: true, assessedAt: '2026-11-20 09:00:00' });
    const ticket = await database.db.selectFrom('ticket').selectAll().where('evaluation_id', '=', rated.json().evaluation.id).executeTakeFirstOrThrow();
    for (const input of [{ step: 'accept' }, { step: 'verified' }, { step: 'reply', text: reply }] as const) {
      await takeStep(deps, handler, { ticketId: ticket.id, input, version: null, note: null, attachments: [] });
    }
    return database.db.selectFrom('ticket').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const org = await makeOrg(database.db, { name: '锦江区政务服务中心' });
    item = await makeItem(database.db, org);
    integrator = await makeIntegrator(database.db, config);
    handler = { kind: 'staff', accountId: 'h', username: 'h', role: 'org_handler', regionPath: null, orgId: org.id };
    deps = { db: database.db, config, clock, calendar: chinaCalendar() };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('finds a receipt typed any way from the front page, shows its progress, and takes the callback right there', async () => {
    const ticket = await answeredBadRating('已增设一个综合窗口，高峰期等候时间缩短。');
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'landing-page');
    await page.getByRole('link', { name: /查询评价回执/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    // Lower case, spaces instead of dashes, O for 0: as people type it.
    const typed = ticket.receipt_no.toLowerCase().replaceAll('-', ' ').replace(/0/g, 'o');
    await page.getByLabel('回执号').fill(typed);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('heading', { name: '评价回执' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/r/${ticket.receipt_no}`);
    for (const text of ['不满意', '2026-11-20 09:00', item.name, '锦江区政务服务中心', '成都市锦江区', '已增设一个综合窗口', '锦江区政务服务中心答复：']) {
      await expect(page.getByText(text).first().isVisible(), text).resolves.toBe(true);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'receipt-page');

    const unhappy = page.getByRole('button', { name: '不满意' });
    const box = await unhappy.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
    await unhappy.click();
    await page.getByText('感谢您对整改结果作出评价！').waitFor();
    await expect(page.getByText('您对整改结果的评价：不满意，单位将重新整改并再次答复').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: '满意', exact: true }).count()).resolves.toBe(0);
    const row = await database.db.selectFrom('ticket').select(['state', 'reopen_count']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'rectifying', reopen_count: 1 });
    await context.close();
  });

  it('has large text and English, one language at a time, remembered across the public pages', async () => {
    const ticket = await answeredBadRating('已调整窗口排班。');
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${base}/r/${ticket.receipt_no}`);
    const size = () => page.locator('dl.facts dd').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    const normal = await size();
    const big = page.getByRole('button', { name: /大字模式/ });
    await expect(big.getAttribute('aria-pressed')).resolves.toBe('false');
    await big.click();
    await page.getByRole('button', { name: /大字模式/ }).and(page.locator('[aria-pressed="true"]')).waitFor();
    expect(await size()).toBeGreaterThanOrEqual(normal * 1.3);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'receipt-large-text');
    await page.getByRole('button', { name: /大字模式/ }).click();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Rating receipt' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    // Nothing in Chinese but the names, which are data, and the switch back.
    const text = (await page.locator('body').innerText()).replace(/锦江区政务服务中心|成都市锦江区|已调整窗口排班。|中文/g, '').replace(item.name, '');
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'receipt-english');
    // Remembered: the other public pages, and the rating page, follow.
    await page.goto(`${base}/honor-roll`);
    await page.getByRole('heading', { name: 'Honor roll of government services' }).waitFor();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Rating government services' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '政务服务“好差评”' }).waitFor();
    await context.close();
  });

  it('shows the answer behind the callback link, sends the choice once, and the ticket reopens when the rater is unhappy', async () => {
    const ticket = await answeredBadRating('已增设一个综合窗口，高峰期等候时间缩短。');
    const link = callbackLink(deps, ticket, clock()).replace(config.http.publicBaseUrl, base);
    const page = await browser.newPage(PHONE);
    await page.goto(link);
    await expect(page.getByText('已增设一个综合窗口').isVisible()).resolves.toBe(true);
    await expect(page.getByText('锦江区政务服务中心于 2026-11-20 10:00 答复：').isVisible()).resolves.toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'callback-page');
    const unhappy = page.getByRole('button', { name: /不满意/ });
    // Large enough to hit with a thumb.
    const box = await unhappy.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
    await unhappy.click();
    await page.getByText('感谢您的评价').waitFor();
    const row = await database.db.selectFrom('ticket').select(['state', 'reopen_count']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'rectifying', reopen_count: 1 });
    await page.goto(link);
    await expect(page.getByText('您已评价过').isVisible()).resolves.toBe(true);
    await page.close();
  });
});
