import { expect, it, vi } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { createNonceClaimer } from './nonces.ts';

const at = new Date('2026-12-01T02:00:00Z');
const nonce = (i: number) => `nonce-${String(i).padStart(10, '0')}`;

describeOnEngines('request nonces', (database) => {
  it('accepts a nonce once and refuses it the second time', async () => {
    const claimer = createNonceClaimer(database().db);
    expect(await claimer.claim('app-a', 'first-nonce-0000001', at)).toBe(true);
    expect(await claimer.claim('app-a', 'first-nonce-0000001', at)).toBe(false);
  });

  it('keeps nonces per app: another app may use the same one', async () => {
    const claimer = createNonceClaimer(database().db);
    expect(await claimer.claim('app-a', 'shared-nonce-000001', at)).toBe(true);
    expect(await claimer.claim('app-b', 'shared-nonce-000001', at)).toBe(true);
  });

  it('lets exactly one of two concurrent claims of one nonce win, in one batch', async () => {
    const claimer = createNonceClaimer(database().db);
    const results = await Promise.all([claimer.claim('app-a', 'racing-nonce-00001', at), claimer.claim('app-a', 'racing-nonce-00001', at)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets exactly one win across two claimers, as with two server processes', async () => {
    const one = createNonceClaimer(database().db);
    const two = createNonceClaimer(database().db);
    for (let i = 0; i < 20; i++) {
      const results = await Promise.all([one.claim('app-a', nonce(10_000 + i), at), two.claim('app-a', nonce(10_000 + i), at)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('accepts a burst of 500 distinct nonces from one turn in one statement', async () => {
    const { db } = database();
    const claimer = createNonceClaimer(db);
    const executeQuery = vi.spyOn(db.getExecutor(), 'executeQuery');
    const claims = Array.from({ length: 500 }, (_, i) => claimer.claim('burst-app', nonce(i), at));
    const results = await Promise.all(claims);
    expect(results.every(Boolean)).toBe(true);
    expect(executeQuery).toHaveBeenCalledTimes(1);
    executeQuery.mockRestore();
    const stored = await db.selectFrom('request_nonce').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', 'burst-app').executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(500);
  });

  it('splits larger bursts into statements of at most maxBatch rows, answering each correctly', async () => {
    const { db } = database();
    const claimer = createNonceClaimer(db, { maxBatch: 100 });
    const executeQuery = vi.spyOn(db.getExecutor(), 'executeQuery');
    // 250 new nonces, and 50 repeats of the first 50 arriving in the same turn.
    const claims = [...Array.from({ length: 250 }, (_, i) => claimer.claim('split-app', nonce(i), at)), ...Array.from({ length: 50 }, (_, i) => claimer.claim('split-app', nonce(i), at))];
    const results = await Promise.all(claims);
    expect(results.slice(0, 250).every(Boolean)).toBe(true);
    expect(results.slice(250).some(Boolean)).toBe(false);
    expect(executeQuery).toHaveBeenCalledTimes(3);
    executeQuery.mockRestore();
  });

  it('batches claims that arrive while a statement is in flight into the next one', async () => {
    const { db } = database();
    const claimer = createNonceClaimer(db);
    const executeQuery = vi.spyOn(db.getExecutor(), 'executeQuery');
    const firstWave = Array.from({ length: 10 }, (_, i) => claimer.claim('wave-app', nonce(i), at));
    await new Promise((resolve) => setImmediate(resolve));
    // The first statement has started; these wait for it, then go together.
    const secondWave = Array.from({ length: 10 }, (_, i) => claimer.claim('wave-app', nonce(100 + i), at));
    expect((await Promise.all([...firstWave, ...secondWave])).every(Boolean)).toBe(true);
    expect(executeQuery).toHaveBeenCalledTimes(2);
    executeQuery.mockRestore();
  });

  it('reports a failed statement to every claim in it, and keeps working afterwards', async () => {
    const { db } = database();
    const claimer = createNonceClaimer(db);
    const executeQuery = vi.spyOn(db.getExecutor(), 'executeQuery').mockRejectedValueOnce(new Error('connection lost'));
    const failed = await Promise.allSettled([claimer.claim('flaky-app', nonce(1), at), claimer.claim('flaky-app', nonce(2), at)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    executeQuery.mockRestore();
    expect(await claimer.claim('flaky-app', nonce(1), at)).toBe(true);
  });
});
