// The hall evaluator and self-service terminal page (/kiosk), full screen, bundled by
// src/kiosk/page.ts. It keeps the device credential (given once through the setup link's
// #device=… or typed on the setup screen), listens to the device's event stream, shows the
// rating screen of each case stage completed at its window, and posts ratings through the device's
// own rating API (the pushed link is bound to this device's credential), each with the moment it
// was made. Ratings wait in a localStorage outbox until the server has answered for them.
// One language on screen at a time (a switch in the corner; every rater starts in Chinese). A 差评
// offers an optional phone (an on-screen number pad beside the field), so that the answer can
// reach the rater; after each rating its receipt number and the QR code of its receipt page stay
// on screen to be photographed (a rating saved offline has no number yet, and the screen says so).
import { contactFields, receiptCard } from '../../pages/client/contact.ts';
import { h, replaceChildren, type Child } from '../../pages/client/dom.ts';
import { isBad, normalizePhone, phoneIsValid } from '../../pages/client/form.ts';
import { say, type Lang } from '../../pages/client/texts.ts';
import { createSseParser } from './sse.ts';
import { dequeue, enqueue, newClientId, noteAttempt, outcomeOf, readQueue, retryDelay, withMadeAt, type QueuedRating } from './queue.ts';
import { kioskSay, type KioskTextKey } from './texts.ts';

const CREDENTIAL_KEY = 'hcp.kiosk.device';
const LEVELS_KEY = 'hcp.kiosk.levels';
const DONE_KEY = 'hcp.kiosk.done';
const RATE_TIMEOUT_MS = 60_000;
// Long enough to photograph the receipt; a 差评's receipt is how an anonymous rater reads the answer.
const THANKS_MS = 30_000;
const THANKS_BAD_MS = 90_000;
const STREAM_SILENCE_MS = 40_000; // heartbeats come every 15 s
const REQUEST_TIMEOUT_MS = 15_000;

interface Choice {
  code: string;
  zh: string;
  en: string;
}
interface Level {
  level: number;
  zh: string;
  en: string;
  indicators: Choice[];
}
interface DeviceInfo {
  name: string;
  windowName: string;
  orgName: string;
}
interface RatePush {
  type: 'rate';
  stageId: string;
  token: string;
  itemName: string;
  completedAt: string;
}

const DEFAULT_LEVELS: Level[] = [
  { level: 5, zh: '非常满意', en: 'Very satisfied', indicators: [] },
  { level: 4, zh: '满意', en: 'Satisfied', indicators: [] },
  { level: 3, zh: '基本满意', en: 'Basically satisfied', indicators: [] },
  { level: 2, zh: '不满意', en: 'Dissatisfied', indicators: [] },
  { level: 1, zh: '非常不满意', en: 'Very dissatisfied', indicators: [] },
];

const storage = window.localStorage;
const app = document.getElementById('app') as HTMLElement;

// ---- state ----
let credential = storage.getItem(CREDENTIAL_KEY);
let device: DeviceInfo | null = null;
let streamUp = false;
let current: RatePush | null = null;
let screenTimer: ReturnType<typeof setTimeout> | undefined;
let abortStream: (() => void) | null = null;
let started = false;
let wake: (() => void) | null = null;
/** Each rater starts in Chinese; the switch holds until the screen goes back to idle. */
let lang: Lang = 'zh';
/** Redraws the screen on show in the other language. */
let redraw: (() => void) | null = null;
/** Receipt numbers of delivered ratings, by clientId, for the thanks screen. */
const receipts: Record<string, string> = {};

const t = (key: KioskTextKey, values?: Record<string, string | number>) => kioskSay(lang, key, values);
const name = (choice: { zh: string; en: string }) => (lang === 'zh' ? choice.zh : choice.en);

const indicator = h('p', { id: 'net', role: 'status', hidden: true });
const langButton = h('button', { type: 'button', id: 'lang', class: 'lang' });
langButton.addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  if (current) setTimer(RATE_TIMEOUT_MS, idle);
  if (redraw) redraw();
});

function show(screen: string, draw: () => Child[]): void {
  redraw = () => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    app.className = `screen-${screen}`;
    replaceChildren(app, draw());
    langButton.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
    replaceChildren(langButton, [t('switchLang')]);
    app.appendChild(langButton);
    app.appendChild(indicator);
    renderIndicator();
  };
  redraw();
}

function renderIndicator(): void {
  const waiting = readQueue(storage).length;
  const notSetUp = !credential;
  const offline = !streamUp;
  indicator.hidden = !notSetUp && !offline && waiting === 0;
  indicator.className = notSetUp ? 'unset' : offline ? 'offline' : 'pending';
  // A device with no credential has never been set up: it is not "offline".
  const state = t(notSetUp ? 'notSetUp' : offline ? 'offline' : 'online');
  indicator.textContent = waiting > 0 ? `${state} · ${t('waiting', { n: waiting })}` : state;
}

function doneStages(): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(DONE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}
/** A stage shown here and finished (rated, or left until the timeout) is not shown again. */
function markDone(stageId: string): void {
  storage.setItem(DONE_KEY, JSON.stringify(doneStages().filter((s) => s !== stageId).concat(stageId).slice(-50)));
}

function setTimer(ms: number, then: () => void): void {
  clearTimeout(screenTimer);
  screenTimer = setTimeout(then, ms);
}

/** A request of this device, with its credential. */
async function request(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Device ${credential ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
      signal: controller.signal,
    });
    let json: unknown = null;
    try {
      json = await response.json();
    } catch {
      // a proxy's error page: judged by its status alone
    }
    return { status: response.status, json };
  } catch {
    return { status: 0, json: null };
  } finally {
    clearTimeout(timer);
  }
}

// ---- screens ----
function idle(): void {
  clearTimeout(screenTimer);
  if (current) markDone(current.stageId);
  current = null;
  lang = 'zh';
  show('idle', () => [
    h(
      'div',
      { class: 'idle' },
      h('h1', null, t('idleHeading')),
      device ? h('p', { class: 'window' }, device.windowName) : null,
      device ? h('p', { class: 'org' }, device.orgName) : null,
      h('p', { class: 'hint' }, t('idleHint')),
    ),
  ]);
}

function setup(problem?: KioskTextKey): void {
  const input = h('input', { id: 'credential', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'setup-problem' }) as HTMLInputElement;
  const save = h('button', { type: 'button', class: 'primary' });
  save.addEventListener('click', () => {
    const value = input.value.trim().replace(/^Device\s+/i, '');
    if (!/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/i.test(value)) return setup('credentialMalformed');
    storage.setItem(CREDENTIAL_KEY, value);
    credential = value;
    start();
  });
  show('setup', () => {
    replaceChildren(save, [t('save')]);
    return [
      h(
        'div',
        { class: 'setup' },
        h('h1', null, t('setupHeading')),
        h('p', null, t('setupBody')),
        h('label', { for: 'credential' }, t('credential')),
        input,
        save,
        h('p', { id: 'setup-problem', class: 'problem', role: 'alert' }, problem ? t(problem) : ''),
      ),
    ];
  });
}

function cachedLevels(): Level[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(LEVELS_KEY) ?? 'null');
    return Array.isArray(parsed) && parsed.length === 5 ? (parsed as Level[]) : DEFAULT_LEVELS;
  } catch {
    return DEFAULT_LEVELS;
  }
}

async function onPush(push: RatePush): Promise<void> {
  if (doneStages().indexOf(push.stageId) >= 0 || (current && current.stageId === push.stageId)) return;
  const answer = await request('GET', `/api/v1/kiosk/ratings/${encodeURIComponent(push.token)}`);
  let levels = cachedLevels();
  if (answer.status === 200 && answer.json && typeof answer.json === 'object') {
    const info = answer.json as { status?: string; levels?: Level[] };
    // Rated already (by another channel, or a queued rating here arrived): nothing to ask.
    if (info.status !== 'open') return markDone(push.stageId);
    if (Array.isArray(info.levels) && info.levels.length === 5) {
      levels = info.levels;
      storage.setItem(LEVELS_KEY, JSON.stringify(levels));
    }
  } else if (answer.status !== 0) {
    return markDone(push.stageId); // expired or invalid link: the server has said no
  }
  if (current && current.stageId !== push.stageId) markDone(current.stageId);
  current = push;
  rate(push, levels);
}

function rate(push: RatePush, levels: Level[]): void {
  setTimer(RATE_TIMEOUT_MS, idle);
  show('rate', () => [
    h('header', null, h('h1', null, t('rateHeading')), h('p', { class: 'item' }, push.itemName), device ? h('p', { class: 'window' }, device.windowName) : null),
    h(
      'div',
      { class: 'levels', role: 'group', 'aria-label': t('levels') },
      ...levels.map((l) => {
        const button = h('button', { type: 'button', class: `level level-${l.level}`, 'data-level': l.level }, name(l));
        button.addEventListener('click', () => (isBad(l.level) ? reasons(push, l, levels, []) : submit(push, l.level, [], '')));
        return button;
      }),
    ),
  ]);
}

function reasons(push: RatePush, level: Level, levels: Level[], chosen: string[]): void {
  setTimer(RATE_TIMEOUT_MS, idle);
  show('bad', () => {
    const next = h('button', { type: 'button', class: 'primary', disabled: chosen.length === 0 }, t('next')) as HTMLButtonElement;
    const options = level.indicators.map((c) => {
      const toggle = h('button', { type: 'button', class: 'indicator', 'aria-pressed': chosen.indexOf(c.code) >= 0 ? 'true' : 'false' }, name(c));
      toggle.addEventListener('click', () => {
        setTimer(RATE_TIMEOUT_MS, idle);
        const at = chosen.indexOf(c.code);
        if (at >= 0) chosen.splice(at, 1);
        else chosen.push(c.code);
        toggle.setAttribute('aria-pressed', at >= 0 ? 'false' : 'true');
        next.disabled = chosen.length === 0;
      });
      return toggle;
    });
    const back = h('button', { type: 'button', class: 'secondary' }, t('back'));
    back.addEventListener('click', () => rate(push, levels));
    next.addEventListener('click', () => contact(push, level, levels, chosen.slice(), ''));
    return [
      h('header', null, h('h1', null, t('reasonsHeading', { level: name(level) }))),
      h('div', { class: 'indicators', role: 'group', 'aria-label': t('reasons') }, ...options),
      h('div', { class: 'actions' }, back, next),
    ];
  });
}

/** A 差评: an optional phone, so that the answer and the callback can reach the rater. */
function contact(push: RatePush, level: Level, levels: Level[], codes: string[], typed: string): void {
  setTimer(RATE_TIMEOUT_MS, idle);
  let phone = typed;
  show('contact', () => {
    const fields = contactFields(lang, { level: level.level, anonymous: false, phone }, { withSwitch: false });
    const input = fields.querySelector('input') as HTMLInputElement;
    input.setAttribute('inputmode', 'numeric');
    const error = fields.querySelector('#phone-err') as HTMLElement;
    const send = h('button', { type: 'button', class: 'primary', id: 'send' }) as HTMLButtonElement;
    const label = () => replaceChildren(send, [t(phone.trim() === '' ? 'submitWithout' : 'submit')]);
    const changed = () => {
      setTimer(RATE_TIMEOUT_MS, idle);
      input.value = phone;
      input.removeAttribute('aria-invalid');
      replaceChildren(error, []);
      label();
    };
    input.addEventListener('input', () => {
      phone = input.value;
      changed();
    });
    const key = (text: string, aria: string, press: () => void) => {
      const button = h('button', { type: 'button', class: 'key', 'aria-label': aria }, text);
      button.addEventListener('click', () => {
        press();
        changed();
      });
      return button;
    };
    const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d, d, () => (phone = (phone + d).slice(0, 20))));
    const keypad = h(
      'div',
      { class: 'keypad', role: 'group', 'aria-label': t('keypad') },
      ...digits,
      key(t('clear'), t('clear'), () => (phone = '')),
      key('0', '0', () => (phone = (phone + '0').slice(0, 20))),
      key('⌫', t('erase'), () => (phone = phone.slice(0, -1))),
    );
    const back = h('button', { type: 'button', class: 'secondary' }, t('back'));
    back.addEventListener('click', () => reasons(push, level, levels, codes));
    send.addEventListener('click', () => {
      if (phone.trim() !== '' && !phoneIsValid(phone)) {
        input.setAttribute('aria-invalid', 'true');
        replaceChildren(error, [say(lang, 'phoneInvalid')]);
        input.focus();
        return;
      }
      submit(push, level.level, codes, phone);
    });
    label();
    return [
      h('header', null, h('h1', null, t('contactHeading'))),
      h('div', { class: 'contact-row' }, h('div', { class: 'contact-fields' }, fields), keypad),
      h('div', { class: 'actions' }, back, send),
    ];
  });
}

function submit(push: RatePush, level: number, codes: string[], phone: string): void {
  const number = phone.trim() === '' ? '' : normalizePhone(phone);
  // When it was made goes with it: one kept offline is judged by that moment, not by its arrival.
  const body: QueuedRating['body'] = { clientId: newClientId((b) => window.crypto.getRandomValues(b)), level, indicators: codes, anonymous: number === '', madeAt: new Date().toISOString() };
  if (number !== '') body.phone = number;
  const item: QueuedRating = { token: push.token, body, queuedAt: Date.now(), attempts: 0 };
  // Written before the first attempt: whatever happens next, the rating is on the device.
  enqueue(storage, item);
  markDone(push.stageId);
  current = null;
  let state: 'sending' | 'sent' | 'saved' = 'sending';
  const thanks = () =>
    show('thanks', () => {
      const receiptNo = receipts[body.clientId];
      const done = h('button', { type: 'button', class: 'secondary', id: 'done' }, t('done'));
      done.addEventListener('click', idle);
      return [
        h(
          'div',
          { class: 'thanks' },
          h('h1', null, t('thanks')),
          state === 'sent' && receiptNo
            ? receiptCard(lang, receiptNo, { anonymousBad: isBad(level) && body.anonymous, qr: true, site: location.host })
            : h('p', { class: 'note', id: 'delivery' }, t(state === 'saved' ? 'savedOffline' : state === 'sent' ? 'sent' : 'sending')),
          h('div', null, done),
        ),
      ];
    });
  thanks();
  setTimer(isBad(level) ? THANKS_BAD_MS : THANKS_MS, idle);
  void flush().then(() => {
    const waiting = readQueue(storage).some((q) => q.body.clientId === item.body.clientId);
    state = waiting ? 'saved' : 'sent';
    // Still the screen of this rating (not a new rating, not idle): say how it went.
    if (app.className === 'screen-thanks' && !current) thanks();
  });
}

// ---- delivery of the outbox ----
let flushing: Promise<void> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function flush(): Promise<void> {
  if (flushing) return flushing;
  clearTimeout(retryTimer);
  retryTimer = undefined;
  flushing = (async () => {
    for (;;) {
      const item = readQueue(storage)[0];
      if (!item) break;
      const answer = await request('POST', `/api/v1/kiosk/ratings/${encodeURIComponent(item.token)}`, withMadeAt(item));
      const outcome = outcomeOf(answer.status);
      if (outcome === 'retry') {
        retryTimer = setTimeout(() => void flush(), retryDelay(noteAttempt(storage, item.body.clientId)));
        break;
      }
      if (outcome === 'dropped') console.warn('kiosk: rating refused, dropped', answer.status, answer.json);
      const json = answer.json as { receiptNo?: unknown } | null;
      if (outcome === 'delivered' && json && typeof json.receiptNo === 'string') receipts[item.body.clientId] = json.receiptNo;
      dequeue(storage, item.body.clientId);
    }
  })().then(() => {
    flushing = null;
    renderIndicator();
  });
  return flushing;
}

// ---- the event stream ----
function onData(text: string): void {
  let message: { type?: string; device?: DeviceInfo; stageId?: unknown; token?: unknown };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    return;
  }
  if (message.type === 'hello' && message.device) {
    const first = device === null;
    device = message.device;
    if (first && app.className !== 'screen-rate' && app.className !== 'screen-bad' && app.className !== 'screen-contact' && app.className !== 'screen-thanks') idle();
  } else if (message.type === 'rate' && typeof message.token === 'string' && typeof message.stageId === 'string') {
    void onPush(message as unknown as RatePush);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake = null;
      resolve();
    }
    wake = done;
  });
}

function setStream(up: boolean): void {
  streamUp = up;
  renderIndicator();
}

async function listen(): Promise<void> {
  let delay = 1000;
  for (;;) {
    const controller = new AbortController();
    let silence: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(silence);
      silence = setTimeout(() => controller.abort(), STREAM_SILENCE_MS);
    };
    abortStream = () => controller.abort();
    try {
      alive();
      const response = await fetch('/api/v1/kiosk/events', { headers: { authorization: `Device ${credential ?? ''}`, accept: 'text/event-stream' }, cache: 'no-store', signal: controller.signal });
      if (response.status === 401) {
        clearTimeout(silence);
        storage.removeItem(CREDENTIAL_KEY);
        credential = null;
        setStream(false);
        started = false;
        return setup('credentialRefused');
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      setStream(true);
      delay = 1000;
      void flush();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parse = createSseParser(onData);
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        alive();
        parse(decoder.decode(chunk.value, { stream: true }));
      }
    } catch {
      // cut, aborted, or refused: try again below
    }
    clearTimeout(silence);
    abortStream = null;
    setStream(false);
    await pause(delay);
    delay = Math.min(delay * 2, 30_000);
  }
}

function consumeSetupLink(): void {
  const match = /(?:^#|&)device=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  storage.setItem(CREDENTIAL_KEY, decodeURIComponent(match[1]));
  credential = storage.getItem(CREDENTIAL_KEY);
  // The credential leaves the address bar and the history at once.
  history.replaceState(null, '', location.pathname);
}

function start(): void {
  if (!credential) return setup();
  idle();
  if (started) return;
  started = true;
  void listen();
  void flush();
}

window.addEventListener('online', () => {
  if (wake) wake();
  void flush();
});
window.addEventListener('offline', () => {
  if (abortStream) abortStream();
  setStream(false);
});
// A tap anywhere on the rating screens keeps them open.
document.addEventListener('pointerdown', () => {
  if (current) setTimer(RATE_TIMEOUT_MS, idle);
});

consumeSetupLink();
start();
