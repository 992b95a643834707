// The rules of 调查暗访, pure: what a checklist template may hold, what an inspection's results must
// match, how its 100-point score is computed (exactly, in hundredths), and when it may have happened.
// Every refusal is coded (INSPECTION_TEMPLATE_INVALID, INSPECTION_INVALID) and names the field.
import { parseAssessTime } from '../clock.ts';
import type { Refusal } from '../errors.ts';

export const MAX_ITEMS = 100;
export const MAX_ITEM_POINTS = 1000;
export const MAX_TITLE_CHARS = 200;
export const MAX_DESCRIPTION_CHARS = 1000;
export const MAX_FINDING_CHARS = 1000;
export const MAX_FINDINGS_CHARS = 5000;
/** The pattern of template codes and item codes (the database checks template codes the same way). */
export const CODE_PATTERN = '^[A-Za-z0-9._-]{1,40}$';
const CODE = new RegExp(CODE_PATTERN);

/** One line of a checklist: what is checked and how many points it is worth. */
export interface TemplateItem {
  code: string;
  title: string;
  points: number;
  description?: string;
}

export interface TemplateInput {
  code: string;
  name: string;
  items: readonly TemplateItem[];
}

/** A checklist as stored: trimmed, checked; its version is given when it is written. */
export interface TemplateDraft {
  code: string;
  name: string;
  items: TemplateItem[];
}

/** What the inspector awarded for one item. */
export interface ResultInput {
  code: string;
  points: number;
  finding?: string | null;
}

/** One item's result as stored: the points awarded out of the item's maximum at the time. */
export interface ItemResult {
  code: string;
  points: number;
  max: number;
  finding?: string;
}

export interface Scored {
  results: ItemResult[];
  /** The 100-point score times 100: 8765 is 87.65. */
  scorePoints: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const refuse = (code: Refusal['code'], field: string, reason: string, extra: Record<string, unknown> = {}): { ok: false; refusal: Refusal } => ({
  ok: false,
  refusal: { code, details: { field, reason, ...extra } },
});

// A one-line text (a name, a title): no control characters at all, no bidirectional overrides.
const FORBIDDEN_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|\p{Cs}/u;
// A free text (a description, a finding): line breaks and tabs are fine, other controls are not.
const FORBIDDEN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|\p{Cs}/u;

/** Characters as people count them: a rare CJK character outside the BMP is one. */
export const charCount = (text: string): number => [...text].length;

/** Points in hundredths, or null unless the number is finite with at most two decimals. */
export function toCents(points: number): number | null {
  if (!Number.isFinite(points)) return null;
  const cents = Math.round(points * 100);
  return Math.abs(cents - points * 100) < 1e-6 ? cents : null;
}

/** round(awarded / max × 100, 2 decimals) × 100, half up, in exact integer arithmetic. */
export function scorePointsOf(awardedCents: number, maxCents: number): number {
  if (!Number.isSafeInteger(awardedCents) || !Number.isSafeInteger(maxCents) || maxCents <= 0 || awardedCents < 0 || awardedCents > maxCents) {
    throw new RangeError(`awarded ${awardedCents} of ${maxCents} hundredths is not a score`);
  }
  const a = BigInt(awardedCents);
  const m = BigInt(maxCents);
  return Number((a * 20000n + m) / (2n * m));
}

/** The score as people read it: 87.65. */
export const scoreOf = (scorePoints: number): number => scorePoints / 100;

function checkLine(text: string, field: string, maxChars: number, code: Refusal['code']): Result<string> {
  const trimmed = text.trim();
  if (trimmed === '') return refuse(code, field, 'required');
  if (FORBIDDEN_LINE.test(trimmed)) return refuse(code, field, 'control characters');
  if (charCount(trimmed) > maxChars) return refuse(code, field, 'too long', { max: maxChars });
  return ok(trimmed);
}

/** An optional free text: trimmed, null when blank. */
function checkText(text: string | null | undefined, field: string, maxChars: number, code: Refusal['code']): Result<string | null> {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return ok(null);
  if (FORBIDDEN_TEXT.test(trimmed)) return refuse(code, field, 'control characters');
  if (charCount(trimmed) > maxChars) return refuse(code, field, 'too long', { max: maxChars });
  return ok(trimmed);
}

/** A checklist template: a code, a name, 1..100 items with unique codes and positive points (two decimals at most). */
export function checkTemplate(input: TemplateInput): Result<TemplateDraft> {
  const INVALID = 'INSPECTION_TEMPLATE_INVALID';
  const code = input.code.trim();
  if (!CODE.test(code)) return refuse(INVALID, 'code', `must match ${CODE_PATTERN}`);
  const name = checkLine(input.name, 'name', MAX_TITLE_CHARS, INVALID);
  if (!name.ok) return name;
  if (input.items.length < 1 || input.items.length > MAX_ITEMS) return refuse(INVALID, 'items', `1 to ${MAX_ITEMS} items`, { count: input.items.length });
  const items: TemplateItem[] = [];
  const seen = new Set<string>();
  for (const [i, item] of input.items.entries()) {
    const at = `items[${i}]`;
    const itemCode = item.code.trim();
    if (!CODE.test(itemCode)) return refuse(INVALID, `${at}.code`, `must match ${CODE_PATTERN}`);
    if (seen.has(itemCode)) return refuse(INVALID, `${at}.code`, 'duplicate code', { code: itemCode });
    seen.add(itemCode);
    const title = checkLine(item.title, `${at}.title`, MAX_TITLE_CHARS, INVALID);
    if (!title.ok) return title;
    const cents = toCents(item.points);
    if (cents === null) return refuse(INVALID, `${at}.points`, 'a number with at most two decimals');
    if (cents <= 0 || cents > MAX_ITEM_POINTS * 100) return refuse(INVALID, `${at}.points`, `greater than 0 and at most ${MAX_ITEM_POINTS}`);
    const description = checkText(item.description, `${at}.description`, MAX_DESCRIPTION_CHARS, INVALID);
    if (!description.ok) return description;
    items.push({ code: itemCode, title: title.value, points: cents / 100, ...(description.value === null ? {} : { description: description.value }) });
  }
  return ok({ code, name: name.value, items });
}

/**
 * An inspection's results against its template: exactly one entry per item (in any order, stored in
 * the template's order), each awarding 0..the item's points with two decimals at most; the score is
 * the share of points awarded, out of 100, rounded half up to two decimals.
 */
export function scoreResults(items: readonly TemplateItem[], results: readonly ResultInput[]): Result<Scored> {
  const INVALID = 'INSPECTION_INVALID';
  const byCode = new Map<string, { result: ResultInput; index: number }>();
  for (const [index, result] of results.entries()) {
    const at = `results[${index}]`;
    if (!items.some((item) => item.code === result.code)) return refuse(INVALID, `${at}.code`, 'not an item of the template', { code: result.code });
    if (byCode.has(result.code)) return refuse(INVALID, `${at}.code`, 'duplicate item', { code: result.code });
    byCode.set(result.code, { result, index });
  }
  const scored: ItemResult[] = [];
  let awarded = 0;
  let max = 0;
  for (const item of items) {
    const entry = byCode.get(item.code);
    if (!entry) return refuse(INVALID, 'results', 'an item of the template has no result', { code: item.code });
    const at = `results[${entry.index}]`;
    const cents = toCents(entry.result.points);
    const itemMax = toCents(item.points);
    if (itemMax === null || itemMax <= 0) throw new RangeError(`template item ${item.code} has points ${item.points}`);
    if (cents === null) return refuse(INVALID, `${at}.points`, 'a number with at most two decimals');
    if (cents < 0 || cents > itemMax) return refuse(INVALID, `${at}.points`, `0 to the item's ${item.points} points`, { code: item.code, max: item.points });
    const finding = checkText(entry.result.finding, `${at}.finding`, MAX_FINDING_CHARS, INVALID);
    if (!finding.ok) return finding;
    awarded += cents;
    max += itemMax;
    scored.push({ code: item.code, points: cents / 100, max: itemMax / 100, ...(finding.value === null ? {} : { finding: finding.value }) });
  }
  return ok({ results: scored, scorePoints: scorePointsOf(awarded, max) });
}

/** The overall findings of an inspection: optional free text. */
export function checkFindings(text: string | null | undefined): Result<string | null> {
  return checkText(text, 'findings', MAX_FINDINGS_CHARS, 'INSPECTION_INVALID');
}

/**
 * When the inspection took place: ISO 8601 with an offset, or `yyyy-MM-dd HH:mm:ss` in Beijing time;
 * never later than now plus the allowed clock skew.
 */
export function checkInspectedAt(text: string, now: Date, clockSkewSeconds: number): Result<Date> {
  const at = parseAssessTime(text.trim());
  if (at === null) return refuse('INSPECTION_INVALID', 'inspectedAt', 'ISO 8601 with an offset, or yyyy-MM-dd HH:mm:ss (Beijing time)');
  if (at.getTime() > now.getTime() + clockSkewSeconds * 1000) return refuse('INSPECTION_INVALID', 'inspectedAt', 'in the future', { now: now.toISOString() });
  return ok(at);
}

/**
 * A template's items read back from storage: the database holds what checkTemplate wrote, so anything
 * else is corruption, not input, and throws.
 */
export function templateItemsOf(stored: readonly unknown[]): TemplateItem[] {
  return stored.map((value, i) => {
    if (typeof value !== 'object' || value === null) throw new TypeError(`template item ${i} is not an object`);
    const item: Record<string, unknown> = { ...value };
    const { code, title, points, description } = item;
    if (typeof code !== 'string' || typeof title !== 'string' || typeof points !== 'number' || !(description === undefined || typeof description === 'string')) {
      throw new TypeError(`template item ${i} is malformed`);
    }
    return { code, title, points, ...(description === undefined ? {} : { description }) };
  });
}

/** An inspection's results read back from storage (see templateItemsOf). */
export function itemResultsOf(stored: readonly unknown[]): ItemResult[] {
  return stored.map((value, i) => {
    if (typeof value !== 'object' || value === null) throw new TypeError(`result ${i} is not an object`);
    const entry: Record<string, unknown> = { ...value };
    const { code, points, max, finding } = entry;
    if (typeof code !== 'string' || typeof points !== 'number' || typeof max !== 'number' || !(finding === undefined || typeof finding === 'string')) {
      throw new TypeError(`result ${i} is malformed`);
    }
    return { code, points, max, ...(finding === undefined ? {} : { finding }) };
  });
}
