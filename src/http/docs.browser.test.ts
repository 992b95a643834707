// The OpenAPI pages (Swagger UI at /docs) still work in a browser under the security headers:
// the operations render and the policy reports nothing.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { startSystem, type System } from '../system.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

describe.skipIf(missingTool('chromium'))('/docs in Chromium under the security headers', () => {
  let database: Database;
  let system: System;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    system = await startSystem(testConfig({ JOBS_ENABLED: 'false' }), { database });
    base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await database?.close();
  });

  it('renders the operations with no policy violation or script error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`${base}/docs`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});
