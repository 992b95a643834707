// The CSRF token of a staff session: derived from the session, so nothing new is stored. A
// browser's state-changing request authenticated by the hcp_session cookie must carry it in the
// X-Hcp-Csrf header (src/auth/guard.ts); a page of another site can make the browser send the
// cookie (SameSite=Strict aside) but cannot read the token. Bearer and signed requests are not
// sent by browsers on their own and need none.
import { equalBytes, hmacSm3 } from '../crypto/sm.ts';

export const CSRF_HEADER = 'x-hcp-csrf';
/** Methods that change state and so need the token. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** HMAC-SM3 of the session token's digest under the server's CSRF key, base64url (43 characters). */
export function csrfTokenFor(key: Uint8Array, sessionTokenHash: Uint8Array): string {
  return hmacSm3(key, 'hcp-csrf/v1', sessionTokenHash).toString('base64url');
}

/** Whether the header presented is this session's token (constant-time). */
export function csrfTokenMatches(key: Uint8Array, sessionTokenHash: Uint8Array, presented: string | string[] | undefined): boolean {
  if (typeof presented !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(presented)) return false;
  return equalBytes(Buffer.from(csrfTokenFor(key, sessionTokenHash)), Buffer.from(presented));
}
