// 统一社会信用代码 (GB 32100-2015): the 18-character deptCode that identifies an org.
//
// Layout: 1 登记管理部门码, 2 机构类别码, 3–8 登记管理机关行政区划码 (6 digits),
// 9–17 主体标识码 (the GB 11714 organisation code, whose 9th character is its own check digit),
// 18 校验码 over the first 17 characters, modulo 31.
//
// Only the length, the alphabet, the region digits and the final check character are enforced.
// The first two characters are not checked against a table because registrars and categories
// have been added since 2015 (外交, 宗教, 工会 …) and refusing a real code costs more than
// accepting an unusual one; the 18th character already catches typing mistakes.

/** The 31 characters of the code: digits and capitals without I, O, Z, S, V. */
export const DEPT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character (18th) for the first 17 characters, or null if they are malformed. */
export function deptCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = DEPT_CODE_ALPHABET.indexOf(first17.charAt(i));
    const weight = WEIGHTS[i];
    if (value < 0 || weight === undefined) return null;
    sum += value * weight;
  }
  return DEPT_CODE_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

export function isValidDeptCode(code: string): boolean {
  return SHAPE.test(code) && deptCodeCheckChar(code.slice(0, 17)) === code.charAt(17);
}

/** Trim and upper-case what people type or paste; validity is checked separately. */
export function normalizeDeptCode(text: string): string {
  return text.trim().toUpperCase();
}

const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 check character of an 8-character organisation code body (digits and capitals). */
export function orgCodeCheckChar(body8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(body8)) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const char = body8.charAt(i);
    // Digits count as themselves, letters as A=10 … Z=35.
    const value = char <= '9' ? Number(char) : char.charCodeAt(0) - 55;
    sum += value * (ORG_CODE_WEIGHTS[i] ?? 0);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

export interface MakeDeptCodeOptions {
  /** Registrar and category, e.g. '11' 机关 (default), '12' 事业单位, '91' 企业. */
  prefix?: string;
  /** The registering authority's region, 6 digits; default 510000 (Sichuan). */
  regionCode?: string;
}

/**
 * A valid deptCode built from up to 8 seed digits, for demo data and tests: the same seed always
 * gives the same code, and the organisation-code body carries a correct GB 11714 check too.
 */
export function makeDeptCode(seedDigits: string | number, options: MakeDeptCodeOptions = {}): string {
  const seed = String(seedDigits);
  if (!/^[0-9]{1,8}$/.test(seed)) throw new RangeError(`seedDigits must be 1 to 8 digits, got ${JSON.stringify(seed)}`);
  const prefix = options.prefix ?? '11';
  const regionCode = options.regionCode ?? '510000';
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}$/.test(prefix)) throw new RangeError(`prefix must be 2 code characters, got ${JSON.stringify(prefix)}`);
  if (!/^[0-9]{6}$/.test(regionCode)) throw new RangeError(`regionCode must be 6 digits, got ${JSON.stringify(regionCode)}`);
  const body = seed.padStart(8, '0');
  // The GB 11714 check may be 'X', which is in the GB 32100 alphabet, so the code stays valid.
  const first17 = `${prefix}${regionCode}${body}${orgCodeCheckChar(body) ?? '0'}`;
  return `${first17}${deptCodeCheckChar(first17) ?? '0'}`;
}
