// The signed-in staff member, as /auth/me says: null when nobody is signed in or the session has
// expired. Every page reads it through useSession; sign-in and sign-out write it.
import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, toApiError } from '../api/client';
import type { paths } from '../api/schema';

type LoginAnswer = paths['/api/v1/auth/login']['post']['responses'][200]['content']['application/json'];
type MeAnswer = paths['/api/v1/auth/me']['get']['responses'][200]['content']['application/json'];
type StaffMe = Extract<MeAnswer, { kind: 'staff' }>;

export type StaffRole = LoginAnswer['account']['role'];

export interface StaffSession {
  account: LoginAnswer['account'];
  csrfToken: string;
  mustChangePassword: boolean;
  sessionExpiresAt: string;
}

export const SESSION_KEY = ['session'] as const;

let endReason: 'expired' | 'signed-out' | null = null;

/** The session from a sign-in answer or /auth/me, remembering its CSRF token for every later change. */
export function sessionFrom(answer: LoginAnswer | StaffMe): StaffSession {
  const session: StaffSession = {
    account: answer.account,
    csrfToken: answer.csrfToken,
    mustChangePassword: answer.mustChangePassword,
    sessionExpiresAt: 'sessionExpiresAt' in answer ? answer.sessionExpiresAt : answer.expiresAt,
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
  return sessionFrom(data);
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
