// Statement tracing for the intake benchmark (BENCH_TRACE=1, PostgreSQL only): wraps every pool
// connection's query() and records, per kind of statement, how many ran, how long each took on
// the wire (send → result, so it includes the server's queueing and the commit's WAL flush) and
// how many rows the multi-row INSERTs carried. Shows the writer's real batch sizes and where a
// flush spends its time.
import type pg from 'pg';

interface Stat {
  count: number;
  totalMs: number;
  times: number[];
  rows: number;
}

export interface StatementTrace {
  reset(): void;
  report(): string;
  summary(): Record<string, { count: number; meanMs: number; p50Ms: number; p99Ms: number; meanRows: number | null }>;
}

function kindOf(sqlText: string): string {
  const text = sqlText.replace(/\s+/g, ' ').trim().toLowerCase();
  const insert = /^insert into "?([a-z_]+)"?/.exec(text);
  if (insert) return `insert ${insert[1]}${text.includes('on conflict') ? ' on conflict' : ''}`;
  const update = /^update "?([a-z_]+)"?/.exec(text);
  if (update) return `update ${update[1]}`;
  const del = /^delete from "?([a-z_]+)"?/.exec(text);
  if (del) return `delete ${del[1]}`;
  const select = /^select .*? from "?([a-z_]+)"?/.exec(text);
  if (select) return `select ${select[1]}${text.includes('for update') ? ' for update' : ''}`;
  return text.slice(0, 40);
}

function rowsOf(sqlText: string, parameters: unknown[] | undefined): number | null {
  if (!parameters || !/^\s*insert/i.test(sqlText)) return null;
  const tuple = /values\s*\(([^)]*)\)/i.exec(sqlText);
  const perRow = tuple?.[1] ? tuple[1].split(',').length : 0;
  return perRow > 0 ? parameters.length / perRow : null;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Starts tracing the connections the pool opens from now on (call before the system connects). */
export function traceStatements(pool: pg.Pool): StatementTrace {
  let stats = new Map<string, Stat>();
  // Pool occupancy, sampled every 20 ms: is DB_POOL_SIZE ever the limit?
  let poolMax = { total: 0, busy: 0, waiting: 0 };
  const sampler = setInterval(() => {
    poolMax = {
      total: Math.max(poolMax.total, pool.totalCount),
      busy: Math.max(poolMax.busy, pool.totalCount - pool.idleCount),
      waiting: Math.max(poolMax.waiting, pool.waitingCount),
    };
  }, 20);
  sampler.unref();
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [sqlText, parameters] = args;
      const result = original(...args);
      if (typeof sqlText !== 'string' || !(result instanceof Promise)) return result;
      const started = performance.now();
      const kind = kindOf(sqlText);
      const rows = rowsOf(sqlText, Array.isArray(parameters) ? parameters : undefined);
      const record = () => {
        const ms = performance.now() - started;
        const stat = stats.get(kind) ?? { count: 0, totalMs: 0, times: [], rows: 0 };
        stat.count++;
        stat.totalMs += ms;
        stat.times.push(ms);
        stat.rows += rows ?? 0;
        stats.set(kind, stat);
      };
      result.then(record, record);
      return result;
    };
  });
  const summary = () =>
    Object.fromEntries(
      [...stats.entries()]
        .sort((a, b) => b[1].totalMs - a[1].totalMs)
        .map(([kind, s]) => {
          const sorted = [...s.times].sort((a, b) => a - b);
          return [kind, { count: s.count, meanMs: s.totalMs / s.count, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), meanRows: s.rows > 0 ? s.rows / s.count : null }];
        }),
    );
  return {
    reset() {
      stats = new Map();
      poolMax = { total: 0, busy: 0, waiting: 0 };
    },
    summary,
    report() {
      const lines = Object.entries(summary()).map(
        ([kind, s]) =>
          `    ${kind.padEnd(42)} ${String(s.count).padStart(7)} × ${s.meanMs.toFixed(2).padStart(7)} ms mean, p50 ${s.p50Ms.toFixed(2).padStart(7)}, p99 ${s.p99Ms.toFixed(2).padStart(7)}` +
          (s.meanRows === null ? '' : `, ${s.meanRows.toFixed(1)} rows/statement`),
      );
      lines.push(`    pool: at most ${poolMax.busy} of ${poolMax.total} connections busy at once, at most ${poolMax.waiting} callers waiting for one`);
      return lines.join('\n');
    },
  };
}
