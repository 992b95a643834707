// The browser side of a staff session: the `hcp_session` cookie. Parsed here by hand because
// one cookie of a known shape does not justify a dependency.
export const SESSION_COOKIE = 'hcp_session';

/** The value of one cookie from a Cookie header, or null. Later duplicates are ignored. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot make the browser send
 * it, which is the CSRF defence), Secure whenever the platform is served over HTTPS.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${token}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
