// Comments as the risk engine compares them (pure): a normal form, a 64-bit SimHash over character
// 2- and 3-grams (near-duplicates differ in a few bits), stock praise that never counts as a copy,
// and the personal insults that make a 差评 abuse rather than a complaint.

/** Width, case, spaces and punctuation do not make two comments different. */
export function normalizeComment(comment: string): string {
  return comment.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}

// What thousands of honest raters write unprompted. A comment made only of these (and a few
// characters more) is no evidence that two raters copied each other.
export const STOCK_PHRASES: readonly string[] = [
  '工作人员很耐心', '工作人员', '服务态度很好', '服务态度好', '服务很好', '服务好', '态度很好', '态度好', '非常满意', '很满意', '满意',
  '办事效率高', '效率很高', '效率高', '办理很快', '很快', '方便快捷', '很方便', '方便', '快捷', '热情周到', '很热情', '热情', '耐心细致',
  '耐心', '细致', '专业', '点赞', '好评', '谢谢', '感谢', '非常好', '很好', '不错', '一次办好', '不用跑', '跑一次', '给力', '赞',
  '窗口', '办事', '办理', '服务', '非常', '很', '的', '了', '都', '也', '我', '你们',
];
const STOCK_BY_LENGTH = [...STOCK_PHRASES].sort((a, b) => b.length - a.length);

/** What is left of a normalised comment once the stock phrases are taken out. */
export function distinctivePart(normalized: string): string {
  let rest = normalized;
  for (const phrase of STOCK_BY_LENGTH) rest = rest.split(phrase).join('');
  return rest;
}

/** Fewer distinctive characters than this and a comment is stock praise (or too short to compare). */
export const MIN_DISTINCTIVE = 5;

/** The comment's fingerprint for near-duplicate search, or null when it is stock or too short. */
export function textFingerprint(comment: string | null): TextFingerprint | null {
  if (comment === null) return null;
  const normalized = normalizeComment(comment);
  if ([...distinctivePart(normalized)].length < MIN_DISTINCTIVE) return null;
  return simHash(normalized);
}

/** A 64-bit SimHash as two unsigned 32-bit halves (plain numbers: no BigInt on the hot path). */
export type TextFingerprint = readonly [number, number];

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function simHash(normalized: string): TextFingerprint {
  const chars = [...normalized];
  const weights = new Array<number>(64).fill(0);
  const add = (gram: string) => {
    const halves = [fnv1a(gram, 0x811c9dc5), fnv1a(gram, 0x01234567)];
    for (let bit = 0; bit < 64; bit++) {
      const half = halves[bit >> 5] as number;
      weights[bit] = (weights[bit] as number) + ((half >>> (bit & 31)) & 1 ? 1 : -1);
    }
  };
  for (let i = 0; i + 2 <= chars.length; i++) add(chars.slice(i, i + 2).join(''));
  for (let i = 0; i + 3 <= chars.length; i++) add(chars.slice(i, i + 3).join(''));
  if (chars.length < 2) add(normalized);
  let low = 0;
  let high = 0;
  for (let bit = 0; bit < 32; bit++) if ((weights[bit] as number) > 0) low |= 1 << bit;
  for (let bit = 0; bit < 32; bit++) if ((weights[bit + 32] as number) > 0) high |= 1 << bit;
  return [low >>> 0, high >>> 0];
}

function popcount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hammingDistance(a: TextFingerprint, b: TextFingerprint): number {
  return popcount((a[0] ^ b[0]) >>> 0) + popcount((a[1] ^ b[1]) >>> 0);
}

// Personal insults: in a 差评 aimed at one staff member they make it abuse to review, not a
// complaint. Words a fair complaint uses (慢, 差, 垃圾服务) are deliberately not here.
export const ABUSIVE_WORDS: readonly string[] = [
  '傻逼', '傻b', '煞笔', '去死', '狗东西', '王八蛋', '混蛋', '畜生', '贱人', '脑残', '废物', '滚蛋', '他妈的', '妈的', '狗官', '婊子', '白痴', '蠢货', '人渣',
];

export function abusiveWordsIn(comment: string | null): string[] {
  if (comment === null) return [];
  const normalized = normalizeComment(comment);
  return ABUSIVE_WORDS.filter((word) => normalized.includes(word));
}
