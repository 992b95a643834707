// The page behind a window's poster, in Chromium on a phone: it shows no case served there; the
// applicant opens their own case's rating with the code on their receipt, or with a code sent by
// SMS to the phone registered with the case; the window itself is rated (a 差评 only with a
// reason, the phone optional, the receipt after); one language at a time, and 大字模式.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { issueLinkForStage } from '../ratings/links.ts';
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
  let itemName: string;
  let stageId: string;
  const phone = '13900005555';

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    const base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const org = await makeOrg(database.db, { name: '青羊区政务服务中心', regionCode: '510105' });
    const item = await makeItem(database.db, org);
    itemName = item.name;
    const window = await makeWindow(database.db, org);
    windowId = window.id;
    const projectNo = await makeCompletedCase(database.db, config, item, '2026-11-20 13:30:00', { windowCode: window.code, userName: '吴六', mobile: phone });
    stageId = (await database.db.selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow()).id;
    url = placeUrl(config, 'window', window.id).replace(config.http.publicBaseUrl, base);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  const phonePage = async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, locale: 'zh-CN' });
    return context.newPage();
  };

  it('shows no case served there, and opens the rating page of the applicant’s own case for the code on their receipt', async () => {
    const page = await phonePage();
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.getByRole('heading', { name: '青羊区政务服务中心' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText(itemName).count()).resolves.toBe(0);
    if (TAKE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/poster-page.png', fullPage: true });
    const code = page.getByLabel('评价码（回执或窗口屏幕上）');
    await code.fill('0000000000');
    await page.getByRole('button', { name: '打开评价' }).click();
    await page.getByText('验证码不正确，请核对后重新输入').waitFor();
    const printed = await issueLinkForStage({ db: database.db, config, clock }, stageId, 'qr', 'test');
    await code.fill((printed.shortUrl.split('/s/')[1] ?? '').toUpperCase());
    await page.getByRole('button', { name: '打开评价' }).click();
    await page.waitForURL(/\/rate\//);
    await page.getByText('请评价本次政务服务').waitFor();
    await page.getByText(itemName).waitFor();
    await page.context().close();
  });

  it('sends a code to the phone registered with the case, and lists that applicant’s case for it', async () => {
    const page = await phonePage();
    await page.goto(url);
    await page.getByLabel('或：办件登记的手机号').fill(phone);
    await page.getByRole('button', { name: '发送短信验证码' }).click();
    await page.getByText(/验证码已发送，有效期至 \d\d:\d\d/).waitFor();
    // The SMS is queued for the phone sealed in the case (the console gateway in this test).
    const message = await database.db.selectFrom('outbound_message').select(['recipient_kind', 'body']).where('purpose', '=', 'applicant-code').executeTakeFirstOrThrow();
    expect(message.recipient_kind).toBe('applicant');
    const sent = /验证码：(\d{6})/.exec(message.body)?.[1] ?? '';
    await page.getByLabel('短信验证码（6位）').fill(sent === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByText('验证码不正确，请核对后重新输入').waitFor();
    await page.getByLabel('短信验证码（6位）').fill(sent);
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByRole('link', { name: new RegExp(itemName) }).click();
    await page.waitForURL(/\/rate\//);
    await page.getByText('请评价本次政务服务').waitFor();
    await page.context().close();
  });

  it('rates the window itself: a 差评 needs a reason first, the phone is optional, the receipt follows', async () => {
    const page = await phonePage();
    await page.goto(url);
    await page.getByRole('radio', { name: /非常不满意/ }).check();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('请至少选择一项不满意的原因').waitFor();
    await page.getByRole('checkbox', { name: /服务态度差/ }).check();
    // A 差评 starts not anonymous and says why: the answer comes by SMS to the phone left here.
    await page.getByText(/办理单位的答复会以短信发给您/).waitFor();
    await page.getByLabel('手机号（选填，用于接收答复）').fill('13812345678');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.locator('#receipt').waitFor();
    const receiptNo = (await page.locator('#receipt').textContent()) ?? '';
    const rows = await database.db
      .selectFrom('evaluation as e')
      .innerJoin('rating_proof as p', 'p.evaluation_id', 'e.id')
      .select(['e.subject', 'e.level', 'e.indicator_codes', 'e.channel', 'e.receipt_no', 'e.rater_masked', 'p.proof', 'p.origin'])
      .where('e.window_id', '=', windowId)
      .where('e.subject', '=', 'window')
      .execute();
    expect(rows).toEqual([{ subject: 'window', level: 1, indicator_codes: ['507'], channel: 'qr', receipt_no: receiptNo, rater_masked: { phone: '138****5678' }, proof: 'none', origin: 'poster' }]);
    await expect(page.getByRole('link', { name: '查看评价回执和处理进度' }).getAttribute('href')).resolves.toBe(`/r/${receiptNo}`);
    const invalid = await page.goto(url.replace(/.{4}$/, 'AAAA'));
    expect(invalid?.status()).toBe(404);
    await page.getByRole('heading', { name: '二维码无效' }).waitFor();
    await page.context().close();
  });

  it('speaks one language at a time, English by the switch, and has a large-text mode', async () => {
    const page = await phonePage();
    await page.goto(url);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Rate this window' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    // No Chinese but the names of the org, the region and the window (data) and the switch back.
    const window = await database.db.selectFrom('service_window').select('name').where('id', '=', windowId).executeTakeFirstOrThrow();
    const text = (await page.locator('body').innerText()).replace('青羊区政务服务中心', '').replace(/四川省成都市青羊区|成都市青羊区|青羊区/g, '').replace(window.name, '').replace('中文', '');
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    await page.getByRole('radio', { name: 'Very dissatisfied' }).check();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Please choose at least one reason').waitFor();
    await page.getByRole('button', { name: 'Large text' }).click();
    await page.getByRole('heading', { name: 'Rate this window' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.className)).resolves.toBe('big');
    // Remembered: the next page opened is in English, in large text.
    await page.goto(url);
    await expect(page.evaluate(() => [document.documentElement.lang, document.documentElement.className])).resolves.toEqual(['en', 'big']);
    await page.context().close();
  });
});
