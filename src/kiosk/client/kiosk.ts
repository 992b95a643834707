// The hall evaluator and self-service terminal page (/kiosk), full screen, bundled by
// src/kiosk/page.ts. It keeps the device credential (given once through the setup link's
// #device=… or typed on the setup screen), listens to the device's event stream, shows the
// rating screen of each case stage completed at its window, and posts ratings through the public
// rating API. Ratings wait in a localStorage outbox until the server has answered for them.
import { BAD_LEVELS } from '../../evaluations/levels.ts';
import { createSseParser } from './sse.ts';
import { dequeue, enqueue, newClientId, noteAttempt, outcomeOf, readQueue, retryDelay, type QueuedRating } from './queue.ts';

const CREDENTIAL_KEY = 'hcp.kiosk.device';
const LEVELS_KEY = 'hcp.kiosk.levels';
const DONE_KEY = 'hcp.kiosk.done';
const RATE_TIMEOUT_MS = 60_000;
const THANKS_MS = 6_000;
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

// ---- tiny DOM helpers: text always as text nodes ----
type Child = Node | string | null | false;
function h(tag: string, attrs: Record<string, string | boolean> | null, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (attrs) for (const name in attrs) if (attrs[name] !== false) element.setAttribute(name, attrs[name] === true ? '' : String(attrs[name]));
  for (const child of children) if (child !== null && child !== false) element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}
const en = (text: string) => h('span', { lang: 'en', class: 'en' }, text);
function show(screen: string, ...children: Child[]): void {
  app.className = `screen-${screen}`;
  while (app.firstChild) app.removeChild(app.firstChild);
  for (const child of children) if (child) app.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  app.appendChild(indicator);
  renderIndicator();
}

// ---- state ----
let credential = storage.getItem(CREDENTIAL_KEY);
let device: DeviceInfo | null = null;
let streamUp = false;
let current: RatePush | null = null;
let screenTimer: ReturnType<typeof setTimeout> | undefined;
let abortStream: (() => void) | null = null;
let started = false;
let wake: (() => void) | null = null;

const indicator = h('p', { id: 'net', role: 'status', hidden: true });
function renderIndicator(): void {
  const waiting = readQueue(storage).length;
  const offline = !streamUp;
  indicator.hidden = !offline && waiting === 0;
  indicator.className = offline ? 'offline' : 'pending';
  indicator.textContent = `${offline ? '● 离线 Offline' : '● 在线 Online'}${waiting > 0 ? ` · 待提交 ${waiting} / ${waiting} waiting` : ''}`;
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

async function request(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
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
  show(
    'idle',
    h('div', { class: 'idle' },
      h('h1', null, '请为本窗口服务评价'),
      h('p', { class: 'lead', lang: 'en' }, 'Please rate our service'),
      device ? h('p', { class: 'window' }, device.windowName) : null,
      device ? h('p', { class: 'org' }, device.orgName) : null,
      h('p', { class: 'hint' }, '业务办结后，评价界面将自动出现 ', en('The rating screen appears when your case is done')),
    ),
  );
}

function setup(problem?: string): void {
  const input = h('input', { id: 'credential', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'setup-problem' }) as HTMLInputElement;
  const save = h('button', { type: 'button', class: 'primary' }, '保存 ', en('Save'));
  save.addEventListener('click', () => {
    const value = input.value.trim().replace(/^Device\s+/i, '');
    if (!/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/i.test(value)) return setup('凭证格式不正确 / The credential is malformed');
    storage.setItem(CREDENTIAL_KEY, value);
    credential = value;
    start();
  });
  show(
    'setup',
    h('div', { class: 'setup' },
      h('h1', null, '设备设置 ', en('Device setup')),
      h('p', null, '请管理员输入登记设备时获得的凭证。', en('An administrator types the credential given when the device was registered.')),
      h('label', { for: 'credential' }, '设备凭证 ', en('Device credential')),
      input,
      save,
      h('p', { id: 'setup-problem', class: 'problem', role: 'alert' }, problem ?? ''),
    ),
  );
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
  const answer = await request('GET', `/api/v1/public/ratings/${encodeURIComponent(push.token)}`);
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
  const choices = levels.map((l) =>
    (() => {
      const button = h('button', { type: 'button', class: `level level-${l.level}`, 'data-level': String(l.level) }, h('span', { class: 'zh' }, l.zh), en(l.en));
      button.addEventListener('click', () => (BAD_LEVELS.has(l.level) ? indicators(push, l, levels) : submit(push, l.level, [])));
      return button;
    })(),
  );
  show(
    'rate',
    h('header', null, h('h1', null, '请对本次服务进行评价 ', en('Please rate this service')), h('p', { class: 'item' }, push.itemName), device ? h('p', { class: 'window' }, device.windowName) : null),
    h('div', { class: 'levels', role: 'group', 'aria-label': '评价等级 / Rating' }, ...choices),
  );
}

function indicators(push: RatePush, level: Level, levels: Level[]): void {
  setTimer(RATE_TIMEOUT_MS, idle);
  const chosen: string[] = [];
  const send = h('button', { type: 'button', class: 'primary', disabled: true }, '提交评价 ', en('Submit')) as HTMLButtonElement;
  const options = level.indicators.map((c) => {
    const toggle = h('button', { type: 'button', class: 'indicator', 'aria-pressed': 'false' }, h('span', { class: 'zh' }, c.zh), en(c.en));
    toggle.addEventListener('click', () => {
      setTimer(RATE_TIMEOUT_MS, idle);
      const at = chosen.indexOf(c.code);
      if (at >= 0) chosen.splice(at, 1);
      else chosen.push(c.code);
      toggle.setAttribute('aria-pressed', at >= 0 ? 'false' : 'true');
      send.disabled = chosen.length === 0;
    });
    return toggle;
  });
  const back = h('button', { type: 'button', class: 'secondary' }, '返回 ', en('Back'));
  back.addEventListener('click', () => rate(push, levels));
  send.addEventListener('click', () => submit(push, level.level, chosen.slice()));
  show(
    'bad',
    h('header', null, h('h1', null, `${level.zh}：请选择原因（至少一项）`), h('p', { class: 'lead', lang: 'en' }, `${level.en}: what went wrong? (at least one)`)),
    h('div', { class: 'indicators', role: 'group', 'aria-label': '评价内容 / What went wrong' }, ...options),
    h('div', { class: 'actions' }, back, send),
  );
}

function submit(push: RatePush, level: number, codes: string[]): void {
  const item: QueuedRating = {
    token: push.token,
    body: { clientId: newClientId((b) => window.crypto.getRandomValues(b)), level, indicators: codes, anonymous: true },
    queuedAt: Date.now(),
    attempts: 0,
  };
  // Written before the first attempt: whatever happens next, the rating is on the device.
  enqueue(storage, item);
  markDone(push.stageId);
  current = null;
  const note = h('p', { class: 'note', id: 'delivery' }, '正在提交… ', en('Sending…'));
  show('thanks', h('div', { class: 'thanks' }, h('h1', null, '感谢您的评价！'), h('p', { class: 'lead', lang: 'en' }, 'Thank you for your rating!'), note));
  setTimer(THANKS_MS, idle);
  void flush().then(() => {
    const waiting = readQueue(storage).some((q) => q.body.clientId === item.body.clientId);
    note.textContent = '';
    if (waiting) note.append('网络异常，评价已保存在本机，恢复后自动提交 ', en('Saved on this device; it will be sent when the network is back'));
    else note.append('已提交 ', en('Sent'));
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
      const answer = await request('POST', `/api/v1/public/ratings/${encodeURIComponent(item.token)}`, item.body);
      const outcome = outcomeOf(answer.status);
      if (outcome === 'retry') {
        retryTimer = setTimeout(() => void flush(), retryDelay(noteAttempt(storage, item.body.clientId)));
        break;
      }
      if (outcome === 'dropped') console.warn('kiosk: rating refused, dropped', answer.status, answer.json);
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
    if (first && app.className !== 'screen-rate' && app.className !== 'screen-bad' && app.className !== 'screen-thanks') idle();
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
        return setup('设备凭证无效或已停用 / The device credential is not valid or the device was stopped');
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
