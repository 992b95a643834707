// Test support for src/auth: a minimal Fastify app with only the auth hook and routes (the full
// app in src/http/app.ts needs every other module), plus the few catalog rows auth depends on.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { Type } from 'typebox';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { loadConfig, type Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import { AppError, errorBody } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { ErrorResponse } from '../http/error-schema.ts';
import { authenticateRequest, requireApp, requireStaff } from './guard.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { createIntegratorAppCache } from './integrator-apps.ts';
import { registerAuthRoutes } from './routes.ts';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ HCP_ENV: 'test', LOG_LEVEL: 'silent', ...overrides });
}

/** A clock the test moves by hand. */
export function manualClock(start: Date): Clock & { set(at: Date): void; advance(ms: number): void } {
  let now = start.getTime();
  return Object.assign(() => new Date(now), {
    set: (at: Date) => void (now = at.getTime()),
    advance: (ms: number) => void (now += ms),
  });
}

export const places = {
  province: '510000',
  chengdu: '510100',
  jinjiang: '510104',
  mianyang: '510700',
  jinjiangOrgId: '0190a5b0-0000-7000-8000-000000000001',
  mianyangOrgId: '0190a5b0-0000-7000-8000-000000000002',
} as const;

/** Sichuan, two cities, one district and an org in each city. Safe to call twice. */
export async function seedPlaces(db: Kysely<DB>): Promise<void> {
  await db
    .insertInto('region')
    .values([
      { code: places.province, name: '四川省', level: 1, parent_code: null, path: '510000/' },
      { code: places.chengdu, name: '成都市', level: 2, parent_code: places.province, path: '510000/510100/' },
      { code: places.jinjiang, name: '锦江区', level: 3, parent_code: places.chengdu, path: '510000/510100/510104/' },
      { code: places.mianyang, name: '绵阳市', level: 2, parent_code: places.province, path: '510000/510700/' },
    ])
    .onConflict((oc) => oc.doNothing())
    .execute();
  const at = new Date('2026-11-28T00:00:00Z');
  await db
    .insertInto('org')
    .values([
      { id: places.jinjiangOrgId, dept_code: '11510104MB0000001X', name: '锦江区政务服务中心', kind: 'center', region_code: places.jinjiang, parent_id: null, created_at: at },
      { id: places.mianyangOrgId, dept_code: '11510700MB0000002Y', name: '绵阳市政务服务中心', kind: 'center', region_code: places.mianyang, parent_id: null, created_at: at },
    ])
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * The auth hook and routes on a bare Fastify instance, with the same raw-body JSON parser and
 * error shape as src/http/app.ts, and a `/test/caller` route that echoes request.caller,
 * and `/test/app-only`, `/test/staff-only`, `/test/province-only` behind the require* checks, and
 * `POST /test/staff-write` declaring a staff session in its schema (body `{ n: integer }`).
 */
export async function buildAuthTestApp(database: Database, config: Config, clock: Clock): Promise<App> {
  const app: App = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('caller', null);
  app.decorateRequest('rawBody', null);
  app.decorateRequest('deferredNonce', null);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    request.rawBody = bytes;
    if (bytes.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      done(new AppError('BODY_NOT_JSON'), undefined);
    }
  });
  app.addSchema(ErrorResponse);
  // The OpenAPI document, so tests can check what integrators will read about these routes.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'auth test', version: '0' },
      components: { securitySchemes: { appSignature: { type: 'apiKey', in: 'header', name: 'X-Hcp-Signature' }, staffSession: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AppError) {
      const retryAfter = error.details?.['retryAfterSeconds'];
      if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
      return reply.status(error.status).send(errorBody(error.code, error.details));
    }
    if (typeof error === 'object' && error !== null && 'validation' in error) return reply.status(400).send(errorBody('VALIDATION_FAILED'));
    return reply.status(500).send(errorBody('INTERNAL_ERROR', { message: error instanceof Error ? error.message : String(error) }));
  });
  // The same stage as src/http/app.ts: after the body is parsed (the signature covers it), before validation.
  const apps = createIntegratorAppCache(database.db, config, { clock });
  app.addHook('preValidation', authenticateRequest({ config, database, clock, log: app.log }, apps));
  registerAuthRoutes(app, { config, database, clock });
  registerAdminRoutes(app, { database, clock }, apps);
  const hide = { schema: { hide: true } };
  const echo = async (request: { caller: unknown }) => ({ caller: request.caller });
  app.get('/test/caller', hide, echo);
  app.post('/test/caller', hide, echo);
  app.get('/test/app-only', hide, async (request) => ({ appId: requireApp(request).appId }));
  app.get('/test/staff-only', hide, async (request) => ({ username: requireStaff(request).username }));
  app.get('/test/province-only', hide, async (request) => ({ username: requireStaff(request, ['province_admin']).username }));
  // A state change that declares it needs a staff session, with a body to validate.
  app.post(
    '/test/staff-write',
    { schema: { hide: true, security: [{ staffSession: [] }], body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) } },
    async (request) => ({ username: requireStaff(request).username, n: request.body.n }),
  );
  await app.ready();
  return app;
}
