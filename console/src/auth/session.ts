// The signed-in staff member, as /auth/me says: null when nobody is signed in or the session has
// expired. Every page reads it through useSession; sign-in and sign-out write it.
import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, toApiError } from '../api/client';
import type { components } from '../api/schema';

export type StaffRole = 'province_admin' | 'city_admin' | 'org_handler' | 'supervisor';

export interface StaffSession {
  account: {
    username: string;
    displayName: string;
    role: StaffRole;
    scope: { regionCode: string | null; regionPath: string | null; orgId: string | null };
  };
  csrfToken: string | null;
  mustChangePassword: boolean;
  sessionExpiresAt: string | null;
}

export const SESSION_KEY = ['session'] as const;

let endReason: 'expired' | 'signed-out' | null = null;

type LoginAnswer = components['schemas'] extends never ? never : { account: StaffSession['account']; csrfToken?: string; mustChangePassword?: boolean; expiresAt?: string; sessionExpiresAt?: string };

/** The session from a sign-in answer or /auth/me (the same fields), remembering its CSRF token. */
export function sessionFrom(answer: LoginAnswer): StaffSession {
  const session: StaffSession = {
    account: answer.account,
    csrfToken: answer.csrfToken ?? null,
    mustChangePassword: answer.mustChangePassword ?? false,
    sessionExpiresAt: answer.sessionExpiresAt ?? answer.expiresAt ?? null,
  };
  setCsrfToken(session.csrfToken);
  endReason = null;
  return session;
}

async function fetchSession(): Promise<StaffSession | null> {
  const { data, error, response } = await api.GET('/api/v1/auth/me');
  if (response.status === 401) {
    setCsrfToken(null);
    return null;
  }
  if (error !== undefined || !data) throw toApiError(response.status, error);
  if (data.kind !== 'staff') return null;
  return sessionFrom(data as LoginAnswer);
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 5 * 60_000, retry: false });
}

/**
 * Why the last session ended, for the sign-in page; kept until the next sign-in, because the page
 * behind sign-in may render more than once before it has gone (a reason read once was lost).
 */
export function sessionEndReason(): 'expired' | 'signed-out' | null {
  return endReason;
}

export function noteSessionEnded(reason: 'expired' | 'signed-out'): void {
  endReason = reason;
  setCsrfToken(null);
}
