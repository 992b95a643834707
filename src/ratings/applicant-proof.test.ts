// The pure rules of proving to be the applicant at a poster.
import { describe, expect, it } from 'vitest';
import { challengeState, newSmsCode, normalizeReceiptCode, smsCodeText } from './applicant-proof.ts';

describe('proving to be the applicant', () => {
  it('reads a receipt code as people type it, and nothing else', () => {
    expect(normalizeReceiptCode('k3m9x2q7ab')).toBe('k3m9x2q7ab');
    expect(normalizeReceiptCode(' K3M9X 2Q7AB ')).toBe('k3m9x2q7ab');
    expect(normalizeReceiptCode('k3m9x-2q7ab')).toBe('k3m9x2q7ab');
    expect(normalizeReceiptCode('https://hcp.sc.gov.cn/s/k3m9x2q7ab')).toBe('k3m9x2q7ab');
    // The letters base32 leaves out are the digits they look like.
    expect(normalizeReceiptCode('kImOx2q7ab')).toBe('k1m0x2q7ab');
    expect(normalizeReceiptCode('k3m9x2q7a')).toBeNull();
    expect(normalizeReceiptCode('k3m9x2q7abc')).toBeNull();
    expect(normalizeReceiptCode('k3m9x2q7a!')).toBeNull();
    expect(normalizeReceiptCode('')).toBeNull();
  });

  it('lets an SMS code be tried only while it is unused, unexpired and has tries left', () => {
    const now = new Date('2026-11-20T06:00:00Z');
    const open = { expires_at: new Date('2026-11-20T06:10:00Z'), used_at: null, attempts: 2 };
    expect(challengeState(open, now, 3)).toBe('open');
    expect(challengeState({ ...open, attempts: 3 }, now, 3)).toBe('exhausted');
    expect(challengeState({ ...open, expires_at: now }, now, 3)).toBe('expired');
    expect(challengeState({ ...open, used_at: now }, now, 3)).toBe('used');
  });

  it('makes six-digit codes and says in the SMS what the code is for and how long it lasts', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newSmsCode()));
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(codes.size).toBeGreaterThan(190);
    expect(smsCodeText('012345', 10)).toMatch(/验证码：012345，10分钟内有效/);
  });
});
