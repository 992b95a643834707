// `npm run build`: the server as JavaScript, built once, for `npm start` (`node dist/cli/main.js`),
// which starts in a fraction of the time and memory of running the TypeScript through tsx.
//   1. tsc (tsconfig.build.json) emits src/ as dist/, `.ts` imports rewritten to `.js`;
//   2. the files read at run time beside the code (the holiday table, page clients' style sheets)
//      are copied to the same places;
//   3. the page clients' sources, which esbuild bundles when the server starts (src/pages/page-assets.ts),
//      are copied with every file they import, as esbuild itself reports them.
// Usage: tsx scripts/build.ts [--out-dir DIR]   (default dist; DIR must lie inside the repository,
// where node_modules is found)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(REPO, 'src');

const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
const outDir = resolve(REPO, values['out-dir']);
if (!outDir.startsWith(REPO) || outDir === REPO.replace(/\/$/, '') || outDir === SRC) throw new Error(`--out-dir must be a folder inside ${REPO}, not the repository or src/`);

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const isTest = (file: string) => /\.test\.ts$/.test(file);
const inClient = (file: string) => file.split(sep).includes('client');

const started = performance.now();
rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });

const sources = filesUnder(SRC).filter((file) => !isTest(file));
const copied = new Set<string>();
const copy = (file: string) => {
  if (copied.has(file)) return;
  copied.add(file);
  const target = join(outDir, relative(SRC, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
};

// 2. Files that are not TypeScript: data and style sheets read through import.meta.url.
for (const file of sources) if (!file.endsWith('.ts')) copy(file);

// 3. Page clients, and whatever they import (a shared rule, say), in source form for esbuild.
const clientEntries = sources.filter((file) => inClient(file) && file.endsWith('.ts'));
const { metafile } = await build({ entryPoints: clientEntries, bundle: true, write: false, metafile: true, outdir: 'out', platform: 'browser', logLevel: 'silent' });
for (const input of Object.keys(metafile.inputs)) {
  const file = resolve(REPO, input);
  if (file.startsWith(SRC + sep)) copy(file);
}

process.stdout.write(`built ${relative(REPO, outDir) || '.'}/ in ${((performance.now() - started) / 1000).toFixed(1)} s (${copied.size} files copied beside the JavaScript)\n`);
