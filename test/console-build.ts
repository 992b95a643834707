// The staff console built once per test run when its sources are newer than its build (or it has
// none), so that browser tests meet the same files the quick start serves.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO = fileURLToPath(new URL('..', import.meta.url));

function newestUnder(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestUnder(join(path, entry)));
  return newest;
}

export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(REPO, 'console/dist/index.html');
  const sources = ['console/src', 'console/index.html', 'console/vite.config.ts', 'src'].map((p) => newestUnder(join(REPO, p)));
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources)) return;
  // Vitest runs with NODE_ENV=test, which Vite would write into the bundle (React's and Ant Design's
  // development builds): build what the quick start serves, the production one.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(REPO, 'console/vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
