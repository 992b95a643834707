// The rating form as data: what the rater has chosen, what is still missing, and the body that is
// posted. Pure, so it is tested in Node (form.test.ts) and bundled into the page unchanged.
import { BAD_LEVELS } from '../../evaluations/levels.ts';

/** GET /api/v1/public/ratings/{token}. */
export interface RatingInfo {
  status: 'open' | 'follow_up' | 'rated';
  expiresAt: string;
  channel: string;
  case: {
    itemName: string;
    orgName: string;
    regionName: string;
    windowName: string | null;
    staffName: string | null;
    completedAt: string;
    serviceNumber: number;
  };
  commentMaxChars: number;
  levels: LevelChoice[];
  first: { level: number; receiptNo: string; assessedAt: string } | null;
}

export interface LevelChoice {
  level: number;
  zh: string;
  en: string;
  indicators: Array<{ code: string; zh: string; en: string }>;
}

/** 201 of POST /api/v1/public/ratings/{token}. */
export interface Stored {
  status: 'stored' | 'duplicate';
  receiptNo: string;
  assessNumber: number;
  followUpAllowed: boolean;
}

export interface FormModel {
  level: number | null;
  indicators: string[];
  comment: string;
  anonymous: boolean;
  /** The rater set the anonymous switch; until then it follows the level (defaultAnonymous). */
  anonymousChosen: boolean;
  phone: string;
  /** The honeypot: people never see it, so it stays empty. */
  website: string;
}

export interface RatingBody {
  clientId: string;
  level: number;
  indicators: string[];
  comment?: string;
  anonymous: boolean;
  phone?: string;
  website: string;
  installId?: string;
}

export type Problem = 'level' | 'indicators' | 'comment' | 'phone';

export const emptyForm = (): FormModel => ({ level: null, indicators: [], comment: '', anonymous: true, anonymousChosen: false, phone: '', website: '' });

/** 差评 (the server's definition, bundled in) needs at least one indicator. */
export const isBad = (level: number | null) => level !== null && BAD_LEVELS.has(level);

/**
 * Anonymous unless the rating is a 差评: a bad rating is answered and called back, which needs
 * someone to answer, so the page starts not anonymous (the choice stays free, and the page says
 * what each choice means). A good rating needs no answer and starts anonymous.
 */
export const defaultAnonymous = (level: number | null) => !isBad(level);

/** The rater's own choice of anonymity, which the level no longer changes. */
export const chooseAnonymous = (model: FormModel, anonymous: boolean): FormModel => ({ ...model, anonymous, anonymousChosen: true });

/** Characters as the server counts them: code points, so that an emoji is one. */
export const charCount = (text: string) => Array.from(text).length;

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/;

/** The server's normalisation (src/pii/person.ts): no spaces or +, no 86 before a mobile number. */
export const normalizePhone = (text: string) => text.replace(/[\s+]/g, '').replace(/^86(?=1\d{10}$)/, '');

export function phoneIsValid(text: string): boolean {
  const phone = normalizePhone(text);
  return MOBILE.test(phone) || LANDLINE.test(phone);
}

/** What keeps the form from being sent, in the order of the fields on the page. */
export function problemsOf(model: FormModel, commentMaxChars: number): Problem[] {
  const problems: Problem[] = [];
  if (model.level === null) problems.push('level');
  if (isBad(model.level) && model.indicators.length === 0) problems.push('indicators');
  if (charCount(model.comment) > commentMaxChars) problems.push('comment');
  if (!model.anonymous && model.phone.trim() !== '' && !phoneIsValid(model.phone)) problems.push('phone');
  return problems;
}

/**
 * Indicators of one level only: choosing another level drops the codes of the previous one. The
 * anonymous switch follows the level until the rater sets it.
 */
export function chooseLevel(model: FormModel, level: number, levels: LevelChoice[]): FormModel {
  const allowed = levels.find((l) => l.level === level)?.indicators.map((i) => i.code) ?? [];
  const anonymous = model.anonymousChosen ? model.anonymous : defaultAnonymous(level);
  return { ...model, level, anonymous, indicators: model.indicators.filter((code) => allowed.indexOf(code) >= 0) };
}

export function toggleIndicator(model: FormModel, code: string, on: boolean): FormModel {
  const rest = model.indicators.filter((c) => c !== code);
  return { ...model, indicators: on ? rest.concat(code) : rest };
}

export function bodyOf(model: FormModel, clientId: string, installId: string | null = null): RatingBody {
  if (model.level === null) throw new Error('no level chosen');
  const body: RatingBody = { clientId, level: model.level, indicators: model.indicators, anonymous: model.anonymous, website: model.website };
  if (installId !== null) body.installId = installId;
  if (model.comment.trim() !== '') body.comment = model.comment;
  if (!model.anonymous && model.phone.trim() !== '') body.phone = normalizePhone(model.phone);
  return body;
}

/**
 * A fresh id for one rating attempt, kept for its retries so that the server stores it once.
 * crypto.randomUUID is missing from older web views (and from pages not served over HTTPS).
 */
export function newClientId(source: Pick<Crypto, 'getRandomValues'> & { randomUUID?: () => string } | undefined): string {
  if (source?.randomUUID) return source.randomUUID();
  const bytes = new Uint8Array(16);
  if (source) source.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return hex;
}

/** yyyy-MM-dd HH:mm in Beijing time, without Intl (missing or partial in old web views). */
export function beijingTime(iso: string): string {
  const t = new Date(iso).getTime();
  if (isNaN(t)) return '';
  const d = new Date(t + 8 * 3600_000);
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** The parts of an answer the page relies on, checked before it is trusted. */
export function isRatingInfo(value: unknown): value is RatingInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<RatingInfo>;
  return (
    (v.status === 'open' || v.status === 'follow_up' || v.status === 'rated') &&
    typeof v.case === 'object' &&
    v.case !== null &&
    Array.isArray(v.levels) &&
    typeof v.commentMaxChars === 'number'
  );
}

export function isStored(value: unknown): value is Stored {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Stored>;
  return (v.status === 'stored' || v.status === 'duplicate') && typeof v.receiptNo === 'string';
}

const INSTALL_KEY = 'hcp.install';
const INSTALL_ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * This browser's install id: random, kept in its storage, nothing personal. The risk engine tells
 * one browser from another behind a shared address with it (docs/fraud.md). Null when the browser
 * keeps nothing: then none is sent.
 */
export function installIdOf(storage: { get(key: string): string | null; set(key: string, value: string): void }, source: Parameters<typeof newClientId>[0]): string | null {
  const kept = storage.get(INSTALL_KEY);
  if (kept !== null && INSTALL_ID.test(kept)) return kept;
  storage.set(INSTALL_KEY, newClientId(source));
  const again = storage.get(INSTALL_KEY);
  return again !== null && INSTALL_ID.test(again) ? again : null;
}
