// The routes an app registered, method and URL pattern, as registered (HEAD routes included): for
// checks that must hold on every route (src/http/nul-guard.test.ts). Fastify lists routes only as
// printed text, so they are recorded as they are added.
import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  method: string;
  url: string;
}

const recorded = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Call before any route is added. */
export function recordRoutes(app: FastifyInstance): void {
  const routes: RouteEntry[] = [];
  recorded.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
}

export function routesOf(app: FastifyInstance): readonly RouteEntry[] {
  return recorded.get(app) ?? [];
}
