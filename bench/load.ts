// Load generator of the intake benchmark. Runs in its own process (started by bench/intake.ts),
// so that generating, signing and parsing requests does not share an event loop with the server
// under test. Reads a LoadSpec (JSON) from argv[2], drives autocannon programmatically and
// prints one line of JSON, a LoadResult, on stdout.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { cpus } from 'node:os';
import { newNonce, signRequest } from '../src/auth/signature.ts';
import { cpuShare, cpuSnapshot, type CpuShare, type CpuSnapshot } from './cpu.ts';

export type LoadMode = 'single' | 'batch';

export interface LoadSpec {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  mode: LoadMode;
  connections: number;
  /** Stop after this many seconds … */
  durationSeconds: number;
  /** … or after this many requests, whichever comes first. */
  maxRequests: number;
  appId: string;
  secret: string;
  /** Case n is `${projectPrefix}${n}`; requests use cases firstCase, firstCase+1, … (batches: batchSize each). */
  projectPrefix: string;
  firstCase: number;
  batchSize: number;
  /** ISO time the evaluations claim to be made at (after the cases were completed, not in the future). */
  assessedAt: string;
  /** The server's processes, for the CPU accounting. */
  serverPids: number[];
}

export interface LoadResult {
  mode: LoadMode;
  requests: number;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** From the first request sent to the last response received. */
  elapsedMs: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Batch mode: the sum of `stored` over all batch responses. */
  stored: number;
  duplicates: number;
  refused: number;
  /** Cases consumed (the next free case index is firstCase + casesUsed). */
  casesUsed: number;
  /** A few non-2xx response bodies, to diagnose a failing run. */
  sampleErrors: string[];
  /** Cores used from the first request to the deadline (or the end, if earlier). */
  cpu: CpuShare | null;
}

// autocannon ships no types and @types/autocannon is not installed: the few parts used here.
interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AutocannonClient {
  reqsMade: number;
  responseMax: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  maxOverallRequests: number;
  pipelining: number;
  timeout: number;
  requests: AutocannonRequest[];
  setupClient?: (client: AutocannonClient) => void;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: 'done', listener: (result: AutocannonResult) => void): void;
  on(event: 'start', listener: () => void): void;
}
type Autocannon = (options: AutocannonOptions, callback?: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// A realistic mix: levels with matching indicator codes (a 差评 requires one), several channels.
const RATINGS: Array<{ level: number; indicators: string[]; comment?: string }> = [
  { level: 5, indicators: ['101', '103'] },
  { level: 5, indicators: ['105'], comment: '窗口服务很好，一次办成' },
  { level: 4, indicators: ['102'] },
  { level: 4, indicators: ['106'] },
  { level: 3, indicators: ['301'] },
  { level: 2, indicators: ['505'], comment: '排队时间太长' },
  { level: 1, indicators: ['508'] },
  { level: 5, indicators: ['107'] },
];
const CHANNELS = ['pc', 'mobile', 'qr', 'hall_tablet', 'hall_terminal'];

export function evaluationBody(spec: Pick<LoadSpec, 'projectPrefix' | 'assessedAt'>, caseIndex: number): Record<string, unknown> {
  const rating = RATINGS[caseIndex % RATINGS.length] ?? { level: 5, indicators: ['101'] };
  return {
    clientId: `bench-${caseIndex}`,
    projectNo: `${spec.projectPrefix}${caseIndex}`,
    level: rating.level,
    indicators: rating.indicators,
    ...(rating.comment ? { comment: rating.comment } : {}),
    channel: CHANNELS[caseIndex % CHANNELS.length] ?? 'pc',
    assessedAt: spec.assessedAt,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? 0) * 100) / 100;
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const path = spec.mode === 'single' ? '/api/v1/evaluations' : '/api/v1/evaluations/batch';
  let nextCase = spec.firstCase;
  let stored = 0;
  let duplicates = 0;
  let refused = 0;
  const sampleErrors: string[] = [];
  const latencies: number[] = [];
  let firstSentAt = 0;
  let lastResponseAt = 0;
  let cpuBefore: CpuSnapshot | null = null;
  let cpuAfter: CpuSnapshot | null = null;

  const request: AutocannonRequest = {
    method: 'POST',
    path,
    // Called once for every request sent: a distinct case, a fresh nonce and a current timestamp.
    setupRequest(req) {
      if (firstSentAt === 0) {
        firstSentAt = performance.now();
        cpuBefore = cpuSnapshot(spec.serverPids);
      }
      let payload: unknown;
      if (spec.mode === 'single') {
        payload = evaluationBody(spec, nextCase++);
      } else {
        const items = new Array<unknown>(spec.batchSize);
        for (let i = 0; i < spec.batchSize; i++) items[i] = evaluationBody(spec, nextCase++);
        payload = { format: 'native', items };
      }
      const body = JSON.stringify(payload);
      const signed = signRequest({ appId: spec.appId, secret: spec.secret, method: 'POST', path, body, timestamp: Date.now(), nonce: newNonce() });
      return { ...req, body, headers: { ...req.headers, 'content-type': 'application/json', ...signed } };
    },
    onResponse(status, body) {
      if (status >= 300) {
        if (sampleErrors.length < 5) sampleErrors.push(`${status} ${body.slice(0, 400)}`);
        return;
      }
      if (spec.mode === 'batch') {
        // The counts lead the response ({"total":…,"stored":…,"duplicates":…,"refused":…,"results":[…]}).
        const head = /"stored":(\d+),"duplicates":(\d+),"refused":(\d+)/.exec(body.slice(0, 200));
        if (head) {
          stored += Number(head[1]);
          duplicates += Number(head[2]);
          refused += Number(head[3]);
        } else {
          const parsed = JSON.parse(body) as { stored: number; duplicates: number; refused: number };
          stored += parsed.stored;
          duplicates += parsed.duplicates;
          refused += parsed.refused;
        }
        if (refused > 0 && sampleErrors.length < 5) {
          const first = (JSON.parse(body) as { results: Array<{ status: string; error?: unknown }> }).results.find((r) => r.status === 'refused');
          if (first) sampleErrors.push(`refused item: ${JSON.stringify(first.error).slice(0, 400)}`);
        }
      }
    },
  };

  // Ending on time without losing answers: autocannon's own `duration` destroys the connections
  // with requests in flight, whose evaluations the server still stores, so the count of 201s would
  // fall short of the rows stored. Instead, at the deadline each connection is told it has made
  // its last request; it ends once that request is answered.
  const clients: AutocannonClient[] = [];
  const deadline = setTimeout(() => {
    cpuAfter = cpuSnapshot(spec.serverPids);
    for (const client of clients) client.responseMax = Math.max(1, client.reqsMade);
  }, spec.durationSeconds * 1000);

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        // A safety net only: the deadline above ends the run.
        duration: spec.durationSeconds + 120,
        maxOverallRequests: spec.maxRequests,
        pipelining: 1,
        timeout: 30,
        requests: [request],
        setupClient: (client) => clients.push(client),
      },
      (error, result) => {
        clearTimeout(deadline);
        if (error) return reject(error);
        const end = cpuAfter ?? cpuSnapshot(spec.serverPids);
        const sorted = Float64Array.from(latencies).sort();
        const mean = latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length;
        const statusCodes: Record<string, number> = {};
        for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
        resolve({
          mode: spec.mode,
          requests: latencies.length,
          statusCodes,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          elapsedMs: Math.round((lastResponseAt - firstSentAt) * 10) / 10,
          latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100), mean: Math.round(mean * 100) / 100 },
          stored,
          duplicates,
          refused,
          casesUsed: nextCase - spec.firstCase,
          sampleErrors,
          cpu: cpuBefore ? cpuShare(cpuBefore, end, cpus().length) : null,
        });
      },
    );
    instance.on('response', (_client, _statusCode, _resBytes, responseTime) => {
      latencies.push(responseTime);
      lastResponseAt = performance.now();
    });
  });
}

// Run as a program: `tsx bench/load.ts '<LoadSpec JSON>'`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  runLoad(spec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`load failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
