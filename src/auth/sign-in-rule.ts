// When repeated failed sign-ins lock an account name or a client address (pure). The storage
// (src/auth/sign-in-attempts.ts) hands over the newest failures of one subject; this says until
// when that subject is locked. N failures within the window lock it from the N-th for the lock
// time; failures are not recorded while it is locked, so a lock ends on time and a guesser learns
// nothing by trying on.
import ipaddr from 'ipaddr.js';
import type { SignInLimit } from '../config/config.ts';

/**
 * The moment the lock ends, or null when not locked at `now`. `failures`: the subject's newest
 * failures, newest first; only the first `limit.maxFailures` matter.
 */
export function lockedUntil(failures: readonly Date[], limit: SignInLimit, now: Date): Date | null {
  if (failures.length < limit.maxFailures) return null;
  const newest = failures[0];
  const oldest = failures[limit.maxFailures - 1];
  if (!newest || !oldest) return null;
  if (newest.getTime() - oldest.getTime() > limit.windowMs) return null;
  const until = new Date(newest.getTime() + limit.lockMs);
  return until > now ? until : null;
}

/** The later of two locks, and the whole seconds until it ends (at least 1), for Retry-After. */
export function retryAfterSeconds(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/** How long attempt rows can still matter to either rule: older ones may be deleted. */
export function attemptRetentionMs(limits: readonly SignInLimit[]): number {
  return Math.max(...limits.map((limit) => limit.windowMs + limit.lockMs));
}

/**
 * The address counted for a client: an IPv4 address itself (an IPv4-mapped IPv6 one as IPv4), an
 * IPv6 address by its /64, which one household or phone holds whole. Anything else as given.
 */
export function signInSourceOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
  if (parsed instanceof ipaddr.IPv4) return parsed.toString();
  return `${parsed.parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
