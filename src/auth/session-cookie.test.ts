import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sessionCookie } from './session-cookie.ts';

describe('session cookie', () => {
  it('finds one cookie among others, quoted or not, and nothing in a missing header', () => {
    expect(readCookie('a=1; hcp_session=abc; b=2', 'hcp_session')).toBe('abc');
    expect(readCookie('hcp_session="abc"', 'hcp_session')).toBe('abc');
    expect(readCookie('xhcp_session=abc; hcp_sessionx=def', 'hcp_session')).toBeNull();
    expect(readCookie('hcp_session=first; hcp_session=second', 'hcp_session')).toBe('first');
    expect(readCookie('hcp_session=%E0%A4%A', 'hcp_session')).toBeNull();
    expect(readCookie('novalue; other', 'hcp_session')).toBeNull();
    expect(readCookie(undefined, 'hcp_session')).toBeNull();
  });
  it('sets and clears with HttpOnly and SameSite=Strict, Secure on request', () => {
    expect(sessionCookie('t', 60, false)).toBe('hcp_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict');
    expect(sessionCookie('t', 60, true)).toBe('hcp_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
    expect(clearedSessionCookie(false)).toBe('hcp_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
  });
});
