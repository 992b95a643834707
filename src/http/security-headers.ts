// Security headers on every response (@fastify/helmet): a Content-Security-Policy with no inline
// script anywhere (pages load hashed script files of this site; Ant Design in the console injects
// styles, hence style-src 'unsafe-inline'), no framing, no plug-ins, no referrer (rating links
// carry tokens in their path), nosniff. Pages with stricter needs set their own, stricter policy
// on the reply (the rating page, the public pages, the kiosk), which replaces this one.
// HSTS and the upgrade of insecure requests only where the platform is served over HTTPS: on a
// plain-HTTP development server they would break it.
import helmet from '@fastify/helmet';
import type { Config } from '../config/config.ts';
import type { App } from './app-type.ts';

export function contentSecurityPolicy(https: boolean): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/** Register before any route, so that every response carries the headers. */
export async function registerSecurityHeaders(app: App, config: Config): Promise<void> {
  const https = config.http.publicBaseUrl.startsWith('https://');
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(https) },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    xFrameOptions: { action: 'deny' },
  });
}
