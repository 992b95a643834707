// The kiosk page, GET /kiosk: a small HTML shell (never cached, strict CSP, no inline script or
// style) loading one hashed script and style sheet built with esbuild at start (cached for a
// year under /kiosk/assets/). The script keeps the device's credential, listens to its event
// stream and rates through the same public API as every rating link.
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { buildPageAssets, sendAsset, type PageAssets } from '../pages/page-assets.ts';

export const KIOSK_ASSET_PREFIX = '/kiosk/assets/';

export const KIOSK_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const entry = (file: string) => fileURLToPath(new URL(`./client/${file}`, import.meta.url));

let built: Promise<PageAssets> | undefined;

/** Built on first use and shared by every app in the process. */
export function kioskAssets(): Promise<PageAssets> {
  built ??= buildPageAssets('kiosk', { script: entry('kiosk.ts'), style: entry('kiosk.css') });
  return built;
}

function shell(assets: PageAssets): string {
  return (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1,user-scalable=no">' +
    '<meta name="format-detection" content="telephone=no"><meta name="robots" content="noindex">' +
    '<title>服务评价</title>' +
    `<link rel="stylesheet" href="${KIOSK_ASSET_PREFIX}${assets.style.name}">` +
    `<script src="${KIOSK_ASSET_PREFIX}${assets.script.name}" defer></script>` +
    '</head><body><main id="app" aria-live="polite"><p class="loading">正在启动…</p></main>' +
    '<noscript><p>请启用 JavaScript。</p></noscript>' +
    '</body></html>'
  );
}

export function registerKioskPage(app: App, context: Pick<AppContext, 'log'>): void {
  const assets = kioskAssets();
  app.addHook('onReady', async () => {
    const { script, style } = await assets;
    context.log.debug({ script: script.name, scriptGzipBytes: script.gzipped.length, styleGzipBytes: style.gzipped.length }, 'kiosk page built');
  });

  app.get('/kiosk', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', KIOSK_PAGE_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .send(shell(await assets)),
  );

  app.get(`${KIOSK_ASSET_PREFIX}:name`, { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const found = (await assets).byName.get(request.params.name);
    if (!found) return reply.callNotFound();
    return sendAsset(request, reply, found);
  });
}
