// The rules of 通报 (pure): who is named (the bottom N of a class's ranking in each of K
// consecutive periods), who may take which step of a named unit's response and where each step
// leads, and what of a 差评's comment may be quoted (personal data removed).
import { callerCovers, type Scope } from '../auth/policy.ts';
import type { BulletinResponseState, StaffRole } from '../db/schema.ts';
import type { Refusal } from '../errors.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import type { SnapshotDocument, UnitClass } from '../scoring/document.ts';
import { bottomOf, type Ranking } from '../scoring/ranking.ts';
import type { NamedUnit, TypicalComment } from './document.ts';

// ── Who is named ────────────────────────────────────────────────────────────────────────────────

export interface BulletinRule {
  bottomN: number;
  consecutivePeriods: number;
}

/** The rule of the newest period's scheme, unless the request sets N or K itself. */
export function ruleOf(newest: SnapshotDocument, overrides: Partial<BulletinRule>): BulletinRule & { fromScheme: boolean } {
  const scheme = newest.scheme.definition.bulletin;
  const bottomN = overrides.bottomN ?? scheme.bottomN;
  const consecutivePeriods = overrides.consecutivePeriods ?? scheme.consecutivePeriods;
  return { bottomN, consecutivePeriods, fromScheme: bottomN === scheme.bottomN && consecutivePeriods === scheme.consecutivePeriods };
}

export const unitKindOfClass = (unitClass: UnitClass): 'region' | 'org' => (unitClass === 'provincial_department' ? 'org' : 'region');

/** A class's ranking in a snapshot, in the shape the ranking helpers take (with each unit's figures). */
export function classRanking(document: SnapshotDocument, unitClass: UnitClass): Ranking {
  const kind = unitKindOfClass(unitClass);
  const ranking = document.rankings.find((r) => r.unitClass === unitClass);
  if (!ranking) return { ranked: [], belowMinimum: [] };
  const units = new Map(document.units.filter((u) => u.unitKind === kind).map((u) => [u.unitId, u]));
  const figuresOf = (unitId: string) => {
    const unit = units.get(unitId);
    // A signed snapshot lists every ranked unit among its units; anything else is a broken document.
    if (!unit) throw new Error(`snapshot ${document.period.key}: ranked unit ${unitId} has no figures`);
    return unit.figures;
  };
  return {
    ranked: ranking.ranked.map((r) => ({ unitId: r.unitId, name: r.name, rank: r.rank, tied: r.tied, figures: figuresOf(r.unitId) })),
    belowMinimum: ranking.belowMinimum.map((r) => ({ unitId: r.unitId, name: r.name, figures: figuresOf(r.unitId) })),
  };
}

export type RuledUnit = Omit<NamedUnit, 'overdue' | 'typicalComments'>;

/**
 * The units in the bottom `bottomN` of the class's ranking (ties at the boundary included) in every
 * one of the given periods' snapshots (newest first). A unit under the minimum volume in any of
 * them was not ranked there, and so is not named. Worst first (by the newest period's rank).
 */
export function namedUnits(documents: readonly SnapshotDocument[], unitClass: UnitClass, bottomN: number): RuledUnit[] {
  const newest = documents[0];
  if (!newest) return [];
  const periods = documents.map((document) => {
    const ranking = classRanking(document, unitClass);
    return { key: document.period.key, ranked: ranking.ranked.length, bottom: new Map(bottomOf(ranking, bottomN).map((u) => [u.unitId, u])) };
  });
  const kind = unitKindOfClass(unitClass);
  const newestUnits = new Map(newest.units.filter((u) => u.unitKind === kind).map((u) => [u.unitId, u]));
  const named: RuledUnit[] = [];
  for (const unitId of periods[0]?.bottom.keys() ?? []) {
    if (!periods.every((p) => p.bottom.has(unitId))) continue;
    const unit = newestUnits.get(unitId);
    if (!unit) continue;
    named.push({
      unitKind: kind,
      unitId,
      name: unit.name,
      regionCode: unit.regionCode,
      periods: periods.map((p) => {
        const entry = p.bottom.get(unitId);
        if (!entry) throw new Error('unreachable: checked above');
        return { key: p.key, rank: entry.rank, ranked: p.ranked, tied: entry.tied, figures: entry.figures };
      }),
    });
  }
  const newestRank = (u: RuledUnit) => u.periods[0]?.rank ?? 0;
  return named.sort((a, b) => newestRank(b) - newestRank(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.unitId < b.unitId ? -1 : 1));
}

// ── Who may issue ───────────────────────────────────────────────────────────────────────────────

const ISSUERS: ReadonlySet<StaffRole> = new Set(['supervisor', 'province_admin']);

/** Bulletins rank the whole province: only its supervisors and admins issue them. */
export function issueRefusal(caller: Scope & { role: StaffRole }): Refusal | null {
  if (!ISSUERS.has(caller.role)) return { code: 'AUTH_FORBIDDEN', details: { role: caller.role, allowed: [...ISSUERS] } };
  if (caller.orgId !== null || caller.regionPath === null || !/^\d{6}\/$/.test(caller.regionPath)) return { code: 'AUTH_OUT_OF_SCOPE', details: { reason: 'province level only' } };
  return null;
}

// ── The accountability list (整改反馈) ───────────────────────────────────────────────────────────

export type ResponseStep = 'submit' | 'accept' | 'return';

/** Who takes a step: the named unit itself, or the supervising level above it. */
export type ResponseSide = 'unit' | 'supervisor';

export const STEP_SIDE: Record<ResponseStep, ResponseSide> = { submit: 'unit', accept: 'supervisor', return: 'supervisor' };

const MOVES: Record<BulletinResponseState, Partial<Record<ResponseStep, BulletinResponseState>>> = {
  pending: { submit: 'submitted' },
  submitted: { accept: 'accepted', return: 'returned' },
  returned: { submit: 'submitted' },
  accepted: {},
};

/** Where a step leads from a state, or BULLETIN_RESPONSE_INVALID. */
export function nextResponseState(state: BulletinResponseState, step: ResponseStep): BulletinResponseState | Refusal {
  const next = MOVES[state][step];
  return next ?? { code: 'BULLETIN_RESPONSE_INVALID', details: { state, step, allowed: Object.keys(MOVES[state]) } };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value;
}

/** A named unit and where it sits: for an org, the path of its region. */
export interface ResponseUnit {
  kind: 'region' | 'org';
  id: string;
  regionPath: string;
}

type ResponseCaller = Scope & { role: StaffRole };

/** Which side of a unit's response a staff member is on, if any. */
export function responseSide(caller: ResponseCaller, unit: ResponseUnit): ResponseSide | null {
  // The unit answers for itself: an org's handlers; a region's own admin or supervisor.
  if (unit.kind === 'org' && caller.role === 'org_handler' && caller.orgId === unit.id) return 'unit';
  if (unit.kind === 'region' && (caller.role === 'city_admin' || caller.role === 'supervisor') && caller.orgId === null && caller.regionPath === unit.regionPath) {
    return 'unit';
  }
  // Supervisors and province admins above it judge: a region strictly above a region; an org's own region or above.
  const above = caller.regionPath !== null && unit.regionPath.startsWith(caller.regionPath) && (unit.kind === 'org' || caller.regionPath !== unit.regionPath);
  if ((caller.role === 'supervisor' || caller.role === 'province_admin') && caller.orgId === null && above) return 'supervisor';
  return null;
}

/** Null when the caller may take the step on the unit's response; otherwise why not. */
export function responseStepRefusal(caller: ResponseCaller, unit: ResponseUnit, step: ResponseStep): Refusal | null {
  if (responseSide(caller, unit) === STEP_SIDE[step]) return null;
  const covers = callerCovers(caller, { regionPath: unit.regionPath, orgId: unit.kind === 'org' ? unit.id : null });
  return covers ? { code: 'AUTH_FORBIDDEN', details: { step, role: caller.role, needs: STEP_SIDE[step] } } : { code: 'AUTH_OUT_OF_SCOPE', details: { unitKind: unit.kind, unitId: unit.id } };
}

// ── Quoting a 差评 without the person (个人信息去除) ──────────────────────────────────────────────

export const MASKS = {
  phone: '【电话已隐去】',
  idNumber: '【证件号已隐去】',
  number: '【号码已隐去】',
  email: '【邮箱已隐去】',
  name: '【姓名已隐去】',
} as const;

/** Longest quoted comment, in characters. */
export const QUOTE_MAX_CHARS = 200;

// Detection runs on a folded copy of the text in which full-width forms (１３８, ＠, ．) and the
// ideographic full stop are their ASCII selves; the fold keeps every index, so masks land on the
// original text and its full-width punctuation stays as written.
function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
    else if (code === 0x3000) out += ' ';
    else if (code === 0x3002) out += '.';
    else out += text[i];
  }
  return out;
}

interface Pair {
  text: string;
  folded: string;
}

/** Replace, in both copies, what `pattern` finds in the folded one (`replace` null: keep the match). */
function substitute(pair: Pair, pattern: RegExp, replace: (match: RegExpExecArray, original: string) => string | null): Pair {
  let text = '';
  let folded = '';
  let last = 0;
  for (const match of pair.folded.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const by = replace(match, pair.text.slice(start, end));
    if (by === null) continue;
    text += pair.text.slice(last, start) + by;
    folded += pair.folded.slice(last, start) + by;
    last = end;
  }
  return { text: text + pair.text.slice(last), folded: folded + pair.folded.slice(last) };
}

const EMAIL = /[A-Za-z0-9._%+-]+\s*@\s*[A-Za-z0-9-]+(?:\s*\.\s*[A-Za-z0-9-]+)*/g;

// Digits as people write them in a comment: ASCII (after the fold) and Chinese numerals.
const CN_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 幺: '1', 壹: '1', 二: '2', 贰: '2', 两: '2', 三: '3', 叁: '3', 四: '4', 肆: '4', 五: '5', 伍: '5', 六: '6', 陆: '6', 七: '7', 柒: '7', 八: '8', 捌: '8', 九: '9', 玖: '9' };
const CN_DIGIT = `[${Object.keys(CN_DIGITS).join('')}]`;
const SEPARATOR = '[\\s\\-.·—_/()]';
// A run of digits joined by at most three separators each ("138 1234 5678", "+86-138-1234-5678"),
// ASCII or Chinese numerals, not mixed (so that "000001一直" ends at the 1).
const DIGIT_RUN = new RegExp(`\\+?[0-9](?:${SEPARATOR}{0,3}[0-9])*|${CN_DIGIT}(?:${SEPARATOR}{0,3}${CN_DIGIT})*`, 'g');
// Resident ID numbers end in X as often as not; 17 digits and a check character, however spaced.
const ID_NUMBER = new RegExp(`(?<![0-9])(?:[0-9]${SEPARATOR}?){17}[0-9Xx](?![0-9A-Za-z])`, 'g');
// A date (with a time) standing alone is not personal data: "2026-11-20", "2026/11/20 10:30".
const DATE = new RegExp(
  `(?<![0-9]${SEPARATOR}{0,3})(?:19|20)[0-9]{2}([-./])(?:0?[1-9]|1[0-2])\\1(?:0?[1-9]|[12][0-9]|3[01])(?:[\\sT]+(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)?(?!${SEPARATOR}{0,3}[0-9])`,
  'g',
);

const digitsOf = (run: string) => [...run].map((c) => CN_DIGITS[c] ?? c).join('').replace(/[^0-9]/g, '');

function maskNumber(run: string): string | null {
  const digits = digitsOf(run);
  if (digits.length < 7) return null;
  if (/^(?:0086|86)?1[3-9][0-9]{9}$/.test(digits) || /^0[0-9]{9,11}$/.test(digits)) return MASKS.phone;
  if (digits.length === 15 || digits.length === 18) return MASKS.idNumber;
  return MASKS.number;
}

// Names as comments introduce them. After 姓名, 我叫 and the like whatever follows is a name; after
// 我是 or 本人 only what starts with a common surname ("我是来办社保的" stays).
const EXPLICIT = '姓名|名字叫|名字是|我的名字|我叫|名叫|联系人';
const IMPLIED = '我是|本人是|本人';
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝辛靳柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆司卓缪芦麦褚娄窦戚岑卜晏米柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘苑邝';
const NAME_STOPS = /的|了|在|来|去|是|和|与|到|从|也|都|就|对|被|把|给|电话|手机|身份|证件|联系|邮箱|地址|号码/;
const INTRODUCED_NAME = new RegExp(
  `(${EXPLICIT})\\s*:?\\s*((?:\\p{Script=Han}\\s?){1,4}|[A-Za-z]{2,}(?:[ .·][A-Za-z]{2,}){0,2})|(${IMPLIED})\\s*:?\\s*([${SURNAMES}](?:\\s?\\p{Script=Han}){0,2}|[A-Za-z]{2,}(?:[ .·][A-Za-z]{2,}){0,2})`,
  'gu',
);

function maskName(match: RegExpExecArray, original: string): string | null {
  const name = match[2] ?? match[4] ?? '';
  // The name ends where a word that cannot belong to it begins ("张三的", "李四电话").
  const stop = NAME_STOPS.exec(name);
  const kept = (stop ? name.slice(0, stop.index) : name).trimEnd();
  if (kept === '') return null;
  // The fold keeps lengths: the introducer and what follows the name are taken from the original.
  const nameStart = original.length - name.length;
  return `${original.slice(0, nameStart)}${MASKS.name}${original.slice(nameStart + kept.length)}`;
}

/**
 * A comment fit to quote in a bulletin: control and invisible characters gone, e-mail addresses,
 * resident ID numbers, phone numbers and any other run of seven or more digits masked (full-width
 * and Chinese-numeral digits included), names after 我是 / 姓名 / 我叫 masked, whitespace
 * collapsed, at most QUOTE_MAX_CHARS characters.
 */
export function scrubComment(comment: string): string {
  // Invisible format characters (zero-width spaces, bidi overrides) would split a number for the
  // eye of a regex but not for a reader: drop them. Control characters become spaces.
  const visible = comment.replace(/[\p{Cf}\p{Co}]/gu, '').replace(/\p{Cc}/gu, ' ');
  let pair: Pair = { text: visible, folded: fold(visible) };
  pair = substitute(pair, EMAIL, () => MASKS.email);
  pair = substitute(pair, ID_NUMBER, () => MASKS.idNumber);
  pair = substitute(pair, INTRODUCED_NAME, maskName);
  // Dates are set aside (as private-use characters, which no pattern matches) while numbers are masked.
  const dates: string[] = [];
  pair = substitute(pair, DATE, (_m, original) => {
    dates.push(original);
    return String.fromCharCode(0xe000 + dates.length - 1);
  });
  pair = substitute(pair, DIGIT_RUN, (m) => maskNumber(m[0]));
  const text = pair.text.replace(/[\ue000-\uf8ff]/g, (c) => dates[c.charCodeAt(0) - 0xe000] ?? '').replace(/\s+/g, ' ').trim();
  const chars = [...text];
  return chars.length <= QUOTE_MAX_CHARS ? text : `${chars.slice(0, QUOTE_MAX_CHARS - 1).join('')}…`;
}

/** What is left of a scrubbed comment once masks, punctuation and spaces are taken out. */
function substance(scrubbed: string): number {
  let rest = scrubbed;
  for (const mask of Object.values(MASKS)) rest = rest.replaceAll(mask, '');
  return [...rest.replace(/[\p{P}\p{S}\s]/gu, '')].length;
}

export const TYPICAL_COMMENTS = 5;
const MIN_SUBSTANCE = 4;

/**
 * Up to `limit` typical 差评 from candidates in order of preference: each scrubbed, the ones with
 * too little left to read dropped, repeats (after scrubbing) quoted once.
 */
export function pickTypicalComments(candidates: ReadonlyArray<{ level: number; day: string; comment: string }>, limit = TYPICAL_COMMENTS): TypicalComment[] {
  const picked: TypicalComment[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (picked.length >= limit) break;
    if (!BAD_LEVELS.has(candidate.level)) continue;
    const comment = scrubComment(candidate.comment);
    if (substance(comment) < MIN_SUBSTANCE || seen.has(comment)) continue;
    seen.add(comment);
    picked.push({ level: candidate.level, day: candidate.day, comment });
  }
  return picked;
}
