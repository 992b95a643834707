// The SVG QR code as a browser shows it (Debian's Chromium through playwright-core), read back
// from a screenshot: what a hall screen displays must scan to the exact link.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrSvg } from './qr.ts';
import { decodeQrPng } from './testing.ts';
import { CHROMIUM, missingTool } from '../../test/tools.ts';

describe.skipIf(missingTool('chromium'))('SVG QR code in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('decodes back to the exact URL, large on a hall screen and small on a phone', async () => {
    const url = 'https://hcp.sc.gov.cn/rate/AZ3x_9-kq2Lm8PzR0tYvWbNc4eHdJgUf.1A2b3C4d5E6f7G8h';
    const svg = await qrSvg(url);
    for (const side of [480, 160]) {
      const page = await browser.newPage({ viewport: { width: side + 40, height: side + 40 } });
      await page.setContent(`<!doctype html><body style="margin:20px;background:#fff"><img alt="" style="width:${side}px;height:${side}px;display:block" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`);
      const shot = await page.screenshot({ type: 'png' });
      await page.close();
      expect(decodeQrPng(shot), `${side} px`).toBe(url);
    }
  });
});
