// The citizen's rating page (/rate/<token>), bundled by src/pages/rating-assets.ts into one small
// script for old web views (WeChat, Alipay): loads what the link rates, offers five levels, the
// level's indicators, a comment, the anonymous switch and an optional phone, posts once (a retry
// keeps the attempt's clientId, so the server stores it once), and shows the receipt number.
// Large-text mode and the language are remembered on the device, shared with the public pages.
import { callApi, type Answer, type ApiError } from './api.ts';
import { contactFields, receiptCard, receiptPath, refreshContact } from './contact.ts';
import { byId, h, replaceChildren, store, type Child } from './dom.ts';
import {
  beijingTime,
  bodyOf,
  charCount,
  chooseAnonymous,
  chooseLevel,
  emptyForm,
  installIdOf,
  isBad,
  isRatingInfo,
  isStored,
  newClientId,
  problemsOf,
  toggleIndicator,
  type FormModel,
  type Problem,
  type RatingInfo,
  type Stored,
} from './form.ts';
import { applyPrefs, saveBig, savedBig, savedLang, saveLang } from './prefs.ts';
import { say, type Lang, type TextKey } from './texts.ts';

type Trouble = 'expired' | 'invalid' | 'closed' | 'network' | 'busy' | 'other';

type View =
  | { kind: 'loading' }
  | { kind: 'form'; info: RatingInfo }
  | { kind: 'rated'; info: RatingInfo }
  | { kind: 'done'; stored: Stored; level: number; anonymous: boolean }
  | { kind: 'trouble'; trouble: Trouble; error: ApiError | null };

interface Notice {
  key?: TextKey;
  server?: ApiError;
  error: boolean;
}

const token = location.pathname.replace(/^.*\/rate\//, '').replace(/\/+$/, '');
const apiUrl = '/api/v1/public/ratings/' + token;
const TOKEN = /^[A-Za-z0-9._-]{10,100}$/;

let lang: Lang = savedLang();
let big = savedBig();
let view: View = { kind: 'loading' };
let model: FormModel = emptyForm();
/** The clientId of the attempt being sent; kept across retries, dropped once the server answered. */
let attempt: string | null = null;
let sending = false;
let retrying = false;
let shown: Problem[] = [];
let notice: Notice | null = null;

const t = (key: TextKey, values?: Record<string, string | number>) => say(lang, key, values);
const serverText = (error: ApiError) => (lang === 'zh' ? error.message : error.messageEn) || error.message || error.code;
const stars = (level: number) => '★★★★★'.slice(0, level) + '☆☆☆☆☆'.slice(0, 5 - level);

// ---------------------------------------------------------------------------------------------
// Loading and sending

async function load(after: TextKey | null = null, moveFocus = false): Promise<void> {
  // Asked before anything is drawn: on the first load the answer is already on its way (the
  // shell preloads it). A token cut short or run on by an SMS app cannot be a link: not asked.
  const asked: Promise<Answer> = TOKEN.test(token) ? callApi('GET', apiUrl) : Promise.resolve({ ok: false, status: 404, error: null });
  view = { kind: 'loading' };
  render();
  const answer = await asked;
  model = emptyForm();
  attempt = null;
  retrying = false;
  shown = [];
  notice = after ? { key: after, error: false } : null;
  if (answer.ok && isRatingInfo(answer.body)) {
    const info = answer.body;
    view = info.status === 'rated' ? { kind: 'rated', info } : { kind: 'form', info };
  } else {
    view = troubleView(answer);
  }
  render(moveFocus);
}

function troubleView(answer: Answer): View {
  const error = answer.ok ? null : answer.error;
  const code = error ? error.code : '';
  let trouble: Trouble = 'other';
  if (answer.ok || answer.status === 0 || answer.status >= 500) trouble = 'network';
  else if (code === 'LINK_EXPIRED') trouble = 'expired';
  else if (code === 'EVALUATION_WINDOW_CLOSED') trouble = 'closed';
  else if (answer.status === 429) trouble = 'busy';
  // A malformed token fails the API's parameter checks (400, 404, 414) before it is looked up.
  else if (code === 'LINK_INVALID' || answer.status === 400 || answer.status === 404 || answer.status === 414) trouble = 'invalid';
  return { kind: 'trouble', trouble, error };
}

async function submit(): Promise<void> {
  if (sending || view.kind !== 'form') return;
  const problems = problemsOf(model, view.info.commentMaxChars);
  shown = problems;
  refreshProblems();
  if (problems[0]) {
    setNotice(null);
    focusProblem(problems[0]);
    return;
  }
  const level = model.level ?? 0;
  const anonymous = model.anonymous;
  if (!attempt) attempt = newClientId(window.crypto);
  sending = true;
  setNotice({ key: 'sending', error: false });
  const answer = await callApi('POST', apiUrl, bodyOf(model, attempt, installIdOf(store, window.crypto)));
  sending = false;
  if (answer.ok && isStored(answer.body)) {
    attempt = null;
    retrying = false;
    model = emptyForm();
    notice = null;
    view = { kind: 'done', stored: answer.body, level, anonymous };
    render(true);
    return;
  }
  // No answer, or no sensible one: the rating may or may not be stored. Same clientId on retry.
  if (answer.ok || answer.status === 0 || answer.status >= 500) {
    retrying = true;
    setNotice({ key: 'networkSubmit', error: true });
    return;
  }
  if (answer.status === 429) {
    setNotice({ key: 'rateLimited', error: true });
    return;
  }
  // A refusal ends the attempt: the next press is a new one.
  attempt = null;
  retrying = false;
  const code = answer.error ? answer.error.code : '';
  if (code === 'LINK_EXPIRED' || code === 'LINK_INVALID' || code === 'EVALUATION_WINDOW_CLOSED') {
    view = troubleView(answer);
    render(true);
  } else if (code === 'EVALUATION_ALREADY_EXISTS') {
    await load('alreadyNotice', true);
  } else if (code === 'EVALUATION_INDICATOR_REQUIRED' || code === 'EVALUATION_COMMENT_TOO_LONG' || code === 'PII_INVALID') {
    const problem: Problem = code === 'PII_INVALID' ? 'phone' : code === 'EVALUATION_COMMENT_TOO_LONG' ? 'comment' : 'indicators';
    shown = [problem];
    refreshProblems();
    setNotice(null);
    focusProblem(problem);
  } else {
    setNotice(answer.error ? { server: answer.error, error: true } : { key: 'networkSubmit', error: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render(moveFocus = false): void {
  applyPrefs(lang, big);
  document.title = t('title');
  renderBar();
  const main = byId('app');
  if (!main) return;
  main.setAttribute('aria-busy', view.kind === 'loading' ? 'true' : 'false');
  replaceChildren(main, content());
  if (view.kind === 'form') {
    wireForm();
    renderIndicators();
    refreshProblems();
    renderNotice();
  }
  if (moveFocus) byId('top')?.focus();
}

function renderBar(): void {
  let bar = byId('bar');
  if (!bar) {
    bar = h(
      'header',
      { id: 'bar', class: 'bar' },
      h('span', { id: 'brand', class: 'brand' }),
      h('button', { type: 'button', id: 'big', class: 'tool' }),
      h('button', { type: 'button', id: 'lang', class: 'tool' }),
    );
    document.body.insertBefore(bar, document.body.firstChild);
    byId('big')?.addEventListener('click', () => {
      big = !big;
      saveBig(big);
      render();
    });
    byId('lang')?.addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      saveLang(lang);
      render();
    });
  }
  replaceChildren(byId('brand') ?? bar, [t('brand')]);
  const bigButton = byId('big');
  if (bigButton) {
    bigButton.setAttribute('aria-pressed', big ? 'true' : 'false');
    replaceChildren(bigButton, [h('span', { 'aria-hidden': 'true', class: 'glyph' }, 'A+'), ' ', t('big')]);
  }
  const langButton = byId('lang');
  if (langButton) {
    langButton.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
    replaceChildren(langButton, [t('switchLang')]);
  }
}

function content(): Child[] {
  switch (view.kind) {
    case 'loading':
      return [h('p', { class: 'loading', role: 'status' }, t('loading'))];
    case 'form':
      return formView(view.info);
    case 'rated':
      return ratedView(view.info);
    case 'done':
      return doneView(view.stored, view.level, view.anonymous);
    case 'trouble':
      return troubleContent(view.trouble, view.error);
  }
}

function levelName(info: RatingInfo, level: number): string {
  for (const choice of info.levels) if (choice.level === level) return choice[lang];
  return String(level);
}

function receiptLink(receiptNo: string, text: string): HTMLElement {
  return h('a', { href: receiptPath(receiptNo) }, text);
}

/** What is rated, in three short lines, so that the five choices still fit on a phone's first screen. */
function caseFacts(info: RatingInfo): HTMLElement {
  const c = info.case;
  const org = c.regionName && c.orgName.indexOf(c.regionName) < 0 ? `${c.regionName} ${c.orgName}` : c.orgName;
  const where = [org, c.windowName, c.staffName ? `${t('staff')} ${c.staffName}` : null].filter((part) => part).join(' · ');
  return h(
    'div',
    { class: 'facts' },
    h('p', { class: 'item' }, c.itemName),
    h('p', { class: 'meta' }, where),
    h('p', { class: 'meta' }, `${t('completedAt')} ${beijingTime(c.completedAt)}`),
  );
}

function formView(info: RatingInfo): Child[] {
  const followUp = info.status === 'follow_up';
  const first = info.first;
  const intro: Child[] = [
    h('h1', { id: 'top', tabindex: -1 }, t(followUp ? 'followUpHeading' : 'heading')),
    followUp ? h('p', { class: 'first' }, t('followUpIntro')) : null,
    followUp && first ? h('p', { class: 'first' }, `${t('firstWas')}：${levelName(info, first.level)} · ${t('receiptLabel')} `, receiptLink(first.receiptNo, first.receiptNo)) : null,
    caseFacts(info),
  ];
  const levels = h(
    'div',
    { role: 'radiogroup', class: 'levels', 'aria-labelledby': 'levels-label', 'aria-required': 'true', 'aria-describedby': 'level-err' },
    ...info.levels.map((choice) =>
      h(
        'label',
        { class: `choice lv${choice.level}${model.level === choice.level ? ' on' : ''}`, for: `level-${choice.level}` },
        h('input', { type: 'radio', name: 'level', id: `level-${choice.level}`, value: choice.level, checked: model.level === choice.level }),
        h('span', { class: 'stars', 'aria-hidden': 'true' }, stars(choice.level)),
        h('span', { class: 'name' }, choice[lang]),
        h('span', { class: 'tick', 'aria-hidden': 'true' }, '✓'),
      ),
    ),
  );
  const comment = h('textarea', { id: 'comment', name: 'comment', rows: 4, 'aria-describedby': 'count comment-err' });
  (comment as HTMLTextAreaElement).value = model.comment;
  const form = h(
    'form',
    { id: 'form', novalidate: true },
    h('h2', { id: 'levels-label' }, t('levelsLabel')),
    levels,
    h('p', { id: 'level-err', class: 'err' }),
    h('div', { id: 'ind-box' }),
    h('label', { for: 'comment', class: 'label' }, t('comment')),
    comment,
    h('p', { id: 'count', class: 'count' }),
    h('p', { id: 'comment-err', class: 'err' }),
    contactFields(lang, model),
    // The honeypot: off-screen and out of the tab order; only robots fill it in.
    h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', null, 'Website ', h('input', { type: 'text', name: 'website', id: 'website', tabindex: -1, autocomplete: 'off' }))),
    h('p', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'status' }),
    h('button', { type: 'submit', id: 'submit', class: 'primary' }),
  );
  // One card: what is rated, then the form, so that the five choices fit on a phone's first screen.
  return [h('section', { class: 'card', 'aria-labelledby': 'top' }, ...intro, form), h('p', { class: 'note' }, t('voluntary'))];
}

function wireForm(): void {
  const form = byId<HTMLFormElement>('form');
  if (!form || view.kind !== 'form') return;
  const info = view.info;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  form.addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    if (input.name === 'level') {
      model = chooseLevel(model, Number(input.value), info.levels);
      const labels = form.querySelectorAll('.choice');
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i];
        if (label) label.className = label.className.replace(/ on\b/g, '') + (label.getAttribute('for') === input.id ? ' on' : '');
      }
      renderIndicators();
      refreshContact(lang, model);
    } else if (input.name === 'indicator') {
      model = toggleIndicator(model, input.value, input.checked);
    } else if (input.name === 'anonymous') {
      model = chooseAnonymous(model, input.checked);
      refreshContact(lang, model);
    }
    recheck();
  });
  form.addEventListener('input', (event) => {
    const field = event.target as HTMLInputElement;
    if (field.name === 'comment') {
      model = { ...model, comment: field.value };
      renderCount();
    } else if (field.name === 'phone') {
      model = { ...model, phone: field.value };
    } else if (field.name === 'website') {
      model = { ...model, website: field.value };
    }
    recheck();
  });
  renderCount();
}

/** Problems already pointed out disappear as soon as they are fixed. */
function recheck(): void {
  if (view.kind !== 'form' || shown.length === 0) return;
  const now = problemsOf(model, view.info.commentMaxChars);
  const still = shown.filter((p) => now.indexOf(p) >= 0);
  if (still.length !== shown.length) {
    shown = still;
    refreshProblems();
  }
}

function renderIndicators(): void {
  const box = byId('ind-box');
  if (!box || view.kind !== 'form') return;
  let choice = null;
  for (const l of view.info.levels) if (l.level === model.level) choice = l;
  if (!choice || choice.indicators.length === 0) {
    box.hidden = true;
    replaceChildren(box, []);
    return;
  }
  box.hidden = false;
  replaceChildren(box, [
    h(
      'fieldset',
      { class: 'indicators', 'aria-describedby': 'ind-err' },
      h('legend', null, t(isBad(model.level) ? 'indicatorsRequired' : 'indicatorsOptional')),
      ...choice.indicators.map((indicator) =>
        h(
          'label',
          { class: 'chip' },
          h('input', { type: 'checkbox', name: 'indicator', value: indicator.code, checked: model.indicators.indexOf(indicator.code) >= 0 }),
          h('span', null, indicator[lang]),
        ),
      ),
    ),
    h('p', { id: 'ind-err', class: 'err' }),
  ]);
  refreshProblems();
}

function renderCount(): void {
  const count = byId('count');
  if (!count || view.kind !== 'form') return;
  const max = view.info.commentMaxChars;
  const n = charCount(model.comment);
  count.className = n > max ? 'count over' : 'count';
  replaceChildren(count, [t('commentCount', { n, max }), n > max ? ` — ${t('commentOver', { n: n - max })}` : '']);
}

const PROBLEM_PLACES: Record<Problem, { error: string; field: string }> = {
  level: { error: 'level-err', field: 'levels-label' },
  indicators: { error: 'ind-err', field: 'ind-box' },
  comment: { error: 'comment-err', field: 'comment' },
  phone: { error: 'phone-err', field: 'phone' },
};

function problemText(problem: Problem): string {
  if (problem === 'level') return t('needLevel');
  if (problem === 'indicators') return t('needIndicator');
  if (problem === 'phone') return t('phoneInvalid');
  const over = view.kind === 'form' ? charCount(model.comment) - view.info.commentMaxChars : 0;
  return t('commentOver', { n: Math.max(over, 1) });
}

function refreshProblems(): void {
  for (const problem of Object.keys(PROBLEM_PLACES) as Problem[]) {
    const place = PROBLEM_PLACES[problem];
    const error = byId(place.error);
    const on = shown.indexOf(problem) >= 0;
    if (error) replaceChildren(error, [on ? problemText(problem) : '']);
    const field = problem === 'level' ? document.querySelector('.levels') : problem === 'indicators' ? document.querySelector('.indicators') : byId(place.field);
    if (field) field.setAttribute('aria-invalid', on ? 'true' : 'false');
  }
}

function focusProblem(problem: Problem): void {
  const target =
    problem === 'level'
      ? document.querySelector<HTMLInputElement>('input[name=level]')
      : problem === 'indicators'
        ? document.querySelector<HTMLInputElement>('input[name=indicator]')
        : byId(PROBLEM_PLACES[problem].field);
  if (target) {
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: 'center' });
  }
}

function setNotice(next: Notice | null): void {
  notice = next;
  renderNotice();
  // A problem is said just above the button that was pressed: keep both in sight.
  const button = byId('submit');
  if (next && next.error && button && button.scrollIntoView) button.scrollIntoView({ block: 'nearest' });
}

function renderNotice(): void {
  const status = byId('status');
  const button = byId('submit');
  if (status) {
    status.className = notice && notice.error ? 'status error' : 'status';
    replaceChildren(status, [notice ? (notice.server ? serverText(notice.server) : notice.key ? t(notice.key) : '') : '']);
  }
  if (button) {
    const followUp = view.kind === 'form' && view.info.status === 'follow_up';
    button.setAttribute('aria-disabled', sending ? 'true' : 'false');
    replaceChildren(button, [t(sending ? 'sending' : retrying ? 'retry' : followUp ? 'submitFollowUp' : 'submit')]);
  }
}

function doneView(stored: Stored, level: number, anonymous: boolean): Child[] {
  const followUp = stored.assessNumber === 2;
  const again = h('button', { type: 'button', class: 'secondary', id: 'follow-up' }, t('followUpButton'));
  again.addEventListener('click', () => void load(null, true));
  return [
    h(
      'section',
      { class: 'card done', 'aria-labelledby': 'top' },
      h('p', { class: 'mark ok', 'aria-hidden': 'true' }, '✓'),
      h('h1', { id: 'top', tabindex: -1 }, t(followUp ? 'doneFollowUpHeading' : 'doneHeading')),
      isBad(level) ? h('p', null, t('badDoneHint')) : null,
      receiptCard(lang, stored.receiptNo, { anonymousBad: isBad(level) && anonymous, qr: false, site: location.host }),
      stored.followUpAllowed ? h('p', { class: 'hint' }, t('followUpOffer')) : null,
      stored.followUpAllowed ? again : null,
    ),
  ];
}

function ratedView(info: RatingInfo): Child[] {
  const first = info.first;
  return [
    h(
      'section',
      { class: 'card done', 'aria-labelledby': 'top' },
      h('p', { class: 'mark ok', 'aria-hidden': 'true' }, '✓'),
      h('h1', { id: 'top', tabindex: -1 }, t('ratedHeading')),
      notice && notice.key ? h('p', null, t(notice.key)) : null,
      h('p', null, t('ratedBody')),
      first ? h('p', null, `${t('firstWas')}：${levelName(info, first.level)} · ${t('receiptLabel')} `, receiptLink(first.receiptNo, first.receiptNo)) : null,
    ),
    h('section', { class: 'card case' }, caseFacts(info)),
  ];
}

const TROUBLES: Record<Trouble, { heading: TextKey; body: TextKey | null; mark: string; retry: boolean }> = {
  expired: { heading: 'expiredHeading', body: 'expiredBody', mark: '!', retry: false },
  invalid: { heading: 'invalidHeading', body: 'invalidBody', mark: '×', retry: false },
  closed: { heading: 'closedHeading', body: 'closedBody', mark: '!', retry: false },
  network: { heading: 'networkHeading', body: 'networkBody', mark: '!', retry: true },
  busy: { heading: 'busyHeading', body: 'rateLimited', mark: '…', retry: true },
  other: { heading: 'otherHeading', body: null, mark: '!', retry: true },
};

function troubleContent(trouble: Trouble, error: ApiError | null): Child[] {
  const shape = TROUBLES[trouble];
  let retry: HTMLElement | null = null;
  if (shape.retry) {
    retry = h('button', { type: 'button', class: 'primary', id: 'reload' }, t('reload'));
    retry.addEventListener('click', () => void load(null, true));
  }
  return [
    h(
      'section',
      { class: `card trouble ${trouble}`, 'aria-labelledby': 'top', 'data-trouble': trouble },
      h('p', { class: 'mark', 'aria-hidden': 'true' }, shape.mark),
      h('h1', { id: 'top', tabindex: -1 }, t(shape.heading)),
      h('p', { role: 'alert' }, shape.body ? t(shape.body) : error ? serverText(error) : t('networkBody')),
      retry,
    ),
  ];
}

void load();
