// The one way the console talks to the server: the same HTTP API as every other client, typed from
// the committed OpenAPI document (schema.d.ts, `npm run console:types`). The session travels in the
// HttpOnly cookie; every state change carries the session's CSRF token (src/auth/csrf.ts).
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

let csrfToken: string | null = null;

/** Set from sign-in and from /auth/me; cleared at sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== null && !SAFE_METHODS.has(request.method)) request.headers.set('X-Hcp-Csrf', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

/** A refusal from the server: its stable code, both messages, and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageZh: string,
    readonly messageEn: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(`${code}: ${messageEn}`);
  }
}

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  messageEn?: unknown;
  details?: unknown;
}

export function toApiError(status: number, body: unknown): ApiError {
  const shape = (typeof body === 'object' && body !== null ? body : {}) as ErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : status === 0 ? 'NETWORK_ERROR' : 'HTTP_' + String(status);
  const zh = typeof shape.message === 'string' ? shape.message : '请求失败，请稍后重试';
  const en = typeof shape.messageEn === 'string' ? shape.messageEn : 'The request failed; please try again';
  const details = typeof shape.details === 'object' && shape.details !== null ? (shape.details as Record<string, unknown>) : undefined;
  return new ApiError(status, code, zh, en, details);
}

/** The data of an openapi-fetch answer, or its error thrown as an ApiError. */
export async function unwrap<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (error !== undefined || !response.ok) throw toApiError(response.status, error);
  return data as T;
}

/**
 * Requests the typed client does not describe well (binary uploads and downloads): plain fetch with
 * the same cookie and CSRF header.
 */
export async function rawRequest(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const method = (init.method ?? 'GET').toUpperCase();
  if (csrfToken !== null && !SAFE_METHODS.has(method)) headers.set('X-Hcp-Csrf', csrfToken);
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw toApiError(response.status, body);
  }
  return response;
}
