// Security headers on pages, the API and the OpenAPI pages; and no server-rendered page with an
// inline script or event handler, found by walking every GET route outside the API.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { startSystem, type System } from '../system.ts';
import { routesOf } from './route-list.ts';

type Headers = Record<string, string | string[] | number | undefined>;

/** The directives of a CSP header, by name. */
function directives(headers: Headers): Map<string, string[]> {
  const policy = String(headers['content-security-policy'] ?? '');
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

function expectSafeHeaders(headers: Headers, what: string): void {
  const csp = directives(headers);
  expect(csp.size, `${what}: a CSP`).toBeGreaterThan(0);
  const scripts = csp.get('script-src') ?? csp.get('default-src') ?? [];
  expect(scripts.length, `${what}: script-src`).toBeGreaterThan(0);
  for (const source of scripts) expect(["'self'", "'none'"], `${what}: script-src ${source}`).toContain(source);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.get('object-src') ?? csp.get('default-src'), what).toEqual(expect.arrayContaining([expect.stringMatching(/^'(none|self)'$/)]));
  if (csp.has('object-src')) expect(csp.get('object-src'), what).toEqual(["'none'"]);
  else expect(csp.get('default-src'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual([expect.stringMatching(/^'(none|self)'$/)]);
  expect(csp.get('form-action'), what).toEqual([expect.stringMatching(/^'(none|self)'$/)]);
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(headers['x-frame-options'], what).toBe('DENY');
}

describeOnEngines('security headers', (database) => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem(testConfig({ JOBS_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_IP: '10000' }), { database: database() });
  });
  afterAll(async () => {
    await system?.close();
  });

  const get = (url: string, accept = 'text/html') => system.app.inject({ method: 'GET', url, headers: { accept } });

  it('puts the contract’s policy on API answers, errors included', async () => {
    for (const url of ['/api/v1/auth/me', '/api/v1/calendar/status', '/api/v1/no-such-route']) {
      const response = await get(url, 'application/json');
      expectSafeHeaders(response.headers, url);
      expect(directives(response.headers).get('style-src'), url).toEqual(["'self'", "'unsafe-inline'"]);
    }
    // Plain HTTP here: no HSTS and no upgrade, which would break a development server.
    const api = await get('/api/v1/auth/me', 'application/json');
    expect(api.headers['strict-transport-security']).toBeUndefined();
    expect(directives(api.headers).has('upgrade-insecure-requests')).toBe(false);
  });

  it('serves the OpenAPI pages under the same policy: external scripts of this site only, all of them served', async () => {
    const docs = await get('/docs');
    expect(docs.statusCode).toBe(200);
    expectSafeHeaders(docs.headers, '/docs');
    expect(docs.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
    const scripts = [...docs.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const url = new URL(src, 'http://localhost/docs/').pathname;
      const script = await get(url, '*/*');
      expect([url, script.statusCode]).toEqual([url, 200]);
      expect(String(script.headers['content-type'])).toContain('javascript');
    }
    expect((await get('/docs/json', 'application/json')).statusCode).toBe(200);
  });

  it('has no inline script or event handler on any server-rendered page, each under a strict policy', async () => {
    const pages = routesOf(system.app).filter((route) => route.method === 'GET' && !route.url.startsWith('/api/') && !route.url.startsWith('/docs') && !/assets|\.(svg|png|pdf|js|css)$/.test(route.url) && route.url !== '/health');
    // A sample of what the walk must reach.
    expect(pages.map((route) => route.url)).toEqual(expect.arrayContaining(['/', '/rate/*', '/r', '/c/:token', '/s/:code', '/kiosk', '/honor-roll', '/p/:kind/:token']));
    let html = 0;
    for (const route of pages) {
      const url = route.url.replace(/:kind/g, 'window').replace(/:[A-Za-z]+|\*/g, 'ABCDEFGH23');
      const response = await get(url);
      if (!String(response.headers['content-type']).startsWith('text/html')) continue;
      html += 1;
      expectSafeHeaders(response.headers, url);
      expect(response.body, url).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(response.body, url).not.toMatch(/\son[a-z]+\s*=/i);
      expect(response.body, url).not.toMatch(/javascript:/i);
    }
    expect(html).toBeGreaterThanOrEqual(8);
  });
});
