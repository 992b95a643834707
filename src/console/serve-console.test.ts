// Serving the built console: the app's page for every console path (never cached), hashed assets
// cached for good and gzipped on request, a clear page when the console has not been built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../http/app-type.ts';
import { registerConsole } from './serve-console.ts';

const folder = mkdtempSync(join(tmpdir(), 'hcp-console-'));
mkdirSync(join(folder, 'assets'));
writeFileSync(join(folder, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/console/assets/index-abc123.js"></script>');
const script = 'console.log("好差评");'.repeat(200);
writeFileSync(join(folder, 'assets/index-abc123.js'), script);

async function appFor(dist: string): Promise<App> {
  const app = Fastify() as unknown as App;
  registerConsole(app, dist);
  await app.ready();
  return app;
}

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the console at /console', () => {
  it('answers every console path with the app page, never cached', async () => {
    const app = await appFor(folder);
    for (const path of ['/console/', '/console/tickets', '/console/tickets/0190b7a2-0000-7000-8000-000000000000', '/console/login?next=%2F']) {
      const response = await app.inject({ url: path });
      expect(response.statusCode, path).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toContain('<div id="root">');
    }
    const bare = await app.inject({ url: '/console' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
  });

  it('serves hashed assets cached for good, gzipped when the browser takes it', async () => {
    const app = await appFor(folder);
    const plain = await app.inject({ url: '/console/assets/index-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toContain('text/javascript');
    expect(plain.headers['cache-control']).toContain('immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    const gzipped = await app.inject({ url: '/console/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.rawPayload.length).toBeLessThan(Buffer.byteLength(script) / 10);
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(script);
    expect((await app.inject({ url: '/console/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/console/assets/..%2Findex.html' })).statusCode).toBe(404);
  });

  it('says how to build the console when it is not built', async () => {
    const app = await appFor(join(folder, 'nowhere'));
    const response = await app.inject({ url: '/console/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:console');
  });
});
