// Establishes who is calling, once per request, before any route runs: an integrator app
// (signed request) or a staff member (session token). Routes then demand what they need with
// requireApp / requireStaff / requireCaller; policy.ts decides what the caller may touch.
// Two refusals are made here for every route, present and future: a state change authenticated
// by the session cookie without the session's CSRF token (X-Hcp-Csrf), and anything but seeing
// oneself, changing the password and signing out while an account must change its password.
// A route that declares it needs credentials (schema.security) is refused at once, before
// validation; on any other route the request simply goes on anonymous, so public pages and the
// public API keep working for a browser that also holds a staff session.
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { StaffRole } from '../db/schema.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import type { AppCaller, Caller, StaffCaller } from '../http/caller.ts';
import type { AppContext } from '../http/context.ts';
import { createIntegratorAppCache, type IntegratorAppCache } from './integrator-apps.ts';
import { createNonceClaimer } from './nonces.ts';
import { CSRF_HEADER, csrfTokenMatches, UNSAFE_METHODS } from './csrf.ts';
import { readCookie, SESSION_COOKIE } from './session-cookie.ts';
import { resolveStaffSession, sessionTokenHash, type ResolvedSession } from './sessions.ts';
import { checkTimestamp, hasAppId, readSignedHeaders, verifySignature } from './signature.ts';

export type GuardContext = Pick<AppContext, 'config' | 'database' | 'clock' | 'log'>;

// Why a request that presented a session ended up anonymous, so that requireCaller can answer
// AUTH_SESSION_EXPIRED (sign in again) rather than AUTH_REQUIRED. Kept beside the request
// instead of on it, because the request's shape belongs to src/http.
const sessionProblems = new WeakMap<FastifyRequest, ErrorCode>();
// The staff session behind request.caller, for the routes about the session itself (/auth/me).
const sessions = new WeakMap<FastifyRequest, ResolvedSession>();

/** What a request may do while its account must change its password: `METHOD url-pattern`. */
const ALLOWED_BEFORE_PASSWORD_CHANGE: ReadonlySet<string> = new Set(['GET /api/v1/auth/me', 'HEAD /api/v1/auth/me', 'POST /api/v1/auth/password', 'POST /api/v1/auth/logout']);

/** The session token a request carries and how: `Authorization: Bearer …` first, then the cookie. */
export function sessionCredentialOf(request: FastifyRequest): { token: string; via: 'bearer' | 'cookie' } | null {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization);
    if (bearer?.[1]) return { token: bearer[1], via: 'bearer' };
  }
  const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
  return cookie === null ? null : { token: cookie, via: 'cookie' };
}

/** The session token a request carries: `Authorization: Bearer …` first, then the cookie. */
export function sessionTokenOf(request: FastifyRequest): string | null {
  return sessionCredentialOf(request)?.token ?? null;
}

/** The staff session that authenticated this request, if one did. */
export function staffSessionOf(request: FastifyRequest): ResolvedSession | null {
  return sessions.get(request) ?? null;
}

/**
 * Whether the route declares that it needs credentials: an OpenAPI `security` list with at least
 * one entry and no empty one (which would mean "or none"). Public routes declare none.
 */
function routeNeedsCredentials(request: FastifyRequest): boolean {
  const security: unknown = (request.routeOptions.schema as { security?: unknown } | undefined)?.security;
  return Array.isArray(security) && security.length > 0 && security.every((entry) => typeof entry === 'object' && entry !== null && Object.keys(entry).length > 0);
}

/** Refuses at once where the route needs credentials; elsewhere the request goes on anonymous. */
function refuseSession(request: FastifyRequest, code: ErrorCode): void {
  if (routeNeedsCredentials(request)) throw new AppError(code);
  sessionProblems.set(request, code);
}

/**
 * The hook that sets request.caller. It needs the parsed body's raw bytes, so it must run after
 * parsing: as a preValidation hook (src/http/app.ts: unauthenticated callers learn nothing from
 * validation errors) or a preHandler hook; both have this signature.
 */
export function authenticateRequest(context: GuardContext, apps: IntegratorAppCache = createIntegratorAppCache(context.database.db, context.config, { clock: context.clock })): preHandlerAsyncHookHandler {
  const { config, clock } = context;
  const db = context.database.db;
  // Old nonces are pruned by the upkeep job (src/jobs/pruning.ts).
  const nonces = createNonceClaimer(db);
  const maxAgeSeconds = config.auth.signatureMaxAgeSeconds;

  async function authenticateApp(request: FastifyRequest): Promise<AppCaller> {
    const signed = readSignedHeaders(request.headers);
    const now = clock();
    // The clock first: it needs no storage, and a skewed client is the commonest mistake.
    checkTimestamp(signed.timestamp, now, maxAgeSeconds);
    const app = await apps.get(signed.appId);
    if (!app || !app.active) throw new AppError('AUTH_APP_UNKNOWN', { appId: signed.appId });
    // The signature covers the body bytes, which only the JSON parser in src/http/app.ts keeps.
    // A body parsed some other way cannot be checked, so it is refused rather than waved through.
    if (request.rawBody === null && request.body !== undefined && request.body !== null) {
      throw new AppError('AUTH_SIGNATURE_INVALID', { reason: 'the body of this content type cannot be verified' });
    }
    verifySignature({ headers: signed, secret: app.secret, method: request.method, path: request.url, body: request.rawBody, now, maxAgeSeconds });
    // Only after the signature holds, so that nobody can burn an app's nonces with forged requests.
    // Routes that write in one transaction anyway (single evaluations) claim the nonce there,
    // which saves a commit per request; they must refuse the request if the claim fails.
    if (request.routeOptions.config.claimsNonceInTransaction === true) {
      request.deferredNonce = { appId: app.appId, nonce: signed.nonce };
    } else if (!(await nonces.claim(app.appId, signed.nonce, now))) {
      throw new AppError('AUTH_NONCE_REPLAYED', { nonce: signed.nonce });
    }
    return { kind: 'app', appId: app.appId, regionPath: app.regionPath, orgId: app.orgId, channelProfile: app.channelProfile };
  }

  return async (request) => {
    request.caller = null;
    // An app id means the caller chose signature authentication: any flaw in it is an error,
    // never a quiet fall-back to anonymous.
    if (hasAppId(request.headers)) {
      request.caller = await authenticateApp(request);
      return;
    }
    const credential = sessionCredentialOf(request);
    if (credential === null) return;
    // Checked before the session is looked up: the token is derived from the session token alone.
    if (credential.via === 'cookie' && UNSAFE_METHODS.has(request.method) && !csrfTokenMatches(config.auth.csrfKey, sessionTokenHash(credential.token), request.headers[CSRF_HEADER])) {
      refuseSession(request, 'AUTH_CSRF_INVALID');
      return;
    }
    let session: ResolvedSession;
    try {
      session = await resolveStaffSession(db, credential.token, clock());
    } catch (error) {
      // A stale cookie must not lock its holder out of public pages or of signing in again:
      // the request goes on anonymous, and routes that need a session say it expired.
      if (!(error instanceof AppError) || error.code !== 'AUTH_SESSION_EXPIRED') throw error;
      sessionProblems.set(request, error.code);
      return;
    }
    if (session.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
      refuseSession(request, 'AUTH_PASSWORD_CHANGE_REQUIRED');
      return;
    }
    request.caller = session.caller;
    sessions.set(request, session);
  };
}

export function requireCaller(request: FastifyRequest): Caller {
  if (request.caller) return request.caller;
  throw new AppError(sessionProblems.get(request) ?? 'AUTH_REQUIRED');
}

export function requireApp(request: FastifyRequest): AppCaller {
  const caller = requireCaller(request);
  if (caller.kind !== 'app') throw new AppError('AUTH_FORBIDDEN', { reason: 'integrator apps only' });
  return caller;
}

/** A staff caller, optionally in one of the given roles. */
export function requireStaff(request: FastifyRequest, roles?: readonly StaffRole[]): StaffCaller {
  const caller = requireCaller(request);
  if (caller.kind !== 'staff') throw new AppError('AUTH_FORBIDDEN', { reason: 'staff only' });
  if (roles && !roles.includes(caller.role)) throw new AppError('AUTH_FORBIDDEN', { role: caller.role, allowed: roles });
  return caller;
}
