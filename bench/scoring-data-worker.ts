// Worker thread of bench/scoring-data.ts: runs its parts of the plan (bench/scoring-data-plan.ts)
// one after the other and posts their chunks of COPY text to the main thread, which writes them and
// hands the buffers back; at most AHEAD chunks wait unwritten.
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool, ScoringDataPlan, type Chunk, type PlanSettings, type PlanSummary } from './scoring-data-plan.ts';

/** What the worker is given: the settings, and which parts (of `count`) to plan. */
export interface WorkerInput {
  settings: PlanSettings;
  parts: number[];
  count: number;
}

export type WorkerMessage = { type: 'chunk'; chunk: Chunk } | { type: 'done'; summaries: PlanSummary[]; waitedSeconds: number } | { type: 'error'; message: string };

/** The main thread's answer to a chunk: written, and here are its buffers back. */
export interface Ack {
  type: 'ack';
  buffers: ArrayBuffer[];
}

const AHEAD = 2;

const port = parentPort;
if (!port) throw new Error('bench/scoring-data-worker.ts runs in a worker thread');

const input = workerData as WorkerInput;
const pool = new BufferPool();
let credit = AHEAD;
let wake: (() => void) | null = null;
port.on('message', (message: Ack) => {
  if (message.type !== 'ack') return;
  for (const buffer of message.buffers) pool.put(buffer);
  credit++;
  wake?.();
  wake = null;
});

async function run(): Promise<void> {
  const summaries: PlanSummary[] = [];
  // Time spent waiting for the writes (the database is the bottleneck while this grows).
  let waited = 0;
  for (const index of input.parts) {
    const chunks = new ScoringDataPlan({ ...input.settings, part: { index, count: input.count } }, pool).chunks();
    for (;;) {
      const next = chunks.next();
      if (next.done) {
        summaries.push(next.value);
        break;
      }
      const since = performance.now();
      while (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
      waited += performance.now() - since;
      credit--;
      port?.postMessage({ type: 'chunk', chunk: next.value } satisfies WorkerMessage, next.value.tables.map((t) => t.text.buffer));
    }
  }
  port?.postMessage({ type: 'done', summaries, waitedSeconds: waited / 1000 } satisfies WorkerMessage);
}

run().catch((error: unknown) => port.postMessage({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerMessage));
