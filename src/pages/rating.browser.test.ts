// The citizen's rating page in a real browser (Debian's Chromium through playwright-core) against
// the real system on PGlite: a phone and a PC, every error state, a lost network with a retry
// that is stored once, large-text mode, the 差评 indicator rule, the one follow-up, English.
//
// Screenshots of each state (phone viewport) are written to docs/screenshots/ only when asked:
//   HCP_SCREENSHOTS=1 npx vitest run src/pages/rating.browser.test.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { hmacSm3 } from '../crypto/sm.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { errorBody } from '../errors.ts';
import { issueRatingLink } from '../ratings/links.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeStaff, makeWindow } from '../../test/factories.ts';
import { TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';
import { seriousViolations } from '../../test/axe.ts';

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const TAKE_SHOTS = TAKE_SCREENSHOTS;

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const PC: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };
const NOW = '2026-11-20T02:00:00.000Z';

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r = 0, g = 0, bl = 0] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl);
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

describe.skipIf(missingTool('chromium'))('rating page in Chromium', () => {
  const clock = testClock(NOW);
  // Every request of this file comes from 127.0.0.1: the per-IP limits would count them all as one rater.
  const config = testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_IP: '10000', RATE_LIMIT_SUBMIT_PER_IP: '1000' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;
  let item: { task_code: string };
  let staff: { staff_no: string };
  let windowRow: { id: string; code: string };

  const db = () => database.db;

  /** A completed case and a rating link for it, as the business system would get one. */
  async function freshLink(completedAt = '2026-11-19 10:00:00') {
    const projectNo = await makeCompletedCase(db(), config, item, completedAt, { windowCode: windowRow.code, staffNo: staff.staff_no });
    const stage = await db().selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
    const link = await issueRatingLink({ db: db(), config, clock }, { projectNo, channel: 'mobile', sourceApp: 'test', scope: { regionPath: '510000/', orgId: null } });
    return { projectNo, stageId: stage.id, url: `${base}/rate/${link.token}`, token: link.token };
  }

  const evaluationsOf = (projectNo: string) =>
    db().selectFrom('evaluation').select(['receipt_no', 'assess_number', 'level', 'indicator_codes', 'comment', 'is_anonymous', 'client_id', 'rater_masked']).where('project_no', '=', projectNo).orderBy('assess_number').execute();

  async function open(options: BrowserContextOptions, url: string): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  async function shot(page: Page, name: string, fullPage = false) {
    if (!TAKE_SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage, scale: 'css' });
  }

  const level = (page: Page, name: string) => page.getByRole('radio', { name, exact: true });

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const org = await makeOrg(db(), { name: '锦江区政务服务中心' });
    item = await makeItem(db(), org);
    windowRow = await makeWindow(db(), org);
    staff = await makeStaff(db(), org, windowRow);
  }, 120_000);

  beforeEach(() => clock.set(NOW));

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('rates on a phone: five large choices best first, a comment counted in characters, a phone to get the answer, a receipt', async () => {
    const link = await freshLink();
    // As WeChat opens a shared link: with its own query string appended.
    const page = await open(PHONE, `${link.url}?from=singlemessage&isappinstalled=0`);
    await level(page, '非常满意').waitFor({ state: 'attached' });
    await shot(page, 'rating-phone', true);

    const names = await page.getByRole('radiogroup').getByRole('radio').evaluateAll((inputs) => inputs.map((i) => i.closest('label')?.textContent ?? ''));
    expect(names.map((n) => n.replace(/[★☆✓\s]/g, ''))).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    // Large enough for a thumb, and all five on the first screen.
    for (const name of ['非常满意', '非常不满意']) {
      const box = await page.locator('label.choice', { has: level(page, name) }).boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(48);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(640);
    }
    await expect(page.getByText('锦江区政务服务中心').isVisible()).resolves.toBe(true);
    await expect(page.getByText(/工作人员\d+/).count()).resolves.toBe(0); // the staff name is masked

    await level(page, '满意').check();
    await expect(page.getByText('评价内容（选填，可多选）').isVisible()).resolves.toBe(true);
    const comment = page.getByLabel('文字评价（选填）');
    // Counted as the server counts: the emoji is one character (two UTF-16 units).
    await comment.fill('窗口很耐心👍');
    await expect(page.locator('#count').textContent()).resolves.toBe('已输入 6 / 500 字');
    // The anonymous switch is on by default; turned off, it offers the phone field.
    const anonymous = page.getByRole('switch', { name: '匿名评价' });
    await expect(anonymous.isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('手机号（选填，用于接收答复）').isVisible()).resolves.toBe(false);
    await anonymous.uncheck();
    await page.getByLabel('手机号（选填，用于接收答复）').fill('138 1234 5678');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    const receipt = await page.locator('#receipt').textContent();
    await shot(page, 'rating-done');
    expect(await seriousViolations(page)).toEqual([]);

    const stored = await evaluationsOf(link.projectNo);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ receipt_no: receipt, level: 4, comment: '窗口很耐心👍', is_anonymous: false, assess_number: 1 });
    expect(JSON.stringify(stored[0]?.rater_masked)).toContain('138****5678');
    // The page sends this browser's install id: the risk engine keeps only its keyed hash.
    const installId = await page.evaluate(() => window.localStorage.getItem('hcp.install'));
    expect(installId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    const context = await db().selectFrom('rating_context as c').innerJoin('evaluation as e', 'e.id', 'c.evaluation_id').select('c.install_key').where('e.receipt_no', '=', receipt ?? '').executeTakeFirstOrThrow();
    expect(Buffer.from(context.install_key ?? []).equals(hmacSm3(config.pii.lookupKey, 'install', installId ?? ''))).toBe(true);
    expect(await page.getByRole('link', { name: '查看评价回执' }).getAttribute('href')).toBe(`/r/${receipt}`);
    await page.getByRole('link', { name: '查看评价回执' }).click();
    await page.getByText(receipt ?? 'missing').first().waitFor();
    await page.context().close();
  });

  it('rates on a PC, with the five levels side by side', async () => {
    const link = await freshLink();
    const page = await open(PC, link.url);
    await level(page, '非常满意').waitFor({ state: 'attached' });
    const tops = await page.locator('label.choice').evaluateAll((labels) => labels.map((l) => Math.round(l.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    await level(page, '非常满意').check();
    await shot(page, 'rating-pc');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    expect(await evaluationsOf(link.projectNo)).toMatchObject([{ level: 5, is_anonymous: true, comment: null }]);
    await page.context().close();
  });

  it('starts a 差评 not anonymous, says what anonymity would mean, and keeps the choice free', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    const anonymous = page.getByRole('switch', { name: '匿名评价' });
    await level(page, '非常满意').check();
    await expect(anonymous.isChecked()).resolves.toBe(true);
    // A 差评 is answered: not anonymous, with the phone field open and the consequence said.
    await level(page, '非常不满意').check();
    await expect(anonymous.isChecked()).resolves.toBe(false);
    await expect(page.getByLabel('手机号（选填，用于接收答复）').isVisible()).resolves.toBe(true);
    await expect(page.getByText('办理单位的答复会以短信发给您').isVisible()).resolves.toBe(true);
    await expect(page.getByText('号码加密保存').isVisible()).resolves.toBe(true);
    // The rater may still choose to stay anonymous, and is told what that means; the level no longer moves it.
    await anonymous.check();
    await expect(page.getByText('匿名后办理单位无法联系您：答复只能凭回执号在本网站查看').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('手机号（选填，用于接收答复）').isVisible()).resolves.toBe(false);
    await level(page, '不满意').check();
    await expect(anonymous.isChecked()).resolves.toBe(true);
    await page.getByRole('group', { name: /不满意的原因/ }).getByRole('checkbox').first().check();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'rating-bad-anonymous', true);
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    // The receipt is the only way to the answer, and the page says so.
    await expect(page.getByText('您选择了匿名：办理单位的答复只能凭这个回执号查看').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: '查看评价回执和处理进度' }).isVisible()).resolves.toBe(true);
    expect(await evaluationsOf(link.projectNo)).toMatchObject([{ level: 2, is_anonymous: true, rater_masked: null }]);
    await page.context().close();
  });

  it('asks for at least one reason with a 差评 before sending it', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await level(page, '不满意').check();
    await expect(page.getByText('不满意的原因（请至少选择一项）').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: '提交评价' }).click();
    await expect(page.getByText('请至少选择一项不满意的原因').isVisible()).resolves.toBe(true);
    await page.getByText('请至少选择一项不满意的原因').scrollIntoViewIfNeeded();
    await shot(page, 'rating-bad-needs-reason');
    expect(posts).toHaveLength(0);
    const reasons = page.getByRole('group', { name: /不满意的原因/ }).getByRole('checkbox');
    expect(await reasons.count()).toBeGreaterThan(0);
    await reasons.first().check();
    await expect(page.getByText('请至少选择一项不满意的原因').count()).resolves.toBe(0);
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    await expect(page.getByText('您的意见将转交办理单位核实整改').isVisible()).resolves.toBe(true);
    const [stored] = await evaluationsOf(link.projectNo);
    expect(stored?.level).toBe(2);
    expect(stored?.indicator_codes.length).toBe(1);
    await page.context().close();
  });

  it('takes one follow-up through the same link, then says it has been rated', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    await level(page, '基本满意').check();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    const first = await page.locator('#receipt').textContent();
    await page.getByRole('button', { name: '追加评价' }).click();
    await page.getByRole('heading', { name: '追加评价（追评）' }).waitFor();
    await expect(page.getByText(`首次评价：基本满意 · 评价回执号 ${first}`).isVisible()).resolves.toBe(true);
    await shot(page, 'rating-follow-up');
    await level(page, '非常满意').check();
    await page.getByLabel('文字评价（选填）').fill('后来专门回电解释，很满意');
    await page.getByRole('button', { name: '提交追评' }).click();
    await page.getByRole('heading', { name: '追评已提交，感谢您！' }).waitFor();
    await expect(page.getByRole('button', { name: '追加评价' }).count()).resolves.toBe(0);

    await page.reload();
    await page.getByRole('heading', { name: '本次服务已评价' }).waitFor();
    await shot(page, 'rating-already-rated');
    expect((await evaluationsOf(link.projectNo)).map((e) => [e.assess_number, e.level])).toEqual([
      [1, 3],
      [2, 5],
    ]);
    await page.context().close();
  });

  it('says so when the link has expired or is not valid', async () => {
    const link = await freshLink();
    clock.set('2026-12-25T02:00:00.000Z');
    const page = await open(PHONE, link.url);
    await page.getByRole('heading', { name: '评价链接已过期' }).waitFor();
    await shot(page, 'rating-expired');

    const altered = link.url.slice(0, -4) + (link.url.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const url of [altered, `${base}/rate/not-a-token`, `${base}/rate/${'x'.repeat(150)}`]) {
      await page.goto(url);
      await page.getByRole('heading', { name: '评价链接无效' }).waitFor();
    }
    await shot(page, 'rating-invalid');
    await page.context().close();
  });

  it('says the rating window has closed when the case turns out to be older than the link', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    await level(page, '满意').check();
    // The business system corrected the completion date: the window closed before the link did.
    await db().updateTable('case_stage').set({ completed_at: new Date('2026-09-01T02:00:00.000Z') }).where('id', '=', link.stageId).execute();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价期限已过' }).waitFor();
    await shot(page, 'rating-window-closed');
    expect(await evaluationsOf(link.projectNo)).toHaveLength(0);
    await page.context().close();
  });

  it('keeps the form when the network fails and stores the retried rating exactly once', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    const clientIds: string[] = [];
    let mode: 'offline' | 'lose-answer' | 'pass' = 'offline';
    await page.route('**/api/v1/public/ratings/**', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      clientIds.push(String((route.request().postDataJSON() as { clientId: string }).clientId));
      if (mode === 'offline') return route.abort('internetdisconnected');
      if (mode === 'lose-answer') {
        // The server stores the rating, but its answer never reaches the phone.
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await level(page, '满意').check();
    await page.getByLabel('文字评价（选填）').fill('信号不好');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText(/网络异常，未能确认是否提交成功/).waitFor();
    await shot(page, 'rating-network-error');
    // The form is kept as it was.
    await expect(level(page, '满意').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('文字评价（选填）').inputValue()).resolves.toBe('信号不好');

    mode = 'lose-answer';
    await page.getByRole('button', { name: '重新提交' }).click();
    await page.getByText(/网络异常，未能确认是否提交成功/).waitFor();
    expect(await evaluationsOf(link.projectNo)).toHaveLength(1);

    mode = 'pass';
    await page.getByRole('button', { name: '重新提交' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    const stored = await evaluationsOf(link.projectNo);
    expect(stored).toHaveLength(1);
    expect(await page.locator('#receipt').textContent()).toBe(stored[0]?.receipt_no);
    expect(clientIds).toHaveLength(3);
    expect(new Set(clientIds).size).toBe(1);
    await page.context().close();
  });

  it('shows a retry when the page cannot load, and loads when the network is back', async () => {
    const link = await freshLink();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.route('**/api/v1/public/ratings/**', (route) => route.abort('internetdisconnected'));
    await page.goto(link.url);
    await page.getByRole('heading', { name: '网络异常' }).waitFor();
    await shot(page, 'rating-offline');
    await page.unroute('**/api/v1/public/ratings/**');
    await page.getByRole('button', { name: '重试' }).click();
    await level(page, '非常满意').waitFor({ state: 'attached' });
    await context.close();
  });

  it('asks the rater to wait when the server says there were too many attempts, and keeps the form', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    // The limits themselves are tested with the API; here, what the page makes of their answer.
    await page.route('**/api/v1/public/ratings/**', (route) =>
      route.request().method() === 'POST' ? route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify(errorBody('RATE_LIMITED')) }) : route.continue(),
    );
    await level(page, '满意').check();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('操作过于频繁，请稍后再试。').waitFor();
    await expect(level(page, '满意').isChecked()).resolves.toBe(true);
    await page.unroute('**/api/v1/public/ratings/**');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '评价已提交，感谢您！' }).waitFor();
    expect(await evaluationsOf(link.projectNo)).toHaveLength(1);
    await page.context().close();
  });

  it('has a large-text, high-contrast mode for elderly raters, remembered on the device', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    await level(page, '非常满意').waitFor({ state: 'attached' });
    const sizeOf = (selector: string) => page.locator(selector).first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    const colours = (selector: string) =>
      page.locator(selector).first().evaluate((e) => {
        let back = 'rgba(0, 0, 0, 0)';
        for (let node: Element | null = e; node && /rgba\(0, 0, 0, 0\)|transparent/.test(back); node = node.parentElement) back = getComputedStyle(node).backgroundColor;
        return { fore: getComputedStyle(e).color, back };
      });
    const before = { name: await sizeOf('.choice .name'), hint: await sizeOf('.hint'), body: await sizeOf('.facts .item') };
    const toggle = page.getByRole('button', { name: /大字模式/ });
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await toggle.click();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    const after = { name: await sizeOf('.choice .name'), hint: await sizeOf('.hint'), body: await sizeOf('.facts .item') };
    expect(after.name).toBeGreaterThanOrEqual(before.name * 1.3);
    expect(after.hint).toBeGreaterThanOrEqual(before.hint * 1.3);
    expect(after.body).toBeGreaterThanOrEqual(24);
    for (const selector of ['.facts .item', '.facts .meta', '.hint', '.choice .name', '.count', '.note', 'h1']) {
      const { fore, back } = await colours(selector);
      expect(contrast(fore, back), selector).toBeGreaterThanOrEqual(7);
    }
    await shot(page, 'rating-large-text', true);
    await page.reload();
    await level(page, '非常满意').waitFor({ state: 'attached' });
    await expect(page.getByRole('button', { name: /大字模式/ }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(sizeOf('.choice .name')).resolves.toBe(after.name);
    await page.context().close();
  });

  it('switches to English and back, remembered on the device', async () => {
    const link = await freshLink();
    const page = await open(PHONE, link.url);
    await level(page, '不满意').check();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Please rate this service' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    // The choice made in Chinese is kept.
    await expect(level(page, 'Dissatisfied').isChecked()).resolves.toBe(true);
    await expect(page.getByText('What went wrong? (choose at least one)').isVisible()).resolves.toBe(true);
    await shot(page, 'rating-english');
    await page.reload();
    await page.getByRole('heading', { name: 'Please rate this service' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '请评价本次政务服务' }).waitFor();
    await page.context().close();
  });

  it('serves the shell uncached under a strict CSP, and hashed assets cached for a year', async () => {
    const link = await freshLink();
    const shell = await system.app.inject({ method: 'GET', url: `/rate/${link.token}` });
    expect(shell.statusCode).toBe(200);
    expect(shell.headers['cache-control']).toBe('no-store');
    expect(shell.headers['content-security-policy']).toContain("script-src 'self'");
    expect(shell.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(shell.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
    // Before the script runs, one language too: the one remembered.
    expect(shell.body).toContain('<html lang="zh-CN">');
    expect(shell.body).not.toContain('Loading');
    const english = await system.app.inject({ method: 'GET', url: `/rate/${link.token}`, headers: { cookie: 'hcp_lang=en; hcp_big=1' } });
    expect(english.body).toContain('<html lang="en" class="big">');
    expect(english.body).not.toContain('正在加载');
    const script = /src="(\/assets\/rating\.[\w-]+\.js)"/.exec(shell.body)?.[1] ?? '';
    const asset = await system.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await system.app.inject({ method: 'GET', url: '/assets/rating.nothere.js' })).statusCode).toBe(404);
    // The page never asks for anything the CSP refuses, and asks the API once: the page's own
    // request takes the answer the shell preloaded.
    const page = await open(PHONE, link.url);
    const refused: string[] = [];
    const asked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|preload/.test(message.text())) refused.push(message.text());
    });
    page.on('request', (request) => {
      if (request.url().includes('/api/')) asked.push(request.method());
    });
    await page.reload();
    await level(page, '非常满意').waitFor({ state: 'attached' });
    expect(refused).toEqual([]);
    expect(asked).toEqual(['GET']);
    // The honeypot is there for robots only: off-screen, hidden from screen readers, out of the tab order.
    const honeypot = page.locator('input[name=website]');
    await expect(honeypot.getAttribute('tabindex')).resolves.toBe('-1');
    await expect(page.locator('.hp').getAttribute('aria-hidden')).resolves.toBe('true');
    expect((await honeypot.boundingBox())?.x ?? 0).toBeLessThan(0);
    await page.context().close();
  });
});
