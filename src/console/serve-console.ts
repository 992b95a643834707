// Serves the staff console built by Vite (`npm run build:console` → console/dist) at /console: the
// hashed assets cached for good (gzipped when the browser takes it), every other path the app's
// index.html, never cached, so that a new build is picked up at the next page load. The console is
// a client of the same API; nothing here reads data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/app-type.ts';

/** console/dist at the repository root, the same from src/ (tsx) and from a build in dist/. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

interface Asset {
  type: string;
  bytes: Buffer;
  compressible: boolean;
  /** Made at the first request that accepts gzip, then kept. */
  gzipped?: Buffer;
}

/** The built files, read once: a few hundred kilobytes, served from memory. */
export function loadConsoleBuild(folder: string = CONSOLE_DIST): { index: Buffer; assets: Map<string, Asset> } | null {
  const indexFile = join(folder, 'index.html');
  if (!existsSync(indexFile)) return null;
  const assets = new Map<string, Asset>();
  const assetFolder = join(folder, 'assets');
  if (existsSync(assetFolder)) {
    for (const name of readdirSync(assetFolder)) {
      const type = TYPES[extname(name)];
      if (type === undefined) continue;
      const bytes = readFileSync(join(assetFolder, name));
      const compressible = type.startsWith('text/') || type === 'image/svg+xml' || type === 'application/json';
      assets.set(name, { type, bytes, compressible });
    }
  }
  return { index: readFileSync(indexFile), assets };
}

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>工作台尚未构建</title>
<p>工作台尚未构建：请在项目目录运行 <code>npm run build:console</code> 后重启服务（快速开始命令会自动构建）。</p>
<p lang="en">The console is not built: run <code>npm run build:console</code> and restart (the quick start builds it).</p></html>`;

export function registerConsole(app: App, folder: string = CONSOLE_DIST): void {
  const build = loadConsoleBuild(folder);

  function sendIndex(_request: FastifyRequest, reply: FastifyReply) {
    void reply.header('cache-control', 'no-store');
    if (build === null) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(build.index);
  }

  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/', 301));
  app.get('/console/', { schema: { hide: true } }, sendIndex);
  app.get<{ Params: { name: string } }>('/console/assets/:name', { schema: { hide: true } }, (request, reply) => {
    const asset = build?.assets.get(request.params.name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    // Names carry a content hash: a changed file has a new name.
    void reply.header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding').type(asset.type);
    const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (asset.compressible && acceptsGzip) {
      asset.gzipped ??= gzipSync(asset.bytes, { level: 9 });
      return reply.header('content-encoding', 'gzip').send(asset.gzipped);
    }
    return reply.send(asset.bytes);
  });
  // Client-side routes (/console/tickets/…): the app itself decides what to show.
  app.get('/console/*', { schema: { hide: true } }, sendIndex);
}
