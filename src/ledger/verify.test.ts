import { chinaCalendar } from '../calendar/china-calendar.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadIndicatorCatalogue } from '../evaluations/indicators.ts';
import { startIntakeWriter, type IntakeWriter } from '../evaluations/intake-writer.ts';
import { prepareDatabase } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { verifyLedger } from './verify.ts';

describeOnEngines('ledger verification', (database) => {
  const config = testConfig({ INTAKE_WRITERS: '2' });
  const clock = testClock('2026-11-20T02:00:00Z');
  let writers: IntakeWriter[] = [];
  let projects: string[] = [];

  beforeAll(async () => {
    const { db } = database();
    await prepareDatabase(database());
    const org = await makeOrg(db);
    const item = await makeItem(db, { id: org.id, region_code: '510104' });
    projects = [];
    for (let i = 0; i < 80; i++) projects.push(await makeCompletedCase(db, config, item, '2026-11-18 10:00:00'));
    const catalogue = await loadIndicatorCatalogue(db);
    // Two writers, as two server processes would be, each with two chains.
    writers = [
      await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue, owner: 'process-a' }),
      await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue, owner: 'process-b' }),
    ];
  });
  afterAll(async () => {
    for (const writer of writers) await writer.close();
  });

  it('keeps every chain consistent with several writers racing, duplicates included', async () => {
    const [a, b] = writers;
    if (!a || !b) throw new Error('writers not started');
    expect(new Set([...a.chainIds, ...b.chainIds]).size).toBe(4);
    // Each writer gets every project, in its own order: each stage is stored exactly once.
    const forward = projects.slice(0, 60).map((p, i) => draft(p, { level: (i % 5) + 1 }));
    const backward = [...forward].reverse();
    const outcomes = (await Promise.all([submitDrafts(a, forward), submitDrafts(b, backward), submitDrafts(a, backward.slice(0, 20)), submitDrafts(b, forward.slice(0, 20))])).flat();
    expect(outcomes.filter((o) => o.status === 'stored')).toHaveLength(60);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(outcomes.length - 60);
    const report = await verifyLedger(database().db);
    expect(report).toMatchObject({ ok: true, rows: 60 });
    expect(await verifyLedger(database().db, { pageRows: 2 })).toMatchObject({ ok: true, rows: 60 });
  });

  it('writes plain batches by the fast path and falls back to the full path on conflicts, losing nothing', async () => {
    const [a] = writers;
    if (!a) throw new Error('writers not started');
    const before = a.stats();
    // Fresh stages: one statement. A rated stage and a repeat mixed in: the full path sorts them out.
    const fresh = await submitDrafts(a, projects.slice(60, 64).map((p) => draft(p, { clientId: `fast-${p}` })));
    expect(fresh.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    const mixed = await submitDrafts(a, [draft(projects[64] ?? '', { clientId: 'fast-new' }), draft(projects[60] ?? '', { clientId: 'fast-other' }), draft(projects[61] ?? '', { clientId: `fast-${projects[61]}` })]);
    expect(mixed.map((o) => (o.status === 'refused' ? o.refusal.code : o.status))).toEqual(['stored', 'EVALUATION_ALREADY_EXISTS', 'duplicate']);
    const after = a.stats();
    expect(after.fast).toBeGreaterThan(before.fast);
    expect(after.full).toBeGreaterThan(before.full);
    expect((await verifyLedger(database().db)).ok).toBe(true);
  });

  it('names the first altered row when a row is changed behind the system’s back', async () => {
    const target = await database().db.selectFrom('evaluation').select(['id', 'chain_id', 'seq']).orderBy('chain_id').orderBy('seq').offset(3).limit(1).executeTakeFirstOrThrow();
    // session_replication_role = replica skips triggers: what an attacker with superuser rights could do.
    await database().db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE evaluation SET level = 1 WHERE id = ${target.id}`.execute(trx);
    });
    // Whole chains in one read, and 2 rows per read (the next page read while one is hashed).
    for (const report of [await verifyLedger(database().db), await verifyLedger(database().db, { pageRows: 2 })]) {
      expect(report.ok).toBe(false);
      const broken = report.chains.find((c) => !c.ok);
      expect(broken).toMatchObject({ chainId: target.chain_id, firstBroken: { seq: target.seq, evaluationId: target.id, reason: 'hash_mismatch' } });
      expect(report.chains.filter((c) => !c.ok)).toHaveLength(1);
    }
  });

  it('notices a removed row and removed rows at the end of a chain', async () => {
    const [a, b] = writers;
    if (!a || !b) throw new Error('writers not started');
    // Concurrent submissions spread over both writers' chains; take one the earlier test left intact.
    const slices = [projects.slice(65, 68), projects.slice(68, 71), projects.slice(71, 75), projects.slice(75)];
    const fresh = (await Promise.all(slices.map((slice, k) => submitDrafts(k < 2 ? a : b, slice.map((p) => draft(p)))))).flat();
    const intact = new Set((await verifyLedger(database().db)).chains.filter((c) => c.ok).map((c) => c.chainId));
    const touched = [...new Set(fresh.flatMap((o) => (o.status === 'stored' && intact.has(o.evaluation.ledger.chainId) ? [o.evaluation.ledger.chainId] : [])))];
    const chain = await database().db.selectFrom('ledger_chain').select(['chain_id', 'head_seq']).where('chain_id', 'in', touched).orderBy('head_seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(chain.head_seq).toBeGreaterThanOrEqual(4);
    await database().db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`DELETE FROM evaluation WHERE chain_id = ${chain.chain_id} AND seq = ${chain.head_seq}`.execute(trx);
    });
    let report = await verifyLedger(database().db);
    expect(report.chains.find((c) => c.chainId === chain.chain_id)?.firstBroken).toMatchObject({ reason: 'head_mismatch' });
    await database().db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`DELETE FROM evaluation WHERE chain_id = ${chain.chain_id} AND seq = 2`.execute(trx);
    });
    report = await verifyLedger(database().db);
    expect(report.chains.find((c) => c.chainId === chain.chain_id)?.firstBroken).toMatchObject({ seq: 2, reason: 'sequence_gap' });
    report = await verifyLedger(database().db, { pageRows: 2 });
    expect(report.chains.find((c) => c.chainId === chain.chain_id)?.firstBroken).toMatchObject({ seq: 2, reason: 'sequence_gap' });
  });
});

describeOnEngines('two writers on one chain (a lapsed lease taken over)', (database) => {
  const config = testConfig({ INTAKE_WRITERS: '1' });
  const clock = testClock('2026-11-20T02:00:00Z');

  it('stays consistent: a head that moved underneath sends the flush down the full path', async () => {
    const { db } = database();
    await prepareDatabase(database());
    const org = await makeOrg(db);
    const item = await makeItem(db, { id: org.id, region_code: '510104' });
    const projects: string[] = [];
    for (let i = 0; i < 40; i++) projects.push(await makeCompletedCase(db, config, item, '2026-11-18 10:00:00'));
    const catalogue = await loadIndicatorCatalogue(db);
    const a = await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue, owner: 'process-a' });
    // A's lease lapses (it was never renewed): B takes the same chain over.
    clock.advance(5 * 60_000);
    const b = await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue, owner: 'process-b' });
    try {
      expect(b.chainIds).toEqual(a.chainIds);
      // Warm both lanes so each knows a head, then let them race on the shared chain.
      await submitDrafts(a, [draft(projects[0] ?? '')]);
      await submitDrafts(b, [draft(projects[1] ?? '')]);
      const outcomes = (await Promise.all(projects.slice(2).map((p, k) => submitDrafts(k % 2 === 0 ? a : b, [draft(p)])))).flat();
      expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
      const report = await verifyLedger(db);
      expect(report).toMatchObject({ ok: true, rows: 40 });
      expect(a.stats().full + b.stats().full).toBeGreaterThan(2);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
