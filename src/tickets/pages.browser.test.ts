// The rater's callback page in a real browser (Debian's Chromium through playwright-core), on a
// phone-sized screen: the answer is shown, a choice is sent, and the ticket reopens.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import type { Database } from '../db/database.ts';
import type { StaffCaller } from '../http/caller.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { TAKE_SCREENSHOTS } from '../../test/screenshots.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject } from '../../test/factories.ts';
import { callbackLink, takeStep, type TicketDeps } from './commands.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

describe.skipIf(missingTool('chromium'))('callback page in Chromium', () => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;
  let link: string;
  let ticketId: string;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(config, { database, clock });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });

    const org = await makeOrg(database.db);
    const item = await makeItem(database.db, org);
    const integrator = await makeIntegrator(database.db, config);
    const projectNo = await makeCompletedCase(database.db, config, item, '2026-11-19 10:00:00');
    const rated = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 2, indicators: ['505'], channel: 'mobile', assessedAt: '2026-11-20 09:00:00' });
    const ticket = await database.db.selectFrom('ticket').selectAll().where('evaluation_id', '=', rated.json().evaluation.id).executeTakeFirstOrThrow();
    ticketId = ticket.id;
    const handler: StaffCaller = { kind: 'staff', accountId: 'h', username: 'h', role: 'org_handler', regionPath: null, orgId: org.id };
    const deps: TicketDeps = { db: database.db, config, clock, calendar: chinaCalendar() };
    for (const input of [{ step: 'accept' }, { step: 'verified' }, { step: 'reply', text: '已增设一个综合窗口，高峰期等候时间缩短。' }] as const) {
      await takeStep(deps, handler, { ticketId, input, version: null, note: null, attachments: [] });
    }
    const replied = await database.db.selectFrom('ticket').select(['id', 'version']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    link = callbackLink(deps, replied, clock()).replace(config.http.publicBaseUrl, base);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('shows the answer on a phone, sends the choice once, and the ticket reopens when the rater is unhappy', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.goto(link);
    await expect(page.getByText('已增设一个综合窗口').isVisible()).resolves.toBe(true);
    if (TAKE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/callback-page.png', fullPage: true });
    const unhappy = page.getByRole('button', { name: /不满意/ });
    // Large enough to hit with a thumb.
    const box = await unhappy.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
    await unhappy.click();
    await page.getByText('感谢您的评价').waitFor();
    const row = await database.db.selectFrom('ticket').select(['state', 'reopen_count']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'rectifying', reopen_count: 1 });
    await page.reload();
    await expect(page.getByText('您已评价过').isVisible()).resolves.toBe(true);
    await page.close();
  });
});
