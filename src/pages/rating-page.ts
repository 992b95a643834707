// The citizen's rating page, GET /rate/<token>: a small HTML shell (never cached, strict CSP)
// that loads one hashed script and one hashed style sheet (cached for a year) and preloads the
// API answer. The script does the rest through the public API (/api/v1/public/ratings/<token>),
// so the shell is the same for every link and says nothing about the case. Opened from a valid
// link it needs no login, which is what WeChat's and Alipay's web views give us.
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { buildPageAssets, sendAsset, type PageAssets } from './page-assets.ts';
import { prefsOf, type Prefs } from './public-page.ts';

export const ASSET_PREFIX = '/assets/';
const API_PREFIX = '/api/v1/public/ratings/';

// No inline script or style at all: everything comes from this origin. connect-src is the API.
export const RATING_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What a rating token can look like (src/links/signed-link.ts); anything else is not asked for. */
const TOKEN = /^[A-Za-z0-9._-]{10,100}$/;

let built: Promise<PageAssets> | undefined;

/** Built on first use and shared by every app in the process (tests start several). */
export function ratingAssets(): Promise<PageAssets> {
  built ??= buildPageAssets('rating', {
    script: fileURLToPath(new URL('./client/rating.ts', import.meta.url)),
    style: fileURLToPath(new URL('./client/rating.css', import.meta.url)),
  });
  return built;
}

/** In the reader's remembered language (the script takes over from there): never both at once. */
function shell(assets: PageAssets, token: string, prefs: Prefs): string {
  const zh = prefs.lang === 'zh';
  // The API answer is asked for at once, beside the script rather than after it: on a slow
  // network this saves a round trip. The page's own request then takes the preloaded answer.
  const preload = TOKEN.test(token) ? `<link rel="preload" href="${API_PREFIX}${token}" as="fetch" crossorigin="anonymous">` : '';
  return (
    `<!doctype html><html lang="${zh ? 'zh-CN' : 'en'}"${prefs.big ? ' class="big"' : ''}><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="format-detection" content="telephone=no">' +
    `<title>${zh ? '服务评价' : 'Rate the service'}</title>` +
    preload +
    `<link rel="stylesheet" href="${ASSET_PREFIX}${assets.style.name}">` +
    `<script src="${ASSET_PREFIX}${assets.script.name}" defer></script>` +
    `</head><body><main id="app" aria-busy="true"><p class="loading">${zh ? '正在加载…' : 'Loading…'}</p></main>` +
    `<noscript><p>${zh ? '请在浏览器中启用 JavaScript 后评价。' : 'Please enable JavaScript to rate.'}</p></noscript>` +
    '</body></html>'
  );
}

export function registerRatingPage(app: App, context: Pick<AppContext, 'log'>): void {
  const assets = ratingAssets();
  // The server is not ready until the page is built: a broken build fails the start, not a rater.
  app.addHook('onReady', async () => {
    const { script, style } = await assets;
    context.log.debug({ script: script.name, scriptGzipBytes: script.gzipped.length, style: style.name, styleGzipBytes: style.gzipped.length }, 'rating page built');
  });

  // Whatever follows /rate/ (a token, or a link cut short or run on by an SMS app), the same
  // shell: the API judges the link and the page shows its answer in words, never a bare 404.
  app.get('/rate/*', { schema: { hide: true } }, async (request, reply) => {
    const token = (request.params as { '*'?: string })['*'] ?? '';
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', RATING_PAGE_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .send(shell(await assets, token, prefsOf({}, request.headers.cookie).prefs));
  });

  app.get(`${ASSET_PREFIX}:name`, { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const asset = (await assets).byName.get(request.params.name);
    return asset ? sendAsset(request, reply, asset) : reply.callNotFound();
  });
}
