// The public front door, GET /: what a citizen can do here (look up a receipt, see the honor roll,
// how to rate), in one language at a time; and the page a citizen's browser gets for an address
// that does not exist, instead of the API's JSON error.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/app-type.ts';
import { registerPublicPageAssets, sayIn, sendPublicPage, type Lang } from './public-page.ts';

export function landingBody(lang: Lang): string {
  const t = sayIn(lang);
  const link = (href: string, title: string, hint: string) => `<li><a href="${href}">${title}<span class="hint">${hint}</span></a></li>`;
  return (
    `<section class="card" aria-labelledby="top"><h1 id="top">${t('政务服务“好差评”', 'Rating government services')}</h1>` +
    `<p>${t('办完事，您可以对每一次政务服务作出评价。不满意的评价（差评）由办理单位核实整改，并在 15 天内答复。', 'After each government service you can rate it. A bad rating goes to the office that handled it, which checks, puts it right and answers within 15 days.')}</p></section>` +
    `<nav aria-label="${t('您可以', 'What you can do')}"><ul class="links">` +
    link('/r', t('查询评价回执', 'Look up a rating receipt'), t('凭回执号查看处理进度和答复，评价整改结果', 'See the progress and the answer behind your receipt number, and rate the fix')) +
    link('/honor-roll', t('好评榜', 'Honor roll'), t('各市（州）、县（市、区）和省直部门的得分排名', 'How prefectures, counties and provincial departments score')) +
    `</ul></nav>` +
    `<section class="card" aria-labelledby="how"><h2 id="how">${t('怎样评价', 'How to rate')}</h2><ul>` +
    `<li>${t('办件办结后，打开短信中的评价链接，或扫描窗口、回执上的评价二维码；', 'When your case is done, open the rating link in the SMS, or scan the rating QR code at the window or on your receipt;')}</li>` +
    `<li>${t('在政务服务大厅，可以在窗口的评价器上评价；', 'in a service hall, use the evaluator at the window;')}</li>` +
    `<li>${t('也可以拨打 12345 热线。', 'or call the 12345 hotline.')}</li></ul>` +
    `<p class="hint">${t('评价完全自愿，任何人不得强迫或诱导您评价。', 'Rating is voluntary: nobody may force or steer your rating.')}</p></section>` +
    `<p class="hint"><a href="/docs">${t('接入文档（面向开发者）', 'API documentation (for developers)')}</a></p>`
  );
}

/** For a browser asking for a page (not the API): a page that says so, with the way home. */
export function wantsPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return request.method === 'GET' && !path.startsWith('/api/') && /\btext\/html\b/.test(String(request.headers.accept ?? ''));
}

export function sendNotFoundPage(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return sendPublicPage(request, reply, { path: '/' }, (prefs) => {
    const t = sayIn(prefs.lang);
    return {
      status: 404,
      title: t('页面不存在', 'Page not found'),
      body: `<section class="card"><h1>${t('页面不存在', 'Page not found')}</h1><p>${t('请核对网址。', 'Please check the address.')}</p><p><a href="/">${t('返回首页', 'Go to the home page')}</a> · <a href="/r">${t('查询评价回执', 'Look up a rating receipt')}</a></p></section>`,
    };
  });
}

export function registerLandingPage(app: App): void {
  registerPublicPageAssets(app);
  app.get('/', { schema: { hide: true } }, async (request, reply) =>
    sendPublicPage(request, reply, { path: '/' }, (prefs) => ({ title: sayIn(prefs.lang)('政务服务好差评', 'Government service ratings'), body: landingBody(prefs.lang), cacheControl: 'public, max-age=300' })),
  );
}
