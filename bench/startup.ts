// `npm run bench:startup [-- --pglite-dir DIR] [--runs N]`: how long `serve` takes to start and how
// much memory (resident set) it holds, run from the TypeScript sources through tsx (as `npm run cli`)
// and from the JavaScript that `npm run build` makes (as `npm start`). The two take turns, N times
// each, on the same database (default ./data/pglite: the quick start's demo), so that a shared
// machine's changing load touches both alike. Build first (`npm run build`).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServeProcess } from '../test/serve-process.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'pglite-dir': { type: 'string', default: './data/pglite' }, runs: { type: 'string', default: '3' } } });
const MAIN = `${REPO}dist/cli/main.js`;
if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');

/** Resident set of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) a process has used so far, in seconds (Linux): less swayed by a busy machine than the wall clock. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  startMs: number;
  cpuAtStartS: number;
  rssAtStartMb: number;
  rssAfterHealthMb: number;
}

async function measure(entry: string | undefined): Promise<Run> {
  const started = performance.now();
  const served = await startServeProcess(
    { PATH: process.env.PATH, HCP_ENV: 'development', PGLITE_DIR: values['pglite-dir'], HTTP_PORT: '0', LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', SCORE_FEED_INTERVAL_MS: '0' },
    entry === undefined ? {} : { entry },
  );
  const startMs = performance.now() - started;
  const pid = served.child.pid ?? 0;
  const rssAtStartMb = rssMb(pid);
  const cpuAtStartS = cpuSeconds(pid);
  await (await fetch(`${served.url}/health`)).json();
  const rssAfterHealthMb = rssMb(pid);
  const exited = new Promise((resolve) => served.child.once('exit', resolve));
  served.child.kill('SIGTERM');
  await exited;
  return { startMs, cpuAtStartS, rssAtStartMb, rssAfterHealthMb };
}

const runs = Number(values.runs);
const results: Record<'tsx' | 'compiled', Run[]> = { tsx: [], compiled: [] };
for (let i = 0; i < runs; i++) {
  results.tsx.push(await measure(undefined));
  results.compiled.push(await measure(MAIN));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
process.stdout.write(`serve on ${values['pglite-dir']}, median of ${runs} runs each (taking turns)\n\n`);
process.stdout.write('| | start (spawn to listening) | CPU time to listening | RSS when listening | RSS after /health |\n|---|---|---|---|---|\n');
for (const [name, list] of Object.entries(results)) {
  const label = name === 'tsx' ? '`node --import tsx src/cli/main.ts serve`' : '`node dist/cli/main.js serve` (`npm start`)';
  process.stdout.write(
    `| ${label} | ${(median(list.map((r) => r.startMs)) / 1000).toFixed(1)} s | ${median(list.map((r) => r.cpuAtStartS)).toFixed(1)} s | ${median(list.map((r) => r.rssAtStartMb)).toFixed(0)} MB | ${median(list.map((r) => r.rssAfterHealthMb)).toFixed(0)} MB |\n`,
  );
}
