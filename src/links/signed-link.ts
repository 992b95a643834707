// Signed, expiring tokens for links given to raters (a callback link in an SMS). The token names
// its purpose, a subject id and a version, so it is bound to one thing and one moment of it; it is
// short enough for an SMS: 16-byte id, version and expiry, and a truncated HMAC-SM3 (128 bits).
import { equalBytes, hmacSm3 } from '../crypto/sm.ts';

export interface LinkClaims {
  purpose: string;
  subjectId: string;
  version: number;
  expiresAt: Date;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; code: 'LINK_INVALID' | 'LINK_EXPIRED' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,8})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

function mac(key: Uint8Array, purpose: string, body: string): Buffer {
  return hmacSm3(key, 'link', purpose, body).subarray(0, 16);
}

export function signLink(key: Uint8Array, claims: LinkClaims): string {
  if (!UUID.test(claims.subjectId)) throw new RangeError('subjectId must be a lower-case UUID');
  const id = Buffer.from(claims.subjectId.replaceAll('-', ''), 'hex').toString('base64url');
  const body = `${id}.${claims.version.toString(36)}.${Math.floor(claims.expiresAt.getTime() / 1000).toString(36)}`;
  return `${body}.${mac(key, claims.purpose, body).toString('base64url')}`;
}

/** Checks the signature first (a forged token learns nothing, not even whether it expired). */
export function checkLink(key: Uint8Array, purpose: string, token: string, now: Date): LinkCheck {
  const match = TOKEN.exec(token);
  if (!match?.[1] || !match[2] || !match[3] || !match[4]) return { ok: false, code: 'LINK_INVALID' };
  const body = `${match[1]}.${match[2]}.${match[3]}`;
  // Compared as text: base64url's last character carries spare bits that decoding would ignore.
  if (!equalBytes(Buffer.from(mac(key, purpose, body).toString('base64url')), Buffer.from(match[4]))) return { ok: false, code: 'LINK_INVALID' };
  const hex = Buffer.from(match[1], 'base64url').toString('hex');
  const subjectId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expiresAt = new Date(parseInt(match[3], 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, code: 'LINK_EXPIRED' };
  return { ok: true, claims: { purpose, subjectId, version: parseInt(match[2], 36), expiresAt } };
}
