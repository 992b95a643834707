import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { cliActor } from './admin-audit.ts';
import { createIntegratorApp, createIntegratorAppCache, loadIntegratorApp, setIntegratorAppActive } from './integrator-apps.ts';
import { manualClock, places, seedPlaces, testConfig } from './testing.ts';

const config = testConfig();
const now = new Date('2026-12-01T02:00:00Z');

describeOnEngines('integrator apps', (database) => {
  beforeAll(async () => {
    await seedPlaces(database().db);
  });

  it('returns a fresh 32-byte secret once and keeps it only sealed', async () => {
    const { app, secret } = await createIntegratorApp(database().db, config, { appId: 'cd-platform', name: '成都市政务服务平台', regionCode: places.chengdu, channelProfile: 'national' }, now);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(app).toMatchObject({ appId: 'cd-platform', regionPath: '510000/510100/', orgId: null, active: true });

    const row = await database().db.selectFrom('integrator_app').selectAll().where('app_id', '=', 'cd-platform').executeTakeFirstOrThrow();
    const stored = Buffer.from(row.secret_enc);
    expect(row.secret_key_id).toBe(config.pii.keys[0]?.id);
    expect(stored.includes(Buffer.from(secret, 'hex'))).toBe(false);
    expect(stored.includes(Buffer.from(secret, 'ascii'))).toBe(false);
    expect(stored.toString('latin1')).not.toContain(secret);

    const loaded = await loadIntegratorApp(database().db, config, 'cd-platform');
    expect(loaded).toMatchObject({ appId: 'cd-platform', name: '成都市政务服务平台', regionCode: places.chengdu, regionPath: '510000/510100/', channelProfile: 'national', active: true, secret });
  });

  it('gives every app its own secret', async () => {
    const a = await createIntegratorApp(database().db, config, { appId: 'my-a', name: 'A', regionCode: places.mianyang, channelProfile: 'national' }, now);
    const b = await createIntegratorApp(database().db, config, { appId: 'my-b', name: 'B', regionCode: places.mianyang, channelProfile: 'sms-six' }, now);
    expect(a.secret).not.toBe(b.secret);
  });

  it('binds the sealed secret to its app id', async () => {
    const { db } = database();
    await createIntegratorApp(db, config, { appId: 'victim-app', name: 'V', regionCode: places.chengdu, channelProfile: 'national' }, now);
    await createIntegratorApp(db, config, { appId: 'thief-app', name: 'T', regionCode: places.chengdu, channelProfile: 'national' }, now);
    const victim = await db.selectFrom('integrator_app').select('secret_enc').where('app_id', '=', 'victim-app').executeTakeFirstOrThrow();
    await db.updateTable('integrator_app').set({ secret_enc: victim.secret_enc }).where('app_id', '=', 'thief-app').execute();
    await expect(loadIntegratorApp(db, config, 'thief-app')).rejects.toThrow(/authentication/);
  });

  it('opens secrets sealed with an older key after a new one is put first', async () => {
    const { secret } = await createIntegratorApp(database().db, config, { appId: 'before-rotation', name: 'R', regionCode: places.chengdu, channelProfile: 'national' }, now);
    const rotated = testConfig({ PII_KEYS: `k2:${'ab'.repeat(16)},dev1:000102030405060708090a0b0c0d0e0f` });
    expect((await loadIntegratorApp(database().db, rotated, 'before-rotation'))?.secret).toBe(secret);
    const after = await createIntegratorApp(database().db, rotated, { appId: 'after-rotation', name: 'R2', regionCode: places.chengdu, channelProfile: 'national' }, now);
    const row = await database().db.selectFrom('integrator_app').select('secret_key_id').where('app_id', '=', 'after-rotation').executeTakeFirstOrThrow();
    expect(row.secret_key_id).toBe('k2');
    expect((await loadIntegratorApp(database().db, rotated, 'after-rotation'))?.secret).toBe(after.secret);
    // A key taken out of the configuration too early is an operator error, said plainly.
    await expect(loadIntegratorApp(database().db, config, 'after-rotation')).rejects.toThrow(/"k2", which is not in PII_KEYS/);
  });

  it('binds an app to an org inside its region', async () => {
    const { app } = await createIntegratorApp(database().db, config, { appId: 'jj-hall', name: '锦江大厅', regionCode: places.chengdu, orgId: places.jinjiangOrgId, channelProfile: 'national' }, now);
    expect(app.orgId).toBe(places.jinjiangOrgId);
    await expect(
      createIntegratorApp(database().db, config, { appId: 'wrong-org', name: 'W', regionCode: places.chengdu, orgId: places.mianyangOrgId, channelProfile: 'national' }, now),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses duplicates, unknown places and malformed input with stable codes', async () => {
    const { db } = database();
    const base = { name: 'X', regionCode: places.chengdu, channelProfile: 'national' } as const;
    await createIntegratorApp(db, config, { ...base, appId: 'dup-app' }, now);
    await expect(createIntegratorApp(db, config, { ...base, appId: 'dup-app' }, now)).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    await expect(createIntegratorApp(db, config, { ...base, appId: 'no-region', regionCode: '519900' }, now)).rejects.toMatchObject({ code: 'REGION_UNKNOWN' });
    await expect(createIntegratorApp(db, config, { ...base, appId: 'bad-region', regionCode: '5101' }, now)).rejects.toMatchObject({ code: 'REGION_CODE_INVALID' });
    await expect(createIntegratorApp(db, config, { ...base, appId: 'no-org', orgId: '0190a5b0-0000-7000-8000-0000000000ff' }, now)).rejects.toMatchObject({ code: 'ORG_UNKNOWN' });
    await expect(createIntegratorApp(db, config, { ...base, appId: 'bad-org', orgId: 'not-a-uuid' }, now)).rejects.toMatchObject({ code: 'ORG_UNKNOWN' });
    await expect(createIntegratorApp(db, config, { ...base, appId: 'a b' }, now)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(createIntegratorApp(db, config, { ...base, appId: 'empty-name', name: '  ' }, now)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await loadIntegratorApp(db, config, 'never-created')).toBeNull();
    expect(await loadIntegratorApp(db, config, "x' OR 1=1 --")).toBeNull();
  });

  it('caches apps for a short time, unknown ids more briefly, and shares concurrent reads', async () => {
    const { db } = database();
    const clock = manualClock(now);
    const cache = createIntegratorAppCache(db, config, { clock, ttlMs: 30_000, negativeTtlMs: 5_000 });
    await createIntegratorApp(db, config, { appId: 'cached-app', name: 'C', regionCode: places.chengdu, channelProfile: 'national' }, now);

    const [first, second] = await Promise.all([cache.get('cached-app'), cache.get('cached-app')]);
    expect(first).toBe(second);
    expect(first?.active).toBe(true);

    await setIntegratorAppActive(db, { appId: 'cached-app', active: false, actor: cliActor('ops') }, now);
    clock.advance(29_000);
    expect((await cache.get('cached-app'))?.active).toBe(true);
    clock.advance(2_000);
    expect((await cache.get('cached-app'))?.active).toBe(false);

    expect(await cache.get('late-app')).toBeNull();
    await createIntegratorApp(db, config, { appId: 'late-app', name: 'L', regionCode: places.chengdu, channelProfile: 'national' }, now);
    expect(await cache.get('late-app')).toBeNull();
    clock.advance(5_001);
    expect((await cache.get('late-app'))?.appId).toBe('late-app');
  });

  it('bounds the cache size, evicting the oldest entry', async () => {
    const { db } = database();
    const cache = createIntegratorAppCache(db, config, { clock: manualClock(now), maxEntries: 2 });
    expect(await cache.get('evicted-app')).toBeNull();
    await createIntegratorApp(db, config, { appId: 'evicted-app', name: 'E', regionCode: places.chengdu, channelProfile: 'national' }, now);
    expect(await cache.get('evicted-app')).toBeNull();
    expect(await cache.get('filler-1')).toBeNull();
    expect(await cache.get('filler-2')).toBeNull();
    // Pushed out by the two fillers although its negative entry had not expired: read afresh.
    expect((await cache.get('evicted-app'))?.appId).toBe('evicted-app');
  });
});
