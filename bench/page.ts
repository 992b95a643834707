// Rating page benchmark: `npm run bench:page`.
//
// Starts the real system on a fresh in-memory PGlite, registers a completed case and issues a
// rating link for it, then opens the link in Debian's Chromium (playwright-core, /usr/bin/chromium)
// under a slow 4G connection (CDP Network.emulateNetworkConditions: 150 ms latency, 1.6 Mbps down,
// 750 kbps up) and a CPU slowed 4× (Emulation.setCPUThrottlingRate), and prints:
//   1. the page weight: HTML shell, script, style sheet (and the API answer), raw and gzipped;
//   2. the time to a usable page: from navigation start to the first frame in which the five
//      level choices are on screen and enabled; median of several runs, on a first visit (new
//      browser context, empty cache) and on a repeat visit (script and style from the cache);
//      beside it, in the same run and conditions, a baseline: a static HTML page holding nothing
//      but five radio buttons, from a bare node:http server. It is the floor this machine (and
//      whatever else it is running) allows; the difference is what the page itself costs.
// Target: first-visit median ≤ 1.5 s (PASS/FAIL; exit code 1 on FAIL). Results also go to
// bench/results/page.json.
//
// Knobs (environment, optional): BENCH_PAGE_RUNS (7), BENCH_PAGE_LATENCY_MS (150),
// BENCH_PAGE_DOWN_KBPS (1600), BENCH_PAGE_UP_KBPS (750), BENCH_PAGE_CPU (4), CHROMIUM (/usr/bin/chromium).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../src/config/config.ts';
import { ratingAssets } from '../src/pages/rating-page.ts';
import { issueRatingLink } from '../src/ratings/links.ts';
import { startSystem } from '../src/system.ts';
import { makeCompletedCase, makeItem, makeOrg, makeStaff, makeWindow } from '../test/factories.ts';

const env = process.env;
const RUNS = Number(env.BENCH_PAGE_RUNS ?? 7);
const LATENCY_MS = Number(env.BENCH_PAGE_LATENCY_MS ?? 150);
const DOWN_KBPS = Number(env.BENCH_PAGE_DOWN_KBPS ?? 1600);
const UP_KBPS = Number(env.BENCH_PAGE_UP_KBPS ?? 750);
const CPU_SLOWDOWN = Number(env.BENCH_PAGE_CPU ?? 4);
const CHROMIUM = env.CHROMIUM ?? '/usr/bin/chromium';
const TARGET_MS = 1500;
const BUDGET_GZIP = 60 * 1024;
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

// Runs in the page before its own script (CDP-injected, so the page's CSP does not apply): notes
// the first frame in which the five level choices are laid out and enabled.
const PROBE = `(() => {
  const ready = () => {
    const radios = document.querySelectorAll('input[name=level]');
    if (radios.length !== 5) return false;
    for (const r of radios) { const box = r.getBoundingClientRect(); if (r.disabled || box.width === 0 || box.height === 0) return false; }
    return true;
  };
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__usableAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

const BASELINE_HTML =
  '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>baseline</title></head><body>' +
  ['非常满意', '满意', '基本满意', '不满意', '非常不满意'].map((name, i) => `<label style="display:block;padding:16px;font-size:20px"><input type="radio" name="level" value="${5 - i}"> ${name}</label>`).join('') +
  '</body></html>';

/** The floor: a bare server sending a static page with the five choices and nothing else. */
async function baselineServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(BASELINE_HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Visit {
  usableMs: number;
  htmlDoneMs: number;
  apiDoneMs: number;
  transferred: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const pad = (text: string | number, width: number, right = false) => (right ? String(text).padStart(width) : String(text).padEnd(width));

async function throttle(context: BrowserContext, page: import('playwright-core').Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LATENCY_MS,
    downloadThroughput: (DOWN_KBPS * 1000) / 8,
    uploadThroughput: (UP_KBPS * 1000) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
}

async function visit(context: BrowserContext, url: string): Promise<Visit> {
  const page = await context.newPage();
  await throttle(context, page);
  await page.addInitScript(PROBE);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => typeof (window as { __usableAt?: number }).__usableAt === 'number', null, { timeout: 30_000, polling: 50 });
  const result = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const api = resources.find((r) => r.name.includes('/api/v1/public/ratings/'));
    return {
      usableMs: (window as { __usableAt?: number }).__usableAt ?? NaN,
      htmlDoneMs: nav?.responseEnd ?? NaN,
      apiDoneMs: api?.responseEnd ?? NaN,
      transferred: (nav?.transferSize ?? 0) + resources.reduce((sum, r) => sum + r.transferSize, 0),
    };
  });
  await page.close();
  return result;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.error(`No Chromium at ${CHROMIUM} (Debian: apt-get install chromium). Nothing measured.`);
    process.exit(2);
  }
  const config = loadConfig({ HCP_ENV: 'development', LOG_LEVEL: env.LOG_LEVEL ?? 'warn', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', PGLITE_DIR: 'memory://', JOBS_ENABLED: 'false' });
  const system = await startSystem(config);
  let browser: Browser | null = null;
  try {
    const db = system.database.db;
    const org = await makeOrg(db, { name: '成都市锦江区政务服务中心' });
    const item = await makeItem(db, org);
    const window = await makeWindow(db, org);
    const staff = await makeStaff(db, org, window);
    const completedAt = new Date(system.clock().getTime() - 24 * 3600_000);
    const beijing = new Date(completedAt.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    const projectNo = await makeCompletedCase(db, config, item, beijing, { windowCode: window.code, staffNo: staff.staff_no });
    const link = await issueRatingLink({ db, config, clock: system.clock }, { projectNo, channel: 'sms', sourceApp: 'bench', scope: { regionPath: '510000/', orgId: null } });
    const base = await system.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `${base}/rate/${link.token}`;

    // Weight, from what the server actually sends.
    const assets = await ratingAssets();
    const shell = await system.app.inject({ method: 'GET', url: `/rate/${link.token}` });
    const api = await system.app.inject({ method: 'GET', url: `/api/v1/public/ratings/${link.token}` });
    if (api.statusCode !== 200) throw new Error(`the rating API answered ${api.statusCode}: ${api.body}`);
    const weight = [
      { file: 'HTML shell (sent as is)', raw: shell.rawPayload.length, gzip: gzipSync(shell.rawPayload, { level: 9 }).length },
      { file: `script ${assets.script.name}`, raw: assets.script.body.length, gzip: assets.script.gzipped.length },
      { file: `style ${assets.style.name}`, raw: assets.style.body.length, gzip: assets.style.gzipped.length },
      { file: 'API answer, JSON (sent as is)', raw: api.rawPayload.length, gzip: gzipSync(api.rawPayload, { level: 9 }).length },
    ];
    const assetsGzip = assets.script.gzipped.length + assets.style.gzipped.length;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    // One unmeasured visit warms the server (first requests through Fastify and PGlite).
    {
      const context = await browser.newContext(PHONE);
      await visit(context, url);
      await context.close();
    }
    const baseline = await baselineServer();
    const first: Visit[] = [];
    const repeat: Visit[] = [];
    const floor: Visit[] = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext(PHONE);
      first.push(await visit(context, url));
      repeat.push(await visit(context, url));
      await context.close();
      const bare = await browser.newContext(PHONE);
      floor.push(await visit(bare, baseline.url));
      await bare.close();
    }
    await baseline.close();

    const firstMedian = median(first.map((v) => v.usableMs));
    const pass = firstMedian <= TARGET_MS && assetsGzip <= BUDGET_GZIP;
    const [load1] = loadavg();
    console.log(`\nRating page benchmark — ${new Date().toISOString()} — ${cpus().length} CPU, load ${load1?.toFixed(2)}; Chromium ${browser.version()}`);
    console.log(`Network: latency ${LATENCY_MS} ms, ${DOWN_KBPS} kbps down, ${UP_KBPS} kbps up; CPU ${CPU_SLOWDOWN}× slower; phone 360×640\n`);
    console.log('Page weight');
    console.log(`  ${pad('file', 48)}${pad('raw', 11, true)}${pad('gzipped', 11, true)}`);
    for (const row of weight) console.log(`  ${pad(row.file, 48)}${pad(kb(row.raw), 11, true)}${pad(kb(row.gzip), 11, true)}`);
    console.log(`  ${pad('script + style (budget 60 KB gzipped)', 48)}${pad(kb(assets.script.body.length + assets.style.body.length), 11, true)}${pad(kb(assetsGzip), 11, true)}  ${assetsGzip <= BUDGET_GZIP ? 'PASS' : 'FAIL'}`);
    console.log('\nTime to a usable page (five level choices on screen and enabled), from navigation start');
    console.log(`  ${pad('visit', 30)}${pad('runs', 6, true)}${pad('median', 10, true)}${pad('min', 9, true)}${pad('max', 9, true)}${pad('HTML', 9, true)}${pad('API', 9, true)}${pad('bytes', 10, true)}`);
    for (const [name, visits] of [
      ['first (empty cache)', first],
      ['repeat (assets cached)', repeat],
      ['baseline: static 5 radios', floor],
    ] as const) {
      const usable = visits.map((v) => v.usableMs);
      console.log(
        `  ${pad(name, 30)}${pad(visits.length, 6, true)}${pad(`${Math.round(median(usable))} ms`, 10, true)}${pad(Math.round(Math.min(...usable)), 9, true)}${pad(Math.round(Math.max(...usable)), 9, true)}` +
          `${pad(Math.round(median(visits.map((v) => v.htmlDoneMs))), 9, true)}${pad(Math.round(median(visits.map((v) => v.apiDoneMs))), 9, true)}${pad(Math.round(median(visits.map((v) => v.transferred))), 10, true)}`,
      );
    }
    console.log('  (HTML, API: median ms at which that response had arrived; bytes: transferred, headers included)');
    console.log(`\nTarget: first-visit median ≤ ${TARGET_MS} ms: ${Math.round(firstMedian)} ms — ${firstMedian <= TARGET_MS ? 'PASS' : 'FAIL'}\n`);

    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      join(RESULTS, 'page.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          chromium: browser.version(),
          conditions: { latencyMs: LATENCY_MS, downKbps: DOWN_KBPS, upKbps: UP_KBPS, cpuSlowdown: CPU_SLOWDOWN, viewport: PHONE.viewport },
          weight,
          assetsGzipBytes: assetsGzip,
          firstVisits: first,
          repeatVisits: repeat,
          baselineVisits: floor,
          baselineMedianMs: median(floor.map((v) => v.usableMs)),
          firstMedianMs: firstMedian,
          repeatMedianMs: median(repeat.map((v) => v.usableMs)),
          targetMs: TARGET_MS,
          pass,
        },
        null,
        2,
      ) + '\n',
    );
    process.exitCode = pass ? 0 : 1;
  } finally {
    await browser?.close();
    await system.close();
  }
}

await main();
