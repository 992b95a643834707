// What a browser downloads for each console page, from Vite's manifest: the entry (the shell: sign-in,
// layout, Ant Design, the query client) with its static imports and style sheets, and for each page
// the chunks its lazy import adds beyond the shell. Sizes gzipped at the level the server serves
// (src/console/serve-console.ts).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  css?: string[];
}

type Manifest = Record<string, ManifestChunk>;

export interface PageWeight {
  page: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
}

export function readManifest(dist: string): Manifest {
  return JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Manifest;
}

/** The files a chunk needs before it runs: itself, its static imports (recursively) and their CSS. */
export function closure(manifest: Manifest, key: string, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`not in the manifest: ${key}`);
  if (into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const css of chunk.css ?? []) into.add(css);
  for (const imported of chunk.imports ?? []) closure(manifest, imported, into);
  return into;
}

function weigh(dist: string, page: string, files: Iterable<string>): PageWeight {
  let rawBytes = 0;
  let gzipBytes = 0;
  let count = 0;
  for (const file of files) {
    const path = join(dist, file);
    rawBytes += statSync(path).size;
    gzipBytes += gzipSync(readFileSync(path), { level: 9 }).length;
    count += 1;
  }
  return { page, files: count, rawBytes, gzipBytes };
}

/** The shell, the shell with the home page (what the first visit after sign-in loads), and each page beyond the shell. */
export function pageWeights(dist: string): { shell: PageWeight; signInAndHome: PageWeight; pages: PageWeight[] } {
  const manifest = readManifest(dist);
  const entryKey = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
  if (entryKey === undefined) throw new Error('no entry in the manifest');
  const shellFiles = closure(manifest, entryKey);
  const pageKeys = Object.keys(manifest).filter((key) => manifest[key]?.isDynamicEntry);
  const beyondShell = (key: string) => [...closure(manifest, key)].filter((file) => !shellFiles.has(file));
  const homeKey = pageKeys.find((key) => key.endsWith('home/HomePage.tsx'));
  if (homeKey === undefined) throw new Error('no home page chunk in the manifest');
  return {
    shell: weigh(dist, 'shell (sign-in)', shellFiles),
    signInAndHome: weigh(dist, 'sign-in + home', [...shellFiles, ...beyondShell(homeKey)]),
    pages: pageKeys.map((key) => weigh(dist, key.replace(/^src\//, ''), beyondShell(key))),
  };
}
