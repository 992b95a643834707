// The poster page's script (/p/<window|staff>/<token>, rendered by src/pages/place-page.ts in one
// language). It rates the window or staff member itself (the rating form's rules from form.ts,
// the optional phone and the receipt from contact.ts), and lets the applicant of a case served
// there open its rating: by the code on their receipt or the counter screen, or by an SMS code
// sent to the phone registered with the case. The poster itself never lists a case.
import { callApi, type Answer } from './api.ts';
import { contactFields, receiptCard, refreshContact } from './contact.ts';
import { byId, h, replaceChildren, store } from './dom.ts';
import { beijingTime, bodyOf, chooseAnonymous, installIdOf, chooseLevel, emptyForm, isBad, isStored, newClientId, problemsOf, type FormModel, type LevelChoice, type Problem } from './form.ts';
import { placeSay, type PlaceTextKey } from './place-texts.ts';
import { say, type Lang, type TextKey } from './texts.ts';

const lang: Lang = document.documentElement.lang === 'en' ? 'en' : 'zh';
const api = location.pathname.replace(/^\/p\//, '/api/v1/public/places/');
const t = (key: PlaceTextKey, values?: Record<string, string | number>) => placeSay(lang, key, values);

/** An API refusal in the page's language, or the network message when nothing came back. */
function trouble(answer: Answer): string {
  if (answer.ok) return '';
  if (answer.error) return (lang === 'zh' ? answer.error.message : answer.error.messageEn) ?? answer.error.code;
  return t('network');
}

function showError(id: string, text: string): void {
  const el = byId(id);
  if (el) replaceChildren(el, [text]);
}

/** The path of one of our own links (the API answers with full URLs of the public site). */
const pathOf = (url: string) => {
  const at = url.indexOf('/rate/');
  return at >= 0 ? url.slice(at) : url;
};

// ---- the applicant's own case ----

const receiptForm = byId<HTMLFormElement>('receipt-form');
receiptForm?.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>('receipt-code');
  const code = input?.value.trim() ?? '';
  if (!code) return showError('receipt-err', t('needCode'));
  showError('receipt-err', t('opening'));
  void callApi('POST', `${api}/receipt-code`, { code }).then((answer) => {
    const url = answer.ok ? (answer.body as { url?: unknown }).url : undefined;
    if (typeof url === 'string') location.href = pathOf(url);
    else showError('receipt-err', trouble(answer));
  });
});

let challengeId = '';

byId<HTMLFormElement>('sms-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const phone = byId<HTMLInputElement>('sms-phone')?.value.trim() ?? '';
  if (!phone) return showError('sms-err', t('needPhone'));
  showError('sms-err', t('sendingCode'));
  void callApi('POST', `${api}/sms-code`, { phone }).then((answer) => {
    const body = answer.ok ? (answer.body as { challengeId?: unknown; expiresAt?: unknown }) : null;
    if (!body || typeof body.challengeId !== 'string' || typeof body.expiresAt !== 'string') return showError('sms-err', trouble(answer));
    challengeId = body.challengeId;
    showError('sms-err', '');
    const verify = byId('verify-form');
    if (verify) verify.hidden = false;
    const sent = byId('sms-sent');
    if (sent) replaceChildren(sent, [t('smsSent', { until: beijingTime(body.expiresAt).slice(11) })]);
    byId<HTMLInputElement>('sms-code')?.focus();
  });
});

byId<HTMLFormElement>('verify-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = byId<HTMLInputElement>('sms-code')?.value.trim() ?? '';
  if (!/^\d{6}$/.test(code)) return showError('verify-err', t('needSmsCode'));
  showError('verify-err', t('checking'));
  void callApi('POST', `${api}/sms-code/${encodeURIComponent(challengeId)}`, { code }).then((answer) => {
    const stages = answer.ok ? (answer.body as { stages?: unknown }).stages : undefined;
    if (!Array.isArray(stages)) return showError('verify-err', trouble(answer));
    showError('verify-err', '');
    const list = byId('own-stages');
    if (!list) return;
    const items = stages as Array<{ itemName: string; completedAt: string; url: string }>;
    replaceChildren(list, [
      items.length === 0
        ? h('p', { class: 'notice warn', role: 'status' }, t('noCases'))
        : h(
            'div',
            null,
            h('h3', null, t('yourCases')),
            h(
              'ul',
              { class: 'links' },
              ...items.map((s) => h('li', null, h('a', { href: pathOf(s.url) }, s.itemName, h('span', { class: 'hint' }, t('completedAt', { at: beijingTime(s.completedAt) }))))),
            ),
          ),
    ]);
  });
});

// ---- the rating of the place itself ----

const form = byId<HTMLFormElement>('rate');
if (form) wireRating(form);

function wireRating(rateForm: HTMLFormElement): void {
  const levels = JSON.parse(rateForm.getAttribute('data-levels') ?? '[]') as LevelChoice[];
  const maxChars = Number(rateForm.getAttribute('data-max') ?? '500');
  const clientId = newClientId(window.crypto).replace(/[^A-Za-z0-9_-]/g, '');
  let model: FormModel = emptyForm();
  const slot = byId('contact-slot');
  if (slot) replaceChildren(slot, [contactFields(lang, { level: model.level, anonymous: model.anonymous, phone: model.phone })]);
  const refresh = () => refreshContact(lang, { level: model.level, anonymous: model.anonymous, phone: model.phone });

  rateForm.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === 'level') {
      model = chooseLevel(model, Number(target.value), levels);
      const reasons = byId('reasons');
      if (reasons) reasons.hidden = !isBad(model.level);
      refresh();
    } else if (target.name === 'anonymous') {
      model = chooseAnonymous(model, target.checked);
      refresh();
    }
  });

  rateForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const reasons = [].slice.call(rateForm.querySelectorAll<HTMLInputElement>('input[name=reason]:checked')) as HTMLInputElement[];
    const allowed = levels.find((l) => l.level === model.level)?.indicators.map((i) => i.code) ?? [];
    model = {
      ...model,
      indicators: isBad(model.level) ? reasons.map((r) => r.value).filter((code) => allowed.indexOf(code) >= 0) : [],
      comment: byId<HTMLTextAreaElement>('comment')?.value ?? '',
      phone: byId<HTMLInputElement>('phone')?.value ?? '',
      website: byId<HTMLInputElement>('website')?.value ?? '',
    };
    const problems = problemsOf(model, maxChars);
    const first = problems[0];
    if (first) return showError('rate-err', problemText(first, model, maxChars));
    showError('rate-err', say(lang, 'sending'));
    const sent = bodyOf(model, clientId, installIdOf(store, window.crypto));
    void callApi('POST', `${api}/rating`, sent).then((answer) => {
      if (!answer.ok || !isStored(answer.body)) return showError('rate-err', answer.ok ? t('network') : trouble(answer));
      rateForm.hidden = true;
      const done = byId('rate-done');
      if (!done) return;
      done.hidden = false;
      replaceChildren(done, [
        h('h3', { class: 'notice ok', role: 'status' }, t('rateDone')),
        receiptCard(lang, answer.body.receiptNo, { anonymousBad: isBad(sent.level) && sent.anonymous, qr: false, site: location.host }),
      ]);
    });
  });
}

function problemText(problem: Problem, model: FormModel, maxChars: number): string {
  const keys: Record<Problem, TextKey> = { level: 'needLevel', indicators: 'needIndicator', comment: 'commentOver', phone: 'phoneInvalid' };
  return say(lang, keys[problem], { n: Array.from(model.comment).length - maxChars });
}
