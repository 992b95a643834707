// Staff passwords: scrypt with a per-password salt, the parameters stored beside the hash so
// that they can be raised later without invalidating existing accounts.
import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { equalBytes } from '../crypto/sm.ts';
import type { Refusal } from '../errors.ts';

export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

// 2^15 × 8 × 128 B = 32 MiB and ~0.12 s per hash on the 2-core reference machine: slow enough
// to make offline guessing expensive, fast enough for interactive sign-in on the thread pool.
export const DEFAULT_SCRYPT: ScryptParameters = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
// Bounds on what a stored string may ask for, so a corrupt row cannot exhaust memory.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export const PASSWORD_MIN_CHARS = 10;
export const PASSWORD_MAX_CHARS = 256;

function derive(password: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { ...parameters, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // NFC, so that the same characters typed through different input methods give one password.
    scrypt(password.normalize('NFC'), salt, HASH_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, parameters);
  return ['scrypt', parameters.N, parameters.r, parameters.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

interface Parsed {
  parameters: ScryptParameters;
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string): Parsed | null {
  const match = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/.exec(stored);
  if (!match) return null;
  const [, n, r, p, salt, hash] = match;
  const parameters = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = parameters.N > 1 && (parameters.N & (parameters.N - 1)) === 0;
  if (!powerOfTwo || parameters.N > MAX_N || parameters.r < 1 || parameters.r > MAX_R || parameters.p < 1 || parameters.p > MAX_P) return null;
  return { parameters, salt: Buffer.from(salt ?? '', 'base64url'), hash: Buffer.from(hash ?? '', 'base64url') };
}

/** Constant-time comparison of a candidate password with a stored hash; false for a malformed one. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.parameters);
  return equalBytes(candidate, parsed.hash);
}

/** Whether a stored hash was made with weaker parameters than today's, so it can be redone at sign-in. */
export function needsRehash(stored: string, parameters: ScryptParameters = DEFAULT_SCRYPT): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.parameters.N < parameters.N || parsed.parameters.r < parameters.r || parsed.parameters.p < parameters.p;
}

// Any well-formed string with today's parameters will do: only the work matters, not the result.
const DUMMY_HASH = ['scrypt', DEFAULT_SCRYPT.N, DEFAULT_SCRYPT.r, DEFAULT_SCRYPT.p, 'aGNwLWR1bW15LXNhbHQhIQ', 'aGNwLWR1bW15LWhhc2gtbmV2ZXItbWF0Y2hlcy1hbnk'].join('$');

/**
 * Spends the same scrypt work as a real check and returns false. Sign-in calls it for unknown
 * users, so the response time does not tell which usernames exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}

/** The minimum policy: 10 to 256 characters, not the username. Null when acceptable. */
export function checkPasswordPolicy(password: string, username?: string): Refusal | null {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_CHARS) return { code: 'AUTH_PASSWORD_TOO_WEAK', details: { reason: `at least ${PASSWORD_MIN_CHARS} characters`, minChars: PASSWORD_MIN_CHARS } };
  if (length > PASSWORD_MAX_CHARS) return { code: 'AUTH_PASSWORD_TOO_WEAK', details: { reason: `at most ${PASSWORD_MAX_CHARS} characters`, maxChars: PASSWORD_MAX_CHARS } };
  if (password.trim().length === 0) return { code: 'AUTH_PASSWORD_TOO_WEAK', details: { reason: 'only white space' } };
  if (username !== undefined && password.trim().toLowerCase() === username.trim().toLowerCase()) {
    return { code: 'AUTH_PASSWORD_TOO_WEAK', details: { reason: 'same as the username' } };
  }
  return null;
}
