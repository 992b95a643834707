// Script and style sheet of a small page, built in memory with esbuild (bundled, minified, lowered
// to ES2017 for old web views) and gzipped ahead of time. Each file is named by a hash of its
// content, so it can be cached for a year and is replaced by a new name when it changes.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface Asset {
  /** File name with its content hash, e.g. rating.3f2a….js. */
  name: string;
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

export interface PageAssets {
  script: Asset;
  style: Asset;
  byName: Map<string, Asset>;
}

// ES2017 syntax; the browser versions only steer CSS (prefixes, no newer syntax).
const TARGET = ['es2017', 'chrome58', 'safari11', 'ios11'];
const YEAR_SECONDS = 365 * 24 * 3600;

function asset(stem: string, extension: 'js' | 'css', text: Uint8Array): Asset {
  const body = Buffer.from(text);
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return {
    name: `${stem}.${hash}.${extension}`,
    contentType: extension === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    body,
    gzipped: gzipSync(body, { level: 9 }),
  };
}

/** How every page client is bundled: in memory, minified, one IIFE per entry for the browsers we serve. */
const BROWSER_BUNDLE = {
  outdir: 'out',
  write: false,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: TARGET,
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'silent',
} as const;

/** Builds `script` (a TypeScript entry) and `style` (a CSS file), both absolute paths, as `<stem>.<hash>.js|css`. */
export async function buildPageAssets(stem: string, entries: { script: string; style: string }): Promise<PageAssets> {
  const result = await build({ entryPoints: { [stem]: entries.script, [`${stem}-style`]: entries.style }, ...BROWSER_BUNDLE });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild produced no script or no style sheet for ${stem}`);
  const script = asset(stem, 'js', js.contents);
  const style = asset(stem, 'css', css.contents);
  return { script, style, byName: new Map([script, style].map((a) => [a.name, a])) };
}

/** Builds a script alone (a TypeScript entry, absolute path, bundled) as `<stem>.<hash>.js`. */
export async function buildScriptAsset(stem: string, script: string): Promise<Asset> {
  const result = await build({ entryPoints: { [stem]: script }, ...BROWSER_BUNDLE });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!js) throw new Error(`esbuild produced no script for ${stem}`);
  return asset(stem, 'js', js.contents);
}

/** Builds a style sheet alone (a CSS file, absolute path, its @imports bundled) as `<stem>.<hash>.css`. */
export async function buildStyleAsset(stem: string, style: string): Promise<Asset> {
  const result = await build({
    entryPoints: { [stem]: style },
    outdir: 'out',
    write: false,
    bundle: true,
    minify: true,
    target: TARGET,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!css) throw new Error(`esbuild produced no style sheet for ${stem}`);
  return asset(stem, 'css', css.contents);
}

/** Sends a built asset: gzipped when the client takes it, cached for a year (its name changes with it). */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  reply
    .type(asset.contentType)
    .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff');
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? asset.gzipped : asset.body);
}
