// The rater's pages after a rating, in one language at a time with large type on request
// (src/pages/public-page.ts), and no script at all: plain links and forms.
// - /r: type a receipt number (any case, spaces, dashes or none, O for 0, I or L for 1).
// - /r/<receiptNo>: the rating (level, Beijing time, 事项, 部门, region with its 市（州）), and for
//   a 差评 its progress: received, being handled and by when it is answered, each answer with its
//   date and the unit that gave it, each callback; and, when the latest answer is not called back
//   yet, the callback choice right there (an anonymous rater has no other way to give it).
// - /r/<receiptNo>/qr.svg: the QR code of that page, drawn for the hall evaluator's receipt.
// - /c/<token>: the signed callback link sent by SMS with the answer.
// The forms post url-encoded bodies to these page routes only (their own parser, in their own
// plugin scope); the JSON API beside them (src/tickets/routes.ts) does the same through JSON.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { beijingDay, beijingMinute } from '../clock.ts';
import { AppError } from '../errors.ts';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { checkLink } from '../links/signed-link.ts';
import { sayIn, sendPublicPage, type Lang, type Say } from '../pages/public-page.ts';
import { escapeHtml } from '../pages/simple-page.ts';
import { qrSvg } from '../posters/qr.ts';
import { answerCallback, answerCallbackByReceipt, CALLBACK_LINK, type TicketDeps } from './commands.ts';
import { normalizeReceiptNo, repliesOf } from './queries.ts';
import { receiptView, type ProgressStep, type RaterTicket, type ReceiptView } from './receipts.ts';
import { AWAITING_CALLBACK, type CallbackOutcome } from './state-machine.ts';
import { findTicket } from './store.ts';

const e = escapeHtml;
const OUTCOMES: ReadonlyArray<readonly [CallbackOutcome, string, string]> = [
  ['satisfied', '满意', 'Satisfied'],
  ['basically_satisfied', '基本满意', 'Basically satisfied'],
  ['unsatisfied', '不满意', 'Unsatisfied'],
];
const outcomeName = (t: Say, outcome: CallbackOutcome) => {
  const found = OUTCOMES.find(([value]) => value === outcome);
  return found ? t(found[1], found[2]) : e(outcome);
};
const isOutcome = (value: unknown): value is CallbackOutcome => OUTCOMES.some(([o]) => o === value);

export const receiptPagePath = (receiptNo: string) => `/r/${receiptNo}`;

// ---------------------------------------------------------------------------------------------
// Rendering (pure: a view and a language → HTML)

/** The form to type a receipt number, with a problem said beside the field. */
export function lookupForm(lang: Lang, value: string, problem: 'malformed' | 'unknown' | null): string {
  const t = sayIn(lang);
  const error =
    problem === 'malformed'
      ? t('回执号应为 12 位字母和数字，请核对。', 'A receipt number has 12 letters and digits; please check it.')
      : problem === 'unknown'
        ? t('没有找到这个回执号，请核对后重试。', 'No rating has this receipt number; please check it.')
        : '';
  return (
    `<form method="get" action="/r" class="lookup" novalidate>` +
    `<label class="field" for="no">${t('回执号', 'Receipt number')}</label>` +
    `<input class="text" id="no" name="no" value="${e(value)}" maxlength="40" autocomplete="off" autocapitalize="characters" spellcheck="false" enterkeyhint="search" aria-describedby="no-hint${problem ? ' no-err' : ''}"${problem ? ' aria-invalid="true"' : ''}>` +
    `<p class="hint" id="no-hint">${t('如 K7Q2-9XMD-3FPA；大小写、空格和横线都可以。', 'Like K7Q2-9XMD-3FPA; any case, with or without spaces and dashes.')}</p>` +
    (problem ? `<p class="err" id="no-err" role="alert">${error}</p>` : '') +
    `<button type="submit" class="primary">${t('查询', 'Look up')}</button></form>`
  );
}

export function lookupBody(lang: Lang, value: string, problem: 'malformed' | 'unknown' | null): string {
  const t = sayIn(lang);
  return (
    `<section class="card" aria-labelledby="top"><h1 id="top">${t('查询评价回执', 'Look up a rating receipt')}</h1>` +
    `<p>${t('输入评价后得到的回执号，可以查看您的评价、处理进度和办理单位的答复，并对整改结果作出评价。', 'Type the receipt number you got when you rated to see your rating, its progress and the office’s answer, and to say whether the fix satisfied you.')}</p>` +
    lookupForm(lang, value, problem) +
    `</section>`
  );
}

function factsHtml(t: Say, view: ReceiptView): string {
  const level = LEVEL_NAMES[view.level] ?? { zh: String(view.level), en: String(view.level) };
  const row = (label: string, value: string) => `<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return (
    `<dl class="facts">` +
    row(t('评价', 'Rating'), `${t(level.zh, level.en)}${view.assessNumber === 2 ? `（${t('追评', 'follow-up')}）` : ''}`) +
    row(t('评价时间', 'Rated on'), `${e(beijingMinute(view.assessedAt))}<span class="sr">${t('（北京时间）', ' (Beijing time)')}</span>`) +
    (view.itemName ? row(t('事项', 'Service'), e(view.itemName)) : '') +
    row(t('办理部门', 'Office'), e(view.orgName)) +
    (view.windowName ? row(t('窗口', 'Window'), e(view.windowName)) : '') +
    row(t('地区', 'Region'), e(view.regionName)) +
    (view.completedAt ? row(t('办结时间', 'Case completed'), e(beijingMinute(view.completedAt))) : '') +
    `</dl>`
  );
}

function statusHtml(t: Say, ticket: RaterTicket): string {
  switch (ticket.status) {
    case 'in_progress':
      return `<p class="notice warn">${t(`${ticket.unitName}正在核实整改，将于 ${beijingDay(ticket.replyDueAt)} 前答复。`, `${ticket.unitName} is looking into it and will answer by ${beijingDay(ticket.replyDueAt)}.`)}</p>`;
    case 'replied':
      return `<p class="notice ok">${t(`${ticket.unitName}已答复，请看下面的答复，并告诉我们您对整改结果是否满意。`, `${ticket.unitName} has answered: read the answer below and tell us whether the fix satisfied you.`)}</p>`;
    case 'closed':
      return `<p class="notice ok">${t('已办结。感谢您的监督。', 'Closed. Thank you for keeping watch.')}</p>`;
    case 'closed_invalid':
      return `<p class="notice">${t('经上级部门复核，本条评价被认定为误评或恶意评价，不计入考核，已办结。', 'On review by the supervising office, this rating was found mistaken or malicious; it does not count, and the matter is closed.')}</p>`;
    case 'closed_cannot_fix':
      return `<p class="notice">${t('经上级部门批准，该问题暂时无法整改，已办结，说明见下。', 'The supervising office agreed that this cannot be put right for now; the matter is closed, with the explanation below.')}</p>`;
  }
}

function stepHtml(t: Say, step: ProgressStep, unitName: string): string {
  const when = `<span class="when">${e(beijingMinute(step.at))}</span>`;
  const what = (text: string) => `<span class="what">${text}</span>`;
  switch (step.kind) {
    case 'received':
      return `<li>${when}${what(t(`评价已收到，转交${unitName}处理`, `Rating received and passed to ${unitName}`))}</li>`;
    case 'verified':
      return `<li>${when}${what(t(`${unitName}已核实情况，正在整改`, `${unitName} has checked what happened and is putting it right`))}</li>`;
    case 'reply':
      return `<li>${when}${what(t(`${step.by}答复：`, `Answer from ${step.by}:`))}<p class="reply">${e(step.text)}</p></li>`;
    case 'callback': {
      const outcome = outcomeName(t, step.outcome);
      const who = step.byRater ? t('您对整改结果的评价：', 'Your view of the fix: ') : t('电话回访，您对整改结果的评价：', 'Asked by phone, your view of the fix: ');
      const again = step.reopens ? t('，单位将重新整改并再次答复', '; the office will put it right and answer again') : '';
      return `<li>${when}${what(`${who}${outcome}${again}`)}</li>`;
    }
    case 'appeal_upheld':
      return `<li>${when}${what(t('经上级部门复核，不予采纳', 'Not upheld on review by the supervising office'))}</li>`;
    case 'cannot_fix':
      return `<li>${when}${what(t(`经上级部门批准无法整改，${step.by}说明：`, `Agreed as cannot be put right; ${step.by} explains:`))}<p class="reply">${e(step.text)}</p></li>`;
  }
}

function progressHtml(t: Say, ticket: RaterTicket): string {
  const now =
    ticket.status === 'in_progress'
      ? `<li class="now"><span class="what">${t(`处理中，${beijingDay(ticket.replyDueAt)} 前答复`, `In hand, to be answered by ${beijingDay(ticket.replyDueAt)}`)}</span></li>`
      : '';
  return `<ol class="progress">${ticket.steps.map((s) => stepHtml(t, s, ticket.unitName)).join('')}${now}</ol>`;
}

/** The three answers to "are you satisfied with the fix?", posted to `action`. */
export function callbackForm(t: Say, action: string, version: number | null): string {
  const buttons = OUTCOMES.map(([value, zh, en]) => `<button type="submit" class="choice-button" name="outcome" value="${value}">${t(zh, en)}</button>`).join('');
  return (
    `<form method="post" action="${e(action)}" class="callback">` +
    (version === null ? '' : `<input type="hidden" name="version" value="${version}">`) +
    `<fieldset class="outcomes" aria-describedby="outcome-hint"><legend id="outcomes">${t('您对整改结果满意吗？', 'Are you satisfied with how it was put right?')}</legend>` +
    `<p class="hint" id="outcome-hint">${t('只能评价一次。选择“不满意”，单位将重新整改并再次答复。', 'You can answer once. “Unsatisfied” sends it back to the office to put right and answer again.')}</p>` +
    `${buttons}</fieldset></form>`
  );
}

export type ReceiptNotice = 'sent' | 'not_open' | 'reply_changed' | null;

export function receiptBody(lang: Lang, view: ReceiptView, notice: ReceiptNotice): string {
  const t = sayIn(lang);
  const ticket = view.ticket;
  const noticeHtml =
    notice === 'sent'
      ? `<p class="notice ok" role="status">${t('感谢您对整改结果作出评价！', 'Thank you for rating the fix!')}</p>`
      : notice === 'not_open'
        ? `<p class="notice bad" role="alert">${t('现在不能评价整改结果：尚未答复，或已经回访过。', 'The fix cannot be rated now: it has not been answered yet, or it has already been called back.')}</p>`
        : notice === 'reply_changed'
          ? `<p class="notice bad" role="alert">${t('单位刚作出了新的答复，请阅读后再评价。', 'The office has just given a new answer; please read it before rating.')}</p>`
          : '';
  const head =
    `<section class="card" aria-labelledby="top"><h1 id="top">${t('评价回执', 'Rating receipt')}</h1>` +
    `<p class="muted" id="no-label">${t('回执号', 'Receipt number')}</p><p class="receipt-no" aria-labelledby="no-label">${e(view.receiptNo)}</p>` +
    noticeHtml +
    factsHtml(t, view) +
    `</section>`;
  if (!ticket) {
    return (
      head +
      `<section class="card"><p>${t('感谢您的评价！满意和基本满意的评价不需要单位答复；如有意见，可以用同一链接追评一次。', 'Thank you for rating! Satisfied ratings need no answer; if you have more to say, the same link takes one follow-up rating.')}</p></section>` +
      footerHtml(t)
    );
  }
  const anonymousNote = view.anonymous
    ? `<p class="hint">${t('您是匿名评价的：单位的答复只在这里显示，请保存好回执号。', 'You rated anonymously: the office’s answer is shown only here, so keep your receipt number.')}</p>`
    : '';
  const callback = ticket.callback.open
    ? `<section class="card" aria-labelledby="outcomes">${callbackForm(t, `${receiptPagePath(view.receiptNo)}/callback`, ticket.callback.version)}</section>`
    : '';
  return (
    head +
    `<section class="card" aria-labelledby="progress"><h2 id="progress">${t('处理进度', 'Progress')}</h2>${statusHtml(t, ticket)}${progressHtml(t, ticket)}${anonymousNote}</section>` +
    callback +
    footerHtml(t)
  );
}

const footerHtml = (t: Say) => `<p><a href="/r">${t('查询其他回执', 'Look up another receipt')}</a> · <a href="/">${t('首页', 'Home')}</a></p>`;

// ---------------------------------------------------------------------------------------------
// Routes

/** The url-encoded fields of a small form; one parser, for these page routes only. */
function acceptForms(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 2048 }, (_request, body, done) => {
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(String(body))) fields[name] = value;
    done(null, fields);
  });
}

const field = (request: FastifyRequest, name: string): string | undefined => {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = Reflect.get(body, name);
  return typeof value === 'string' ? value : undefined;
};

const seeOther = (reply: FastifyReply, location: string) => reply.header('cache-control', 'no-store').redirect(location, 303);

export function registerRaterPages(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'calendar'>, limits: PublicLimits): void {
  const db = context.database.db;
  const deps: TicketDeps = { db, config: context.config, clock: context.clock, calendar: context.calendar };
  const ReceiptParam = Type.Object({ receiptNo: Type.String({ maxLength: 40 }) });

  app.get('/r', { onRequest: [limits.perIp], schema: { hide: true, querystring: Type.Object({ no: Type.Optional(Type.String({ maxLength: 100 })) }) } }, async (request, reply) => {
    const typed = request.query.no;
    if (typed === undefined || typed.trim() === '') {
      return sendPublicPage(request, reply, { path: '/r' }, (prefs) => ({ title: sayIn(prefs.lang)('查询评价回执', 'Look up a rating receipt'), body: lookupBody(prefs.lang, '', null) }));
    }
    const receiptNo = normalizeReceiptNo(typed);
    if (receiptNo) return seeOther(reply, receiptPagePath(receiptNo));
    return sendPublicPage(request, reply, { path: '/r', keep: { no: typed } }, (prefs) => ({ status: 400, title: sayIn(prefs.lang)('查询评价回执', 'Look up a rating receipt'), body: lookupBody(prefs.lang, typed, 'malformed') }));
  });

  app.get(
    '/r/:receiptNo',
    { onRequest: [limits.perIp], schema: { hide: true, params: ReceiptParam, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) } },
    async (request, reply) => {
      const receiptNo = normalizeReceiptNo(request.params.receiptNo);
      if (receiptNo && receiptNo !== request.params.receiptNo) return reply.redirect(receiptPagePath(receiptNo), 301);
      const view = receiptNo ? await receiptView(db, receiptNo) : undefined;
      if (!view) {
        return sendPublicPage(request, reply, { path: '/r', keep: { no: request.params.receiptNo } }, (prefs) => ({
          status: 404,
          title: sayIn(prefs.lang)('查询评价回执', 'Look up a rating receipt'),
          body: lookupBody(prefs.lang, request.params.receiptNo, receiptNo ? 'unknown' : 'malformed'),
        }));
      }
      const notice: ReceiptNotice = request.query.done === 'sent' || request.query.done === 'not_open' || request.query.done === 'reply_changed' ? request.query.done : null;
      return sendPublicPage(request, reply, { path: receiptPagePath(view.receiptNo) }, (prefs) => ({ title: sayIn(prefs.lang)('评价回执', 'Rating receipt'), body: receiptBody(prefs.lang, view, notice) }));
    },
  );

  app.get('/r/:receiptNo/qr.svg', { onRequest: [limits.perIp], schema: { hide: true, params: ReceiptParam } }, async (request, reply) => {
    const receiptNo = normalizeReceiptNo(request.params.receiptNo);
    if (!receiptNo) throw new AppError('RECEIPT_NOT_FOUND');
    // A picture of an address, the same for everyone: whether the receipt exists is not said here.
    return reply
      .type('image/svg+xml')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .send(await qrSvg(`${context.config.http.publicBaseUrl}${receiptPagePath(receiptNo)}`));
  });

  app.get('/c/:token', { onRequest: [limits.perIp], schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 100 }) }), querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) } }, async (request, reply) => {
    const path = `/c/${request.params.token}`;
    const check = checkLink(context.config.links.key, CALLBACK_LINK, request.params.token, context.clock());
    const problem = (status: number, zh: string, en: string) =>
      sendPublicPage(request, reply, { path }, (prefs) => {
        const t = sayIn(prefs.lang);
        return { status, title: t(zh, en), body: `<section class="card"><h1>${t(zh, en)}</h1><p>${t('您可以凭回执号查看答复。', 'You can read the answer behind your receipt number.')}</p><p><a href="/r">${t('查询评价回执', 'Look up a rating receipt')}</a></p></section>` };
      });
    if (!check.ok) return check.code === 'LINK_EXPIRED' ? problem(410, '链接已过期', 'This link has expired') : problem(404, '链接无效', 'This link is not valid');
    const ticket = await findTicket(db, check.claims.subjectId);
    const answer = ticket ? (await repliesOf(db, ticket.id)).at(-1) : undefined;
    if (!ticket || !answer) return problem(404, '链接无效', 'This link is not valid');
    const unit = await db.selectFrom('org').select('name').where('id', '=', ticket.org_id).executeTakeFirst();
    const open = AWAITING_CALLBACK.has(ticket.state) && ticket.version === check.claims.version;
    const sent = request.query.done === 'sent';
    return sendPublicPage(request, reply, { path }, (prefs) => {
      const t = sayIn(prefs.lang);
      const by = unit?.name ?? '';
      const body =
        `<section class="card" aria-labelledby="top"><h1 id="top">${t('整改结果回访', 'How was it put right?')}</h1>` +
        `<p>${t('回执号', 'Receipt number')} <a href="${receiptPagePath(ticket.receipt_no)}">${e(ticket.receipt_no)}</a></p>` +
        `<p class="reply-by">${t(`${by}于 ${beijingMinute(answer.at)} 答复：`, `${by} answered on ${beijingMinute(answer.at)}:`)}</p><p class="reply">${e(answer.text)}</p></section>` +
        (sent
          ? `<p class="notice ok" role="status">${t('感谢您的评价！', 'Thank you for your answer!')}</p>`
          : open
            ? `<section class="card" aria-labelledby="outcomes">${callbackForm(t, path, null)}</section>`
            : `<p class="notice">${t('您已评价过，谢谢！', 'You have already answered. Thank you!')}</p>`) +
        `<p><a href="${receiptPagePath(ticket.receipt_no)}">${t('查看全部处理进度', 'See the whole progress')}</a></p>`;
      return { title: t('整改结果回访', 'How was it put right?'), body };
    });
  });

  // The two forms post here, url-encoded; a success is answered with a redirect (post/redirect/get).
  void app.register(async (plain) => {
    acceptForms(plain);
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();

    scope.post('/r/:receiptNo/callback', { onRequest: [limits.perIp, limits.submitPerIp, limits.submitPerLink], schema: { hide: true, params: ReceiptParam } }, async (request, reply) => {
      const receiptNo = normalizeReceiptNo(request.params.receiptNo);
      const outcome = field(request, 'outcome');
      const version = Number(field(request, 'version'));
      if (!receiptNo || !isOutcome(outcome) || !Number.isInteger(version)) throw new AppError('VALIDATION_FAILED');
      try {
        await answerCallbackByReceipt(deps, receiptNo, version, outcome);
        return seeOther(reply, `${receiptPagePath(receiptNo)}?done=sent`);
      } catch (error) {
        if (error instanceof AppError && error.code === 'CALLBACK_NOT_OPEN') return seeOther(reply, `${receiptPagePath(receiptNo)}?done=not_open`);
        if (error instanceof AppError && error.code === 'CALLBACK_REPLY_CHANGED') return seeOther(reply, `${receiptPagePath(receiptNo)}?done=reply_changed`);
        throw error;
      }
    });

    scope.post('/c/:token', { onRequest: [limits.perIp, limits.submitPerIp, limits.submitPerLink], schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
      const path = `/c/${request.params.token}`;
      const outcome = field(request, 'outcome');
      if (!isOutcome(outcome)) throw new AppError('VALIDATION_FAILED');
      const check = checkLink(context.config.links.key, CALLBACK_LINK, request.params.token, context.clock());
      // An expired or spent link shows its page, which says so.
      if (!check.ok) return seeOther(reply, path);
      try {
        await answerCallback(deps, check.claims.subjectId, check.claims.version, outcome);
      } catch (error) {
        if (error instanceof AppError && (error.code === 'LINK_EXPIRED' || error.code === 'TICKET_NOT_FOUND')) return seeOther(reply, path);
        throw error;
      }
      return seeOther(reply, `${path}?done=sent`);
    });
  });
}
