// The public honor roll in a real browser (Debian's Chromium through playwright-core) on a 360-px
// phone with JavaScript off: a small province rated in October through the real intake, the month
// closed and signed, the lists readable with no horizontal scrolling, and the period picker
// working as a plain GET form.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair } from '../crypto/sm.ts';
import type { Database } from '../db/database.ts';
import { parsePeriod, type Period } from '../scoring/periods.ts';
import { closePeriod } from '../scoring/snapshots.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { seriousViolations } from '../../test/axe.ts';
import { rateUnit, times, type RatedUnit } from './testing.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

const mix = (five: number, four: number, three = 0, bad = 0) => [...times(five, 5), ...times(four, 4), ...times(three, 3), ...times(bad, 2)];
const hall = (regionCode: string, name: string, levels: number[]): RatedUnit => ({ regionCode, orgName: `${name}政务服务中心`, levels });
const UNITS: RatedUnit[] = [
  hall('510104', '锦江区', mix(27, 3)),
  hall('510105', '青羊区', mix(27, 3)), // the same as 锦江区: tied
  hall('510106', '金牛区', mix(24, 6)),
  hall('510107', '武侯区', mix(22, 7, 1)),
  hall('510108', '成华区', mix(20, 8, 2)),
  hall('510112', '龙泉驿区', mix(18, 10, 2)),
  hall('510302', '自流井区', mix(26, 3, 0, 1)), // one 差评, not answered yet
  hall('510303', '贡井区', mix(15, 12, 3)),
  hall('510502', '江阳区', mix(16, 10, 4)),
  hall('510503', '纳溪区', mix(14, 10, 6)),
  hall('510304', '大安区', mix(5, 0)), // too few to be ranked
  { regionCode: '510000', orgName: '四川省公安厅', levels: mix(25, 5) },
  { regionCode: '510000', orgName: '四川省经济和信息化厅（四川省国防科学技术工业办公室）', levels: mix(20, 8, 2) },
  { regionCode: '510000', orgName: '四川省市场监督管理局', levels: mix(22, 6, 1, 1) },
];

describe.skipIf(missingTool('chromium'))('honor roll page in Chromium', () => {
  const clock = testClock('2026-10-20T02:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false', SCORE_FEED_INTERVAL_MS: '0', RATE_LIMIT_PUBLIC_PER_IP: '1000' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    for (const unit of UNITS) await rateUnit(database.db, config, system.intake, unit);
    clock.set('2026-11-25T02:00:00.000Z');
    const signer = { keyId: 'demo-sm2', privateKey: generateSm2KeyPair().privateKey };
    await closePeriod(database.db, signer, parsePeriod('2026-10') as Period, 'test', clock());
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('is readable on a 360-px phone without JavaScript: three lists, large type, no horizontal scroll', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled: false });
    const response = await page.goto(`${base}/honor-roll`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('好评榜');
    await expect(page.getByText('已发布').first().isVisible()).resolves.toBe(true);

    for (const name of ['市（州）', '县（市、区）', '省直部门']) {
      const heading = page.getByRole('heading', { level: 2, name: new RegExp(`^${name.replace(/[()（）、]/g, '.')}`) });
      await expect(heading.isVisible()).resolves.toBe(true);
    }
    const lists = page.locator('ol.roll');
    expect(await lists.count()).toBe(3);
    const items = page.locator('ol.roll > li');
    // 3 prefectures, the top 10 counties, 3 departments; 锦江区 and 青羊区 share first place.
    expect(await items.count()).toBe(16);
    await expect(page.locator('ol.roll > li', { hasText: '锦江区' }).first().textContent()).resolves.toMatch(/^第1名并列成都市锦江区/);
    // Every Sichuan county counts: 大安区 and the 172 without any rating in October.
    await expect(page.getByText('另有 173 个单位本期主动评价不足 30 条，未参加排名。').isVisible()).resolves.toBe(true);

    // Nothing is wider than the screen: no sideways scrolling, every entry and the digest fit.
    const widths = await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    expect(widths).toMatchObject({ client: 360 });
    expect((widths as { scroll: number }).scroll).toBeLessThanOrEqual(360);
    for (const box of await items.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right))) expect(box).toBeLessThanOrEqual(360);
    // The roll shows no developer text; the digest is on the page on how to verify, and fits there too.
    const shown = await page.locator('main').innerText();
    for (const jargon of ['SM3', '关账时间', 'npm run']) expect(shown).not.toContain(jargon);

    // Names and scores in large enough type for an elderly reader.
    const sizes = await page.locator('.name, .figs dd').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
    await expect(page.locator('ol.roll > li').first().locator('.figs dd').first().textContent()).resolves.toMatch(/^\d{1,3}\.\d{2}$/);

    if (TAKE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/honor-roll.png', fullPage: true });
    await page.getByRole('link', { name: '如何核验', exact: true }).click();
    await page.getByRole('heading', { name: '如何核验好评榜的数字' }).waitFor();
    const digest = await page.locator('dl.facts .code').first().boundingBox();
    expect((digest?.x ?? 0) + (digest?.width ?? 999)).toBeLessThanOrEqual(360);
    await expect(page.getByText('npm run cli -- verify-snapshot 2026-10').isVisible()).resolves.toBe(true);
    if (TAKE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/honor-roll-verify.png', fullPage: true });
    await page.close();
  });

  it('switches to English with no script at all, one language at a time, and passes axe', async () => {
    const plain = await browser.newPage({ viewport: { width: 360, height: 640 }, isMobile: true, javaScriptEnabled: false });
    await plain.goto(`${base}/honor-roll?period=2026-10`);
    await plain.getByRole('button', { name: 'English' }).click();
    await plain.getByRole('heading', { name: 'Honor roll of government services' }).waitFor();
    expect(new URL(plain.url()).searchParams.get('period')).toBe('2026-10');
    // The units' names are data, in Chinese; every other word is English.
    const names = await plain.locator('.name').allInnerTexts();
    expect(names.length).toBeGreaterThan(0);
    let text = await plain.locator('main').innerText();
    for (const name of names) text = text.replace(name, '');
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    await plain.close();
    const page = await browser.newPage({ viewport: { width: 360, height: 640 }, isMobile: true });
    for (const url of ['/honor-roll?period=2026-10', '/honor-roll/verify?period=2026-10', '/honor-roll?period=2026-10&lang=zh&big=1']) {
      await page.goto(`${base}${url}`);
      expect(await seriousViolations(page), url).toEqual([]);
    }
    await page.close();
  });

  it('picks another period with the plain GET form and says plainly when it is not published', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 }, isMobile: true, javaScriptEnabled: false });
    await page.goto(`${base}/honor-roll`);
    await page.getByLabel(/输入周期/).fill('2026-12');
    await page.getByRole('button', { name: /查看/ }).click();
    await page.waitForURL(/period=2026-12/);
    await expect(page.getByText('2026年12月的结果尚未发布。').isVisible()).resolves.toBe(true);
    await expect(page.getByText('该周期尚未结束。').isVisible()).resolves.toBe(true);
    await expect(page.locator('ol.roll').count()).resolves.toBe(0);
    await page.getByRole('link', { name: '2026年10月' }).click();
    await page.waitForURL(/period=2026-10/);
    await expect(page.locator('ol.roll').count()).resolves.toBe(3);
    await page.close();
  });
});
