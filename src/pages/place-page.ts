// The page behind a poster's QR code, /p/<window|staff>/<token>, in the frame of the public pages
// (one language at a time, 大字模式, both remembered): the rating of the window or staff member
// itself, with the optional phone and the receipt as on the rating page and the hall evaluator;
// and, for the applicant of a case served there, a way to open that case's rating by proving who
// they are (the code on their receipt or the counter screen, or an SMS code sent to the phone
// registered with the case). The poster hangs on a wall for anyone: it never lists a case.
// The script (client/place.ts) is a hashed asset of this site; the page works on the public place API.
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { levelChoices } from '../ratings/queries.ts';
import { placeFacts, placeIdOf, type PlaceKind } from '../ratings/places.ts';
import { AppError } from '../errors.ts';
import { buildScriptAsset, sendAsset, type Asset } from './page-assets.ts';
import { sayIn, sendPublicPage, type Prefs, type PublicPage } from './public-page.ts';
import { escapeHtml } from './simple-page.ts';

const ASSET_PREFIX = '/assets/place/';
let built: Promise<Asset> | undefined;

/** The page's script, built on first use and shared by every app in the process. */
export function placeScript(): Promise<Asset> {
  built ??= buildScriptAsset('place', fileURLToPath(new URL('./client/place.ts', import.meta.url)));
  return built;
}

type Place = NonNullable<Awaited<ReturnType<typeof placeFacts>>>;
type Levels = ReturnType<typeof levelChoices>;

function invalidPage(prefs: Prefs): PublicPage {
  const t = sayIn(prefs.lang);
  return {
    status: 404,
    title: t('二维码无效', 'This code is not valid'),
    body: `<section class="card"><h1>${t('二维码无效', 'This code is not valid')}</h1><p>${t('请核对二维码是否完整，或询问窗口工作人员。', 'Check that the code is whole, or ask at the window.')}</p></section>`,
  };
}

/** The page in the reader's language: the place, the applicant's own case, the rating of the place. */
export function placePageBody(prefs: Prefs, kind: PlaceKind, place: Place, levels: Levels, commentMaxChars: number): string {
  const t = sayIn(prefs.lang);
  const name = (choice: { zh: string; en: string }) => escapeHtml(prefs.lang === 'zh' ? choice.zh : choice.en);
  const who = kind === 'window' ? escapeHtml(place.windowName ?? '') : `${escapeHtml(place.staffName ?? '')}${place.windowName ? ` · ${escapeHtml(place.windowName)}` : ''}`;
  const choices = levels.map((l) => `<label class="choice"><input type="radio" name="level" value="${l.level}"> ${name(l)}</label>`).join('');
  // The reasons of every 差评 level, once each; the script keeps those of the level chosen.
  const bad = new Map<string, { zh: string; en: string }>();
  for (const l of levels) if (BAD_LEVELS.has(l.level)) for (const i of l.indicators) bad.set(i.code, i);
  const reasons = [...bad].map(([code, i]) => `<label class="choice"><input type="checkbox" name="reason" value="${escapeHtml(code)}"> ${name(i)}</label>`).join('');
  const levelsData = escapeHtml(JSON.stringify(levels));
  return (
    `<section class="card"><h1>${escapeHtml(place.orgName)}</h1><p class="muted">${escapeHtml(place.regionName)} · ${who}</p></section>` +
    `<section class="card" id="own"><h2>${t('评价您本人刚办理的事项', 'Rate the service you received')}</h2>` +
    `<p class="hint">${t(
      '为保护他人信息，这里不显示任何办件。请输入回执或窗口屏幕上的评价码，或用办件登记的手机号获取短信验证码。',
      'To protect everyone’s information, no case is shown here. Type the code on your receipt or the counter screen, or get an SMS code on the mobile number registered with your case.',
    )}</p>` +
    `<form id="receipt-form" novalidate><label class="field" for="receipt-code">${t('评价码（回执或窗口屏幕上）', 'Code on your receipt or the counter screen')}</label>` +
    `<input class="text" id="receipt-code" name="code" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="40" aria-describedby="receipt-err">` +
    `<p class="err" id="receipt-err" role="alert"></p><button class="secondary" type="submit">${t('打开评价', 'Open the rating')}</button></form>` +
    `<form id="sms-form" novalidate><label class="field" for="sms-phone">${t('或：办件登记的手机号', 'Or: the mobile number registered with your case')}</label>` +
    `<input class="text" id="sms-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" aria-describedby="sms-err">` +
    `<p class="err" id="sms-err" role="alert"></p><button class="secondary" type="submit">${t('发送短信验证码', 'Send me a code by SMS')}</button></form>` +
    `<form id="verify-form" hidden novalidate><p class="notice" id="sms-sent" role="status"></p>` +
    `<label class="field" for="sms-code">${t('短信验证码（6位）', 'Code from the SMS (6 digits)')}</label>` +
    `<input class="text" id="sms-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" aria-describedby="verify-err">` +
    `<p class="err" id="verify-err" role="alert"></p><button class="secondary" type="submit">${t('确认', 'Confirm')}</button></form>` +
    `<div id="own-stages"></div></section>` +
    `<section class="card"><h2>${kind === 'window' ? t('评价本窗口服务', 'Rate this window') : t('评价工作人员服务', 'Rate this staff member')}</h2>` +
    `<form id="rate" novalidate data-max="${commentMaxChars}" data-levels="${levelsData}">` +
    `<fieldset class="levels"><legend>${t('您对本次服务满意吗？', 'How satisfied are you?')}</legend>${choices}</fieldset>` +
    `<fieldset id="reasons" class="levels" hidden><legend>${t('不满意的原因（请至少选择一项）', 'What went wrong? (choose at least one)')}</legend>${reasons}</fieldset>` +
    `<label class="field" for="comment">${t('文字评价（选填）', 'Comment (optional)')}</label>` +
    `<textarea id="comment" name="comment" class="text" maxlength="${commentMaxChars}" rows="3"></textarea>` +
    `<div id="contact-slot"></div>` +
    `<input id="website" name="website" class="trap" tabindex="-1" autocomplete="off" aria-hidden="true">` +
    `<p class="err" id="rate-err" role="alert"></p><button class="primary" type="submit">${t('提交评价', 'Submit')}</button></form>` +
    `<div id="rate-done" hidden></div>` +
    `<p class="hint">${t('评价完全自愿，任何人不得强迫或诱导您评价。', 'Rating is voluntary: nobody may force or steer your rating.')}</p></section>` +
    `<noscript><p class="notice warn">${t('请在浏览器中启用 JavaScript 后评价。', 'Please enable JavaScript to rate.')}</p></noscript>`
  );
}

export function registerPlacePage(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'intake'>, limits: PublicLimits): void {
  const db = context.database.db;
  const script = placeScript();
  // A broken script fails the start, not a reader.
  app.addHook('onReady', async () => {
    await script;
  });

  app.get(`${ASSET_PREFIX}:name`, { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const asset = await script;
    return request.params.name === asset.name ? sendAsset(request, reply, asset) : reply.callNotFound();
  });

  app.get(
    '/p/:kind/:token',
    { onRequest: [limits.perIp], schema: { hide: true, params: Type.Object({ kind: Type.Union([Type.Literal('window'), Type.Literal('staff')]), token: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const { kind, token } = request.params;
      let place: Place | undefined;
      try {
        place = await placeFacts(db, kind, placeIdOf(context.config, kind, token, context.clock()));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
      const asset = await script;
      return sendPublicPage(request, reply, { path: `/p/${kind}/${token}` }, (prefs) => {
        if (!place) return invalidPage(prefs);
        const t = sayIn(prefs.lang);
        // A window or a staff member is rated on the service in person: the offline indicators.
        const levels = levelChoices(context.intake.catalogue, 'offline');
        return {
          title: t('服务评价', 'Rate the service'),
          body: placePageBody(prefs, kind, place, levels, context.config.rules.commentMaxChars),
          scriptSrc: `${ASSET_PREFIX}${asset.name}`,
        };
      });
    },
  );
}
