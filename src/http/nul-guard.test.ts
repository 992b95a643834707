import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../system.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { findNul } from './nul-guard.ts';
import { routesOf, type RouteEntry } from './route-list.ts';

describe('findNul', () => {
  it('points at the first string or key holding a NUL, however deep', () => {
    expect(findNul({ a: 'ok', b: ['x', { c: 'y\u0000' }] })).toBe('/b/1/c');
    expect(findNul({ 'k/~\u0000': 1 })).toBe('/k~1~0\u0000');
    expect(findNul(['\u0000'])).toBe('/0');
    expect(findNul({ a: 'ok', b: [1, null, true, { c: '\\u0000 is text here' }] })).toBeNull();
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep)).toBe('/0'.repeat(100_000));
  });
});

const NUL = '%00';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The route's URL with `nulParam` holding a NUL and every other parameter a harmless value. */
function urlWith(route: RouteEntry, nulParam: string | null): string {
  return route.url.replace(/:([A-Za-z0-9_]+)|\*/g, (whole, name: string | undefined) => ((name ?? '*') === nulParam ? `a${NUL}b` : whole === '*' ? 'x.js' : `x${++requests}`));
}

// Each request comes from another address with other harmless values, so that the public routes'
// rate limits (which run before the body is parsed) never answer first.
let requests = 0;

function paramsOf(route: RouteEntry): string[] {
  return [...route.url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? '*');
}

describeOnEngines('a NUL anywhere in a request is refused with REQUEST_NUL_CHARACTER, on every route', (database) => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem(testConfig({ JOBS_ENABLED: 'false' }), { database: database() });
  });
  afterAll(async () => {
    await system?.close();
  });

  async function expectRefused(route: RouteEntry, url: string, payload?: string): Promise<void> {
    const remoteAddress = `10.${(++requests >> 16) & 255}.${(requests >> 8) & 255}.${requests & 255}`;
    const response = await system.app.inject({ method: route.method as 'GET', url, remoteAddress, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }) });
    const what = `${route.method} ${url}${payload === undefined ? '' : ` ${payload}`}`;
    expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBe(422);
    if (route.method !== 'HEAD') expect(response.json(), what).toMatchObject({ code: 'REQUEST_NUL_CHARACTER', message: expect.any(String), messageEn: expect.any(String) });
  }

  it('walks the app’s own route list', () => {
    const routes = routesOf(system.app);
    // The list is the app's, not a copy kept here: a sample of what must be in it.
    expect(routes.length).toBeGreaterThan(100);
    for (const url of ['/api/v1/cases/:projectNo', '/api/v1/inspection-templates/:code', '/api/v1/scoring/snapshots/:kind/:key', '/api/v1/hall-devices/:deviceId/deactivate', '/api/v1/rating-links']) {
      expect(routes.map((r) => r.url)).toContain(url);
    }
  });

  it('in each path parameter', async () => {
    let checked = 0;
    for (const route of routesOf(system.app)) {
      for (const param of paramsOf(route)) {
        await expectRefused(route, urlWith(route, param));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('in the query string', async () => {
    for (const route of routesOf(system.app)) await expectRefused(route, `${urlWith(route, null)}?q=a${NUL}b`);
  });

  it('in a JSON string or key of the body, at any depth', async () => {
    let checked = 0;
    for (const route of routesOf(system.app).filter((r) => BODY_METHODS.has(r.method))) {
      for (const payload of ['{"x":"a\\u0000b"}', '{"items":[{"comment":"ok"},{"comment":"\\u0000"}]}', '{"k\\u0000":1}']) {
        await expectRefused(route, urlWith(route, null), payload);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('lets the text "\\u0000" (a backslash, not a NUL) through to the ordinary checks', async () => {
    const response = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a\\u0000', password: 'b\\u0000b\\u0000b\\u0000' } });
    expect(response.json().code).toBe('AUTH_LOGIN_FAILED');
  });
});
