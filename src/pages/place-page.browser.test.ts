// The page behind a window's poster, in Chromium on a phone: a stage just completed there opens
// its rating page; the window itself is rated, a 差评 only with a reason.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { placeUrl } from '../ratings/places.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { makeCompletedCase, makeItem, makeOrg, makeWindow } from '../../test/factories.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

describe.skipIf(missingTool('chromium'))('poster page in Chromium', () => {
  const clock = testClock('2026-11-20T06:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_IP: '1000', RATE_LIMIT_SUBMIT_PER_IP: '1000' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let url: string;
  let windowId: string;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    const base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const org = await makeOrg(database.db, { name: '青羊区政务服务中心', regionCode: '510105' });
    const item = await makeItem(database.db, org);
    const window = await makeWindow(database.db, org);
    windowId = window.id;
    await makeCompletedCase(database.db, config, item, '2026-11-20 13:30:00', { windowCode: window.code });
    url = placeUrl(config, 'window', window.id).replace(config.http.publicBaseUrl, base);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('opens the rating page of a stage just completed at the window', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 }, isMobile: true });
    await page.goto(url);
    await expect(page.getByRole('heading', { name: '青羊区政务服务中心' }).isVisible()).resolves.toBe(true);
    if (TAKE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/poster-page.png', fullPage: true });
    await page.getByRole('button', { name: /测试事项/ }).click();
    await page.waitForURL(/\/rate\//);
    await page.getByText('请评价本次政务服务').waitFor();
    await page.close();
  });

  it('rates the window itself; a 差评 needs a reason first', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 }, isMobile: true });
    await page.goto(url);
    await page.getByRole('radio', { name: /非常不满意/ }).check();
    await page.getByRole('button', { name: /提交评价/ }).click();
    await page.getByText('请至少选择一项不满意的原因').waitFor();
    await page.getByRole('checkbox', { name: /服务态度差/ }).check();
    await page.getByRole('button', { name: /提交评价/ }).click();
    await page.getByText(/感谢您的评价！回执号/).waitFor();
    const rows = await database.db.selectFrom('evaluation').select(['subject', 'level', 'indicator_codes', 'channel']).where('window_id', '=', windowId).where('subject', '=', 'window').execute();
    expect(rows).toEqual([{ subject: 'window', level: 1, indicator_codes: ['507'], channel: 'qr' }]);
    const invalid = await page.goto(url.replace(/.{4}$/, 'AAAA'));
    expect(invalid?.status()).toBe(404);
    await page.close();
  });
});
