// `serve`: the HTTP server with the intake writer, scheduled jobs and the score feed, in this
// process, or in HTTP_WORKERS worker processes that share the port (node:cluster, PostgreSQL only).
// Node runs JavaScript on one core: workers are how one machine's cores all take requests. Each
// worker is a whole system with its own pool, intake chains, job runner and score feed; all of
// them are safe to run side by side (docs/ledger.md, docs/scoring.md).
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/config.ts';
import { demoLinks, type DemoLinks } from '../demo/links.ts';
import type { DemoSummary } from '../demo/summary.ts';
import { openConfiguredDatabase, prepareDatabase, startSystem } from '../system.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** What a worker tells the primary. */
interface WorkerMessage {
  kind: 'listening';
  address: string;
}

const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 15_000;

/** Serves until SIGINT or SIGTERM; never resolves. */
export async function serve(config: Config, demo: DemoSummary | null): Promise<number> {
  if (config.http.workers > 1) return cluster.isPrimary ? superviseWorkers(config, demo) : serveAsWorker(config);
  const system = await startSystem(config);
  const address = await system.app.listen({ host: config.http.host, port: config.http.port });
  const links = demo ? await demoLinks(system.database.db, config, system.clock()) : null;
  printBanner(address, system.database.engine === 'pglite' ? `PGlite (${config.database.pgliteDir})` : 'PostgreSQL', demo, links);
  onStopSignal(async () => {
    await system.close();
    process.exit(0);
  });
  return new Promise<number>(() => undefined);
}

async function serveAsWorker(config: Config): Promise<number> {
  const starting = startSystem(config);
  let stopping: Promise<void> | null = null;
  // Listening before the system is up: a worker told to stop while it starts finishes starting and
  // then stops cleanly, giving its ledger chains back, rather than dying with them leased.
  const stop = () => {
    stopping ??= starting.then((system) => system.close()).finally(() => process.exit(0));
  };
  // The primary stops its workers with SIGTERM; a terminal's Ctrl+C reaches the primary too, and
  // it decides. A worker whose primary is gone stops as well.
  process.once('SIGTERM', stop);
  process.on('SIGINT', () => undefined);
  process.once('disconnect', stop);
  const system = await starting;
  if (!stopping) {
    const address = await system.app.listen({ host: config.http.host, port: config.http.port });
    process.send?.({ kind: 'listening', address } satisfies WorkerMessage);
  }
  return new Promise<number>(() => undefined);
}

async function superviseWorkers(config: Config, demo: DemoSummary | null): Promise<number> {
  // Migrations and the seed run here, before any worker starts: the workers, which check them as
  // every start does, then find nothing to do and never race each other to migrate.
  const database = await openConfiguredDatabase(config);
  let links: DemoLinks | null = null;
  try {
    await prepareDatabase(database);
    if (demo) links = await demoLinks(database.db, config, new Date());
  } finally {
    await database.close();
  }
  // Workers serve, whatever command started the primary (the quickstart's demo data exists by now).
  cluster.setupPrimary({ args: ['serve'] });
  let stopping = false;
  const start = () =>
    new Promise<string>((resolve, reject) => {
      const worker = cluster.fork();
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'listening') resolve(message.address);
      });
      worker.once('exit', (code, signal) =>
        reject(new Error(`工作进程 ${worker.process.pid} 未能启动（${signal ?? code}）/ worker ${worker.process.pid} exited (${signal ?? code}) before it listened`)),
      );
    });
  const stopWorkers = async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((done) => {
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
            worker.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  let addresses: string[];
  try {
    addresses = await Promise.all(Array.from({ length: config.http.workers }, start));
  } catch (error) {
    await stopWorkers();
    throw error;
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    process.stderr.write(`工作进程 ${worker.process.pid} 已退出（${signal ?? code}），正在重启 / worker ${worker.process.pid} exited (${signal ?? code}), starting another\n`);
    setTimeout(() => {
      if (stopping) return;
      start().catch((error: unknown) => {
        if (!stopping) process.stderr.write(`${(error as Error).message}\n`);
      });
    }, RESTART_DELAY_MS);
  });
  printBanner(addresses[0] ?? '', `PostgreSQL, ${config.http.workers} 个工作进程 / worker processes`, demo, links);
  onStopSignal(async () => {
    await stopWorkers();
    process.exit(0);
  });
  return new Promise<number>(() => undefined);
}

function onStopSignal(stop: () => Promise<void>): void {
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function printBanner(address: string, storage: string, demo: DemoSummary | null, links: DemoLinks | null): void {
  print('');
  print(`好差评平台已启动 / haochaping is running on ${storage}`);
  print(`  工作台 / console:     ${address}/console/`);
  print(`  API:                  ${address}/api/v1`);
  print(`  API 文档 / API docs:  ${address}/docs`);
  print(`  区划 / regions:       ${address}/api/v1/catalog/regions?parent=510000`);
  print(`  健康检查 / health:    ${address}/health`);
  if (demo) {
    print(`  登录 / sign in:       ${address}/console/login  (admin / ${demo.credentials.password})`);
    if (links?.ratingPage) print(`  评价页 / rating page: ${links.ratingPage}`);
    if (links?.poster) print(`  窗口海报页 / poster:  ${links.poster}`);
    print(`  评价器 / kiosk:       ${address}/kiosk  (设备登记 / register a device: docs/kiosk.md)`);
    print(`  好评榜 / honor roll:  ${address}/honor-roll`);
  }
  print('按 Ctrl+C 停止 / press Ctrl+C to stop');
}
