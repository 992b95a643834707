import { describe, expect, it } from 'vitest';
import { attemptRetentionMs, lockedUntil, retryAfterSeconds, signInSourceOf } from './sign-in-rule.ts';

const MINUTE = 60_000;
const limit = { maxFailures: 3, windowMs: 15 * MINUTE, lockMs: 10 * MINUTE };
const at = (minutes: number) => new Date(Date.UTC(2026, 11, 8, 2, 0) + minutes * MINUTE);
/** Failures at these minutes, newest first as the storage gives them. */
const failures = (...minutes: number[]) => minutes.sort((a, b) => b - a).map(at);

describe('sign-in lock rule', () => {
  it('does not lock below the threshold', () => {
    expect(lockedUntil(failures(0, 1), limit, at(2))).toBeNull();
    expect(lockedUntil([], limit, at(0))).toBeNull();
  });

  it('locks from the N-th failure within the window for the lock time', () => {
    expect(lockedUntil(failures(0, 5, 14), limit, at(14))).toEqual(at(24));
    expect(lockedUntil(failures(0, 5, 14), limit, at(23.99))).toEqual(at(24));
    expect(lockedUntil(failures(0, 5, 14), limit, at(24))).toBeNull();
  });

  it('does not lock when the N failures are spread wider than the window', () => {
    expect(lockedUntil(failures(0, 10, 15.01), limit, at(16))).toBeNull();
    expect(lockedUntil(failures(0, 10, 15), limit, at(16))).toEqual(at(25));
  });

  it('looks only at the newest N failures', () => {
    // Old failures far back do not stretch anything; the newest three decide.
    expect(lockedUntil(failures(-100, -90, 0, 1, 2), limit, at(3))).toEqual(at(12));
    expect(lockedUntil(failures(-100, -90, -80, 1, 20), limit, at(21))).toBeNull();
  });

  it('rounds the wait up to whole seconds, at least one', () => {
    expect(retryAfterSeconds(at(10), at(0))).toBe(600);
    expect(retryAfterSeconds(new Date(at(0).getTime() + 1), at(0))).toBe(1);
    expect(retryAfterSeconds(new Date(at(0).getTime() + 1500), at(0))).toBe(2);
  });

  it('keeps rows as long as either rule can use them', () => {
    expect(attemptRetentionMs([limit, { maxFailures: 30, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }])).toBe(30 * MINUTE);
  });

  it('counts IPv4 addresses as themselves and IPv6 ones by their /64', () => {
    expect(signInSourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(signInSourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(signInSourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(signInSourceOf('2001:db8:1:2:bbbb::9')).toBe(signInSourceOf('2001:db8:1:2:aaaa::1'));
    expect(signInSourceOf('not-an-address')).toBe('not-an-address');
  });
});
