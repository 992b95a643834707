import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEPT_CODE_ALPHABET, deptCodeCheckChar, isValidDeptCode, makeDeptCode, normalizeDeptCode, orgCodeCheckChar } from './dept-code.ts';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published valid codes', () => {
    // The example printed in many guides, and codes of a company and a public institution.
    for (const code of ['91350100M000100Y43', '91110000600037341L', '12100000400010398P', '91440300708461136T']) {
      expect(isValidDeptCode(code), code).toBe(true);
    }
  });

  it('computes the check character of the quoted example', () => {
    expect(deptCodeCheckChar('91350100M000100Y4')).toBe('3');
    // Its organisation-code body M000100Y carries the GB 11714 check digit 4.
    expect(orgCodeCheckChar('M000100Y')).toBe('4');
  });

  it('refuses wrong check characters, lengths, letters outside the alphabet and non-digit regions', () => {
    for (const code of [
      '91350100M000100Y44', // wrong check
      '91350100M000100Y4', // 17 characters
      '91350100M000100Y433', // 19 characters
      '91350100M000I00Y43', // I is not in the alphabet
      '91350100m000100Y43', // lower case is refused; normalizeDeptCode upper-cases input first
      '91A50100M000100Y43', // region part must be digits
      '',
      '９1350100M000100Y43', // full-width digit
    ]) {
      expect(isValidDeptCode(code), code).toBe(false);
    }
  });

  it('normalises typed input', () => {
    expect(normalizeDeptCode('  91350100m000100y43 ')).toBe('91350100M000100Y43');
  });

  it('makes valid, deterministic codes for demo data', () => {
    expect(makeDeptCode(1)).toBe(makeDeptCode('00000001'));
    expect(makeDeptCode(1).startsWith('11510000')).toBe(true);
    expect(makeDeptCode('42', { prefix: '12', regionCode: '510104' }).slice(0, 8)).toBe('12510104');
    expect(() => makeDeptCode('123456789')).toThrow(RangeError);
    expect(() => makeDeptCode('12a')).toThrow(RangeError);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (seed) => {
        const code = makeDeptCode(seed);
        expect(isValidDeptCode(code)).toBe(true);
        expect(orgCodeCheckChar(code.slice(8, 16))).toBe(code.charAt(16));
      }),
    );
  });

  it('detects every single-character substitution', () => {
    // The weights are distinct non-zero residues modulo the prime 31, so no single change cancels out.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (seed, position, shift) => {
        const code = makeDeptCode(seed);
        const original = DEPT_CODE_ALPHABET.indexOf(code.charAt(position));
        const replacement = DEPT_CODE_ALPHABET.charAt((original + shift) % 31);
        const changed = code.slice(0, position) + replacement + code.slice(position + 1);
        expect(isValidDeptCode(changed)).toBe(false);
      }),
    );
  });
});
