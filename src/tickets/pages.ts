// The two small pages a rater reaches from a reply: the callback link (/c/<token>) and the
// progress behind a receipt number (/r/<receiptNo>). Server-rendered, no framework, a few hundred
// bytes of script; large type and plain words for a phone. The full rating pages come with the
// rating page (src/pages/) may restyle these.
import { Type } from 'typebox';
import { checkLink } from '../links/signed-link.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { escapeHtml, message, page } from '../pages/simple-page.ts';
import { CALLBACK_LINK } from './commands.ts';
import { findByReceipt, normalizeReceiptNo, repliesOf } from './queries.ts';
import { findTicket } from './store.ts';

const OUTCOMES: Array<[string, string, string]> = [
  ['satisfied', '满意', 'Satisfied'],
  ['basically_satisfied', '基本满意', 'Basically satisfied'],
  ['unsatisfied', '不满意', 'Unsatisfied'],
];

// Posts the choice as JSON to the API and says what happened; the buttons work by keyboard and screen reader.
const CALLBACK_SCRIPT = `document.querySelectorAll('button[data-outcome]').forEach(function(b){b.addEventListener('click',function(){
var r=document.getElementById('result');r.textContent='正在提交… / Sending…';
fetch(location.pathname.replace('/c/','/api/v1/callbacks/'),{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({outcome:b.dataset.outcome})})
.then(function(x){return x.json().then(function(j){if(x.ok){document.getElementById('choices').hidden=true;r.textContent='感谢您的评价！/ Thank you!';}else{r.textContent=j.message+' / '+j.messageEn;}});})
.catch(function(){r.textContent='网络异常，请重试 / Network error, please retry';});});});`;

export function registerRaterPages(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>, limits: PublicLimits): void {
  const db = context.database.db;

  app.get('/c/:token', { onRequest: [limits.perIp], schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const check = checkLink(context.config.links.key, CALLBACK_LINK, request.params.token, context.clock());
    if (!check.ok) {
      return check.code === 'LINK_EXPIRED'
        ? page(reply, 410, '链接已过期', message('链接已过期', 'This link has expired.'))
        : page(reply, 404, '链接无效', message('链接无效', 'This link is not valid.'));
    }
    const ticket = await findTicket(db, check.claims.subjectId);
    const answer = ticket ? (await repliesOf(db, ticket.id)).at(-1) : undefined;
    if (!ticket || !answer) return page(reply, 404, '链接无效', message('链接无效', 'This link is not valid.'));
    const open = ticket.state === 'replied' && ticket.version === check.claims.version;
    const header = `<h1>整改结果回访 <span class="en" lang="en">How was the fix?</span></h1><p>回执号 / Receipt：${escapeHtml(ticket.receipt_no)}</p><p>答复 / Answer：</p><p class="reply">${escapeHtml(answer.text)}</p>`;
    if (!open) return page(reply, 200, '整改结果回访', `${header}${message('您已评价过，谢谢！', 'You have already answered. Thank you!')}`);
    const buttons = OUTCOMES.map(([value, zh, en]) => `<button type="button" data-outcome="${value}">${zh} <span lang="en">${en}</span></button>`).join('');
    return page(reply, 200, '整改结果回访', `${header}<div id="choices" role="group" aria-label="对整改结果的评价 / your view of the fix">${buttons}</div><p id="result" role="status" aria-live="polite"></p>`, CALLBACK_SCRIPT);
  });

  app.get('/r/:receiptNo', { onRequest: [limits.perIp], schema: { hide: true, params: Type.Object({ receiptNo: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const receiptNo = normalizeReceiptNo(request.params.receiptNo);
    const found = receiptNo ? await findByReceipt(db, receiptNo) : undefined;
    if (!found) return page(reply, 404, '回执号不存在', message('回执号不存在，请核对', 'Unknown receipt number; please check it.'));
    const { evaluation, ticket } = found;
    const level = LEVEL_NAMES[evaluation.level] ?? { zh: '', en: '' };
    const status = !ticket
      ? ''
      : ticket.state === 'replied' || ticket.state.startsWith('closed')
        ? '<p>状态：已答复 / Status: answered</p>'
        : `<p>状态：处理中，将于 ${escapeHtml(ticket.reply_due_at.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }))} 前答复 / Status: in progress</p>`;
    const replies = ticket ? (await repliesOf(db, ticket.id)).map((r) => `<p class="reply">${escapeHtml(r.text)}</p>`).join('') : '';
    return page(
      reply,
      200,
      '评价回执',
      `<h1>评价回执 <span class="en" lang="en">Your rating</span></h1><p>回执号 / Receipt：${escapeHtml(evaluation.receipt_no)}</p><p>评价 / Rating：${escapeHtml(level.zh)} <span lang="en">${escapeHtml(level.en)}</span></p>${status}${replies}`,
    );
  });
}
