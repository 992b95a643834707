import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLink, signLink } from './signed-link.ts';

const key = Buffer.alloc(16, 7);
const claims = { purpose: 'callback', subjectId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', version: 5, expiresAt: new Date('2026-12-31T00:00:00Z') };
const now = new Date('2026-12-01T00:00:00Z');

describe('signed links', () => {
  it('round-trips its claims, and is short enough for an SMS', () => {
    const token = signLink(key, claims);
    expect(token.length).toBeLessThan(64);
    expect(checkLink(key, 'callback', token, now)).toEqual({ ok: true, claims });
  });

  it('refuses another purpose, another key, an expired link and any altered character', () => {
    const token = signLink(key, claims);
    expect(checkLink(key, 'receipt', token, now)).toEqual({ ok: false, code: 'LINK_INVALID' });
    expect(checkLink(Buffer.alloc(16, 8), 'callback', token, now)).toEqual({ ok: false, code: 'LINK_INVALID' });
    expect(checkLink(key, 'callback', token, new Date('2026-12-31T00:00:00Z'))).toEqual({ ok: false, code: 'LINK_EXPIRED' });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'AZaz09-_.x'), (i, c) => {
        fc.pre(token[i] !== c);
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        expect(checkLink(key, 'callback', altered, now).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    expect(checkLink(key, 'callback', '', now)).toEqual({ ok: false, code: 'LINK_INVALID' });
    expect(checkLink(key, 'callback', '../../etc/passwd', now)).toEqual({ ok: false, code: 'LINK_INVALID' });
  });
});
