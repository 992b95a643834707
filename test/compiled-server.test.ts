// Production runs the JavaScript built by `npm run build` with plain node, no tsx: build it once
// into a scratch folder and start it as `npm start` does.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, type ServeProcess } from './serve-process.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository, so that the build finds node_modules as dist/ does.
const OUT_DIR = join(REPO, 'node_modules', '.cache', `hcp-build-test-${process.pid}`);
const MAIN = join(OUT_DIR, 'cli', 'main.js');

describe('the compiled server (npm run build, npm start)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hcp-compiled-'));
  // Only what the configuration module reads: PGlite, whatever DATABASE_URL the test run has.
  const env = { PATH: process.env.PATH, HCP_ENV: 'test', LOG_LEVEL: 'warn', SNAPSHOT_SIGNING_KEY_FILE: join(scratch, 'key.pem') };
  let served: ServeProcess | undefined;

  beforeAll(() => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out-dir', OUT_DIR], { cwd: REPO, stdio: 'pipe' });
  }, 240_000);
  afterAll(() => {
    if (served?.child.exitCode === null) served.child.kill('SIGKILL');
    rmSync(OUT_DIR, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('starts with plain node and serves, page scripts bundled from the client sources copied beside it', async () => {
    served = await startServeProcess({ ...env, PGLITE_DIR: join(scratch, 'pglite'), HTTP_PORT: '0' }, { entry: MAIN });
    expect(served.child.spawnargs.join(' ')).not.toContain('tsx');
    const health = await fetch(`${served.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', engine: 'pglite' });
    const page = await (await fetch(`${served.url}/kiosk`)).text();
    const script = /src="([^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${served.url}${script}`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(1000);
    // Stopped as a service manager stops it, leaving its database to the next test.
    const exited = new Promise((resolve) => served?.child.once('exit', resolve));
    served.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Generous: the machine may be shared, and the server's first start migrates a new database.
  }, 180_000);

  it('runs operator commands on the database the server left, answering with stable codes', () => {
    const result = spawnSync(process.execPath, [MAIN, 'disable-account', '--username', 'nobody.here'], { cwd: REPO, env: { ...env, PGLITE_DIR: join(scratch, 'pglite') }, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('STAFF_ACCOUNT_NOT_FOUND');
  }, 120_000);
});
