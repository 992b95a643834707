// Builds the Fastify application; listening is done elsewhere (src/cli/serve.ts), tests use inject().
import { trustProxyOf } from '../risk/address.ts';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyError } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError, errorBody, type ErrorCode } from '../errors.ts';
import { registerAdminRoutes } from '../auth/admin-routes.ts';
import { registerAuthRoutes } from '../auth/routes.ts';
import { registerBulletinRoutes } from '../bulletins/routes.ts';
import { registerCalendarRoutes } from '../calendar/routes.ts';
import { registerConsole } from '../console/serve-console.ts';
import { authenticateRequest } from '../auth/guard.ts';
import { createIntegratorAppCache } from '../auth/integrator-apps.ts';
import { registerCatalogRoutes } from '../catalog/routes.ts';
import { registerCaseRoutes } from '../cases/routes.ts';
import { registerEvaluationRoutes } from '../evaluations/routes.ts';
import { registerEvidenceRoutes } from '../evidence/routes.ts';
import { registerHonorRollRoutes } from '../honor-roll/routes.ts';
import { registerHotlineRoutes } from '../hotline/routes.ts';
import { registerInspectionRoutes } from '../inspections/routes.ts';
import { registerScoringRoutes } from '../scoring/routes.ts';
import { registerKioskRoutes } from '../kiosk/routes.ts';
import { registerNotificationRoutes } from '../notifications/routes.ts';
import { registerRiskRoutes } from '../risk/routes.ts';
import { registerLandingPage, sendNotFoundPage, wantsPage } from '../pages/landing-page.ts';
import { registerRatingPage } from '../pages/rating-page.ts';
import { registerPlaceRoutes } from '../ratings/place-routes.ts';
import { registerPlacePage } from '../pages/place-page.ts';
import { registerPosterRoutes } from '../posters/routes.ts';
import { registerRatingRoutes } from '../ratings/routes.ts';
import { refuseNulInBody, refuseNulInUrl } from './nul-guard.ts';
import { publicLimits, registerRateLimits } from './rate-limits.ts';
import { recordRoutes } from './route-list.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerRaterPages } from '../tickets/pages.ts';
import { registerTicketRoutes } from '../tickets/routes.ts';
import { registerWorkbenchRoutes } from '../workbench/routes.ts';
import type { App } from './app-type.ts';
import type { AppContext } from './context.ts';
import { ErrorResponse } from './error-schema.ts';


const utf8 = new TextDecoder('utf-8', { fatal: true });

function ajvFor(coerce: boolean) {
  // Bodies are validated strictly: unknown fields are refused, not silently stripped, and
  // "5" is not 5. Query strings and path params are text by nature, so they are coerced.
  const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  addFormats.default(ajv);
  return ajv;
}

export async function buildApp(context: AppContext): Promise<App> {
  const app: App = Fastify({
    loggerInstance: context.log,
    bodyLimit: context.config.http.bodyLimitBytes,
    // request.ip is the client's address only through proxies the deployer names (docs/fraud.md).
    trustProxy: trustProxyOf(context.config.risk.trustedProxies),
    genReqId: () => crypto.randomUUID(),
    schemaController: {
      compilersFactory: {
        buildValidator(externalSchemas: Record<string, AnySchema | AnySchema[]>) {
          const strict = ajvFor(false);
          const coercing = ajvFor(true);
          for (const schema of Object.values(externalSchemas)) {
            strict.addSchema(schema);
            coercing.addSchema(schema);
          }
          return ({ schema, httpPart }: { schema: AnySchema; httpPart?: string }) => (httpPart === 'body' ? strict : coercing).compile(schema);
        },
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  recordRoutes(app);
  app.decorateRequest('caller', null);
  app.decorateRequest('rawBody', null);
  app.decorateRequest('deferredNonce', null);

  // JSON bodies: kept as bytes for request signatures, decoded as strict UTF-8, parsed safely.
  // JSON is the only body this API takes: anything else is refused with 415 before any other check.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.rawBody = bytes;
    if (bytes.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return done(new AppError('BODY_NOT_JSON', { reason: 'not UTF-8' }), undefined);
    }
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      return done(new AppError('BODY_NOT_JSON', { reason: (error as Error).message }), undefined);
    }
    try {
      refuseNulInBody(text, parsed);
    } catch (error) {
      return done(error as AppError, undefined);
    }
    done(null, parsed);
  });
  // Path and query are checked before anything else looks at them (rate limits, authentication).
  app.addHook('onRequest', refuseNulInUrl);

  app.addSchema(ErrorResponse);

  // Set before any plugin is registered: plugins (the OpenAPI pages too) inherit the handler in force
  // when they are registered, and every error must leave with its code.
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error, code: error.code }, error.message);
      else request.log.info({ code: error.code, details: error.details }, 'request refused');
      // A refusal that says when to come back (AUTH_SIGN_IN_LOCKED) says it in HTTP too.
      const retryAfter = error.details?.['retryAfterSeconds'];
      if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
      return reply.status(error.status).send(errorBody(error.code, error.details));
    }
    const mapped = mapFrameworkError(error);
    if (mapped) {
      request.log.info({ code: mapped.code }, 'request refused');
      return reply.status(statusOf(mapped.code)).send(errorBody(mapped.code, mapped.details));
    }
    request.log.error({ err: error, code: 'INTERNAL_ERROR' }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL_ERROR'));
  });
  // First, so that every response carries them, the errors and the OpenAPI pages too.
  await registerSecurityHeaders(app, context.config);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '政务服务“好差评”平台 API / Government service rating platform API',
        version: '1.0.0',
        description:
          '接入方以应用编号与 HMAC-SM3 请求签名调用（见 docs/integration.md）；工作人员以会话令牌调用。错误一律返回稳定错误码与中英文说明。\n\n' +
          'Integrators call with an app id and an HMAC-SM3 request signature (docs/integration.md); staff call with a session token. Every error carries a stable code and a Chinese and English message.',
      },
      components: {
        securitySchemes: {
          appSignature: { type: 'apiKey', in: 'header', name: 'X-Hcp-Signature', description: 'HMAC-SM3, with X-Hcp-App-Id, X-Hcp-Timestamp, X-Hcp-Nonce' },
          staffSession: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await registerRateLimits(app);
  const limits = publicLimits(app, context.config);

  // A citizen's browser gets a page that says so; the API and its callers get the coded error.
  app.setNotFoundHandler((request, reply) => (wantsPage(request) ? sendNotFoundPage(request, reply) : reply.status(404).send(errorBody('NOT_FOUND', { path: request.url.split('?')[0] }))));

  // Before validation, so that an unauthenticated caller learns nothing about the schema.
  const apps = createIntegratorAppCache(context.database.db, context.config, { clock: context.clock });
  app.addHook('preValidation', authenticateRequest(context, apps));

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', engine: context.database.engine }));

  registerAuthRoutes(app, context);
  registerAdminRoutes(app, context, apps);
  registerCatalogRoutes(app, context);
  registerCaseRoutes(app, context);
  registerEvaluationRoutes(app, context);
  registerRatingRoutes(app, context, limits);
  registerPlaceRoutes(app, context, limits);
  registerPlacePage(app, context, limits);
  registerPosterRoutes(app, context);
  registerTicketRoutes(app, context, limits);
  registerEvidenceRoutes(app, context);
  registerNotificationRoutes(app, context);
  registerRiskRoutes(app, context);
  registerInspectionRoutes(app, context);
  registerScoringRoutes(app, context);
  registerHotlineRoutes(app, context);
  registerRaterPages(app, context, limits);
  registerHonorRollRoutes(app, context, limits);
  registerRatingPage(app, context);
  registerLandingPage(app);
  registerKioskRoutes(app, context, limits);
  registerBulletinRoutes(app, context);
  registerCalendarRoutes(app, context);
  registerConsole(app);
  registerWorkbenchRoutes(app, context);

  return app;
}

function statusOf(code: ErrorCode): number {
  return new AppError(code).status;
}

function mapFrameworkError(error: FastifyError): { code: ErrorCode; details?: Record<string, unknown> } | null {
  if (error.validation) {
    return {
      code: 'VALIDATION_FAILED',
      details: { context: error.validationContext, problems: error.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })) },
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'BODY_TOO_LARGE' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'UNSUPPORTED_MEDIA_TYPE' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'BODY_NOT_JSON' };
    default:
      return error.statusCode === 400 ? { code: 'VALIDATION_FAILED', details: { reason: error.message } } : null;
  }
}
