// The frame of every server-rendered page a citizen reads (landing, receipt, callback, honor roll,
// how to verify; the poster page may use it too): one language at a time, Chinese by default,
// English by the switch; a large-text mode (大字模式) as the rating page has; both remembered in
// cookies (hcp_lang, hcp_big) that the rating page reads and writes too (client/prefs.ts), so a
// choice made on one page holds on the others. The switch is a plain GET form, so it works with
// no script at all. One shared, hashed style sheet (client/public.css, cached for a year); no
// inline style; a page may add one inline script allowed by a per-response nonce.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { readCookie } from '../auth/session-cookie.ts';
import type { App } from '../http/app-type.ts';
import { buildStyleAsset, sendAsset, type Asset } from './page-assets.ts';
import { escapeHtml } from './simple-page.ts';

export type Lang = 'zh' | 'en';

export interface Prefs {
  lang: Lang;
  /** 大字模式: larger type, black on white, heavier lines. */
  big: boolean;
}

export const LANG_COOKIE = 'hcp_lang';
export const BIG_COOKIE = 'hcp_big';
const YEAR_SECONDS = 365 * 24 * 3600;
export const PUBLIC_ASSET_PREFIX = '/assets/public/';

const langOf = (value: unknown): Lang | null => (value === 'en' ? 'en' : value === 'zh' || value === 'zh-CN' ? 'zh' : null);
const bigOf = (value: unknown): boolean | null => (value === '1' ? true : value === '0' ? false : null);

/**
 * The reader's preferences: `?lang=en|zh` and `?big=1|0` (what the switch sends) win over the
 * cookies, and are to be remembered (`remember`); without either, Chinese in normal type.
 */
export function prefsOf(query: { lang?: unknown; big?: unknown }, cookieHeader: string | undefined): { prefs: Prefs; remember: Partial<Prefs> } {
  const askedLang = langOf(query.lang);
  const askedBig = bigOf(query.big);
  const remember: Partial<Prefs> = {};
  if (askedLang !== null) remember.lang = askedLang;
  if (askedBig !== null) remember.big = askedBig;
  return {
    prefs: {
      lang: askedLang ?? langOf(readCookie(cookieHeader, LANG_COOKIE)) ?? 'zh',
      big: askedBig ?? bigOf(readCookie(cookieHeader, BIG_COOKIE)) ?? false,
    },
    remember,
  };
}

/** Set-Cookie values for remembered preferences (not secret, readable by the rating page's script). */
export function prefCookies(remember: Partial<Prefs>): string[] {
  const cookie = (name: string, value: string) => `${name}=${value}; Path=/; Max-Age=${YEAR_SECONDS}; SameSite=Lax`;
  const cookies: string[] = [];
  if (remember.lang) cookies.push(cookie(LANG_COOKIE, remember.lang));
  if (remember.big !== undefined) cookies.push(cookie(BIG_COOKIE, remember.big ? '1' : '0'));
  return cookies;
}

/** A text in the page's language, escaped: `t('评价回执', 'Your receipt')`. */
export type Say = (zh: string, en: string) => string;
export const sayIn = (lang: Lang): Say => (zh, en) => escapeHtml(lang === 'zh' ? zh : en);

export interface PublicPage {
  status?: number;
  title: string;
  /** The main content, in the page's language (already escaped where it holds data). */
  body: string;
  /** Default no-store. A cached page varies by the preference cookies. */
  cacheControl?: string;
  /** One inline script, allowed by a nonce. */
  script?: string;
  /** Or one script file of this site (a hashed asset's path), loaded deferred. */
  scriptSrc?: string;
}

export interface PageFrame {
  /** The path the switch returns to (the page itself). */
  path: string;
  /** Query parameters of the page the switch keeps (e.g. the honor roll's period). */
  keep?: Record<string, string>;
}

let built: Promise<Asset> | undefined;

/** The shared style sheet of these pages, built on first use. */
export function publicStyle(): Promise<Asset> {
  built ??= buildStyleAsset('public', fileURLToPath(new URL('./client/public.css', import.meta.url)));
  return built;
}

/** The bar over every page: the name, 大字模式 and the language switch, as one GET form. */
export function barHtml(prefs: Prefs, frame: PageFrame): string {
  const t = sayIn(prefs.lang);
  const hidden = Object.entries(frame.keep ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const other: Lang = prefs.lang === 'zh' ? 'en' : 'zh';
  return (
    `<header class="bar"><a class="brand" href="/">${t('政务服务好差评', 'Government service ratings')}</a>` +
    `<form class="tools" method="get" action="${escapeHtml(frame.path)}">${hidden}` +
    `<button type="submit" class="tool" name="big" value="${prefs.big ? '0' : '1'}" aria-pressed="${prefs.big ? 'true' : 'false'}"><span class="glyph" aria-hidden="true">A+</span> ${t('大字模式', 'Large text')}</button>` +
    `<button type="submit" class="tool" name="lang" value="${other}" lang="${other === 'en' ? 'en' : 'zh-CN'}">${other === 'en' ? 'English' : '中文'}</button>` +
    `</form></header>`
  );
}

export function renderPublicPage(prefs: Prefs, frame: PageFrame, style: Asset, page: PublicPage, nonce: string | null): string {
  return (
    `<!doctype html><html lang="${prefs.lang === 'zh' ? 'zh-CN' : 'en'}"${prefs.big ? ' class="big"' : ''}><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="format-detection" content="telephone=no">' +
    `<title>${escapeHtml(page.title)}</title><link rel="stylesheet" href="${PUBLIC_ASSET_PREFIX}${style.name}"></head>` +
    `<body>${barHtml(prefs, frame)}<main id="main">${page.body}</main>` +
    (page.script && nonce ? `<script nonce="${nonce}">${page.script}</script>` : '') +
    (page.scriptSrc ? `<script src="${escapeHtml(page.scriptSrc)}" defer></script>` : '') +
    '</body></html>'
  );
}

/**
 * Answers with a page built in the reader's language: remembers a preference the switch sent,
 * and sets the headers every such page carries (no referrer, strict CSP, forms to this site only).
 */
export async function sendPublicPage(request: FastifyRequest, reply: FastifyReply, frame: PageFrame, build: (prefs: Prefs) => PublicPage | Promise<PublicPage>): Promise<FastifyReply> {
  const { prefs, remember } = prefsOf((request.query ?? {}) as { lang?: unknown; big?: unknown }, request.headers.cookie);
  const page = await build(prefs);
  const nonce = page.script ? randomBytes(12).toString('base64') : null;
  const cookies = prefCookies(remember);
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return reply
    .status(page.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('cache-control', page.cacheControl ?? 'no-store')
    .header('vary', 'Cookie')
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'self'; img-src 'self'; script-src ${nonce ? `'nonce-${nonce}'` : page.scriptSrc ? "'self'" : "'none'"}; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    )
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .send(renderPublicPage(prefs, frame, await publicStyle(), page, nonce));
}

export function registerPublicPageAssets(app: App): void {
  const style = publicStyle();
  // A broken style sheet fails the start, not a reader.
  app.addHook('onReady', async () => {
    await style;
  });
  app.get(`${PUBLIC_ASSET_PREFIX}:name`, { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const asset = await style;
    return request.params.name === asset.name ? sendAsset(request, reply, asset) : reply.callNotFound();
  });
}
