// `serve` with HTTP_WORKERS: worker processes share the port, each with its own intake chains; a
// worker that dies is replaced; SIGTERM stops them all. PostgreSQL only (PGlite is one process's).
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newNonce, signRequest } from '../auth/signature.ts';
import type { Database } from '../db/database.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { prepareDatabase } from '../system.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, type TestIntegrator } from '../../test/factories.ts';
import { startServeProcess, type ServeProcess } from '../../test/serve-process.ts';
import { withDatabase } from '../../test/server-database.ts';

const postgresUrl = inject('postgresUrl');

/** POST on a connection of its own (so that the primary hands each request to the next worker). */
function post(base: string, path: string, body: unknown, integrator: TestIntegrator): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  const headers = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path, body: payload, timestamp: Date.now(), nonce: newNonce() });
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('serve with HTTP_WORKERS on PGlite', () => {
  it('refuses to start, with the stable code and a message in Chinese and English', async () => {
    const refusal = await startServeProcess({ HTTP_WORKERS: '2', PGLITE_DIR: 'memory://' }).then(
      () => null,
      (error: unknown) => (error as Error).message,
    );
    expect(refusal).toContain('serve exited with 2');
    expect(refusal).toContain('错误 / error CONFIG_INVALID: 配置无效');
    expect(refusal).toContain('HTTP_WORKERS > 1 needs DATABASE_URL');
    expect(refusal).not.toContain('    at ');
  });
});

describe.runIf(postgresUrl)('serve with HTTP_WORKERS [postgres]', () => {
  const config = testConfig();
  let database: Database;
  let served: ServeProcess | undefined;
  let integrator: TestIntegrator;
  let item: { task_code: string };
  const completed = new Date(Date.now() - 86_400_000).toISOString();
  const started = () => {
    if (!served) throw new Error('serve did not start');
    return served;
  };
  const leaseOwners = async () =>
    (await sql<{ owner: string }>`SELECT DISTINCT lease_owner AS owner FROM ledger_chain WHERE lease_owner IS NOT NULL`.execute(database.db)).rows.map((r) => r.owner);
  const rate = async () => {
    const projectNo = await makeCompletedCase(database.db, config, item, completed);
    return post(started().url, '/api/v1/evaluations', { projectNo, level: 5, channel: 'pc', assessedAt: new Date().toISOString(), indicators: ['101'] }, integrator);
  };

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await prepareDatabase(database);
    const org = await makeOrg(database.db);
    item = await makeItem(database.db, org);
    integrator = await makeIntegrator(database.db, config);
    const name = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(database.db)).rows[0]?.name ?? '';
    served = await startServeProcess({ DATABASE_URL: withDatabase(postgresUrl ?? '', name), HCP_ENV: 'test', HTTP_PORT: '0', HTTP_WORKERS: '2', INTAKE_WRITERS: '1', LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', SCORE_FEED_INTERVAL_MS: '0' });
  }, 60_000);

  afterAll(async () => {
    if (served?.child.exitCode === null) served.child.kill('SIGKILL');
    await database?.close();
  });

  it('serves from two worker processes on one port, each writing its own ledger chain', async () => {
    expect(started().output()).toContain('2 个工作进程 / worker processes');
    const owners = await leaseOwners();
    expect(owners).toHaveLength(2);
    const pids = owners.map((owner) => Number(owner.split(':').pop()));
    expect(pids.every(alive)).toBe(true);
    expect(pids).not.toContain(started().child.pid);
    for (let i = 0; i < 6; i++) expect((await rate()).status).toBe(201);
    const chains = await sql<{ chain_id: number }>`SELECT DISTINCT chain_id FROM evaluation`.execute(database.db);
    expect(chains.rows).toHaveLength(2);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('replaces a worker that dies, and stops every worker on SIGTERM', async () => {
    const [victim] = (await leaseOwners()).map((owner) => Number(owner.split(':').pop()));
    process.kill(victim ?? 0, 'SIGKILL');
    let owners: string[] = [];
    for (let i = 0; i < 100 && owners.length < 3; i++) {
      await sleep(200);
      owners = await leaseOwners();
    }
    // The dead worker's chain keeps its lease until it lapses; the replacement claims another.
    expect(owners).toHaveLength(3);
    expect(started().output()).toContain(`worker ${victim} exited (SIGKILL), starting another`);
    for (let i = 0; i < 4; i++) expect((await rate()).status).toBe(201);

    const workers = owners.map((owner) => Number(owner.split(':').pop())).filter(alive);
    expect(workers).toHaveLength(2);
    const primary = started().child;
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
    // Stopped cleanly, they gave their chains back.
    expect(await leaseOwners()).toHaveLength(1);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });
});
