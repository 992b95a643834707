// The failures the intake writer gets over by itself, forced one by one with a database call that
// fails on purpose: each is counted in stats() and logged, and nothing is lost or doubled.
import type { Kysely, KyselyPlugin, RootOperationNode } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import type { DB } from '../db/schema.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { prepareDatabase } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { loadIndicatorCatalogue, type IndicatorCatalogue } from './indicators.ts';
import type { IntakeStats } from './intake-stats.ts';
import { startIntakeWriter, type IntakeWriter } from './intake-writer.ts';

/** A plugin that makes the next `times` statements matching `matches` fail with `error` before they reach the database. */
function failures() {
  let armed: { matches: (node: RootOperationNode) => boolean; error: Error; times: number } | null = null;
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      if (armed?.matches(node)) {
        const { error } = armed;
        if (--armed.times <= 0) armed = null;
        throw error;
      }
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return {
    plugin,
    arm(matches: (node: RootOperationNode) => boolean, error: Error, times = 1) {
      armed = { matches, error, times };
    },
    disarm() {
      armed = null;
    },
  };
}

// The one write statement (src/evaluations/intake-write.ts), by its verdict.
const writeStatement = (node: RootOperationNode) => node.kind === 'RawNode' && node.sqlFragments.join('').includes('intake_require(');
const leaseUpdate = (node: RootOperationNode) => node.kind === 'UpdateQueryNode';

/** A pino logger whose lines are kept for the test to read. */
function capturedLog() {
  const lines: Array<{ level: number; msg: string; err?: { message: string; code?: string }; chainId?: number; rows?: number; attempt?: number }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

const WARN = 40;
const DEBUG = 20;

describeOnEngines('intake writer: failures it gets over by itself are counted and logged', (database) => {
  const config = testConfig({ INTAKE_WRITERS: '1' });
  const clock = testClock('2026-11-20T02:00:00Z');
  let catalogue: IndicatorCatalogue;
  let item: { task_code: string };
  const writers: IntakeWriter[] = [];
  const newCase = () => makeCompletedCase(database().db, config, item, '2026-11-18 10:00:00');

  beforeAll(async () => {
    const { db } = database();
    await prepareDatabase(database());
    const org = await makeOrg(db);
    item = await makeItem(db, { id: org.id, region_code: '510104' });
    catalogue = await loadIndicatorCatalogue(db);
  });
  afterAll(async () => {
    for (const writer of writers) await writer.close();
  });

  async function start(owner: string, options: { leaseRenewalMs?: number } = {}) {
    const injected = failures();
    const { log, lines } = capturedLog();
    const db: Kysely<DB> = database().db.withPlugin(injected.plugin);
    const writer = await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue, owner, log, ...options });
    writers.push(writer);
    return { writer, injected, lines };
  }
  const changed = (before: IntakeStats, after: IntakeStats) => Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v === before[k as keyof IntakeStats] ? [] : [[k, v - before[k as keyof IntakeStats]]])));

  it('a failed fast-path statement: warned, counted, and the full path stores the batch', async () => {
    const { writer, injected, lines } = await start('fast-failure');
    // The first flush (full path) tells the lane its head; the next plain batch takes the fast path.
    expect((await submitDrafts(writer, [draft(await newCase())])).map((o) => o.status)).toEqual(['stored']);
    const before = writer.stats();
    injected.arm(writeStatement, new Error('injected: connection reset'));
    const projects = [await newCase(), await newCase()];
    const outcomes = await submitDrafts(writer, projects.map((p) => draft(p)));
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored']);
    expect(changed(before, writer.stats())).toEqual({ fastFailures: 1, full: 1 });
    expect(lines.filter((l) => l.level === WARN)).toMatchObject([{ msg: expect.stringContaining('intake fast path failed'), err: { message: 'injected: connection reset' }, chainId: writer.chainIds[0], rows: 2 }]);
    // Stored once each.
    const rows = await database().db.selectFrom('evaluation').select('project_no').where('project_no', 'in', projects).execute();
    expect(rows).toHaveLength(2);
  });

  it('a fast-path conflict (a stage already rated): counted apart, logged at debug level only', async () => {
    const { writer, lines } = await start('fast-conflict');
    const rated = await newCase();
    await submitDrafts(writer, [draft(rated)]);
    const before = writer.stats();
    const outcomes = await submitDrafts(writer, [draft(rated, { clientId: 'another-key' })]);
    expect(outcomes.map((o) => (o.status === 'refused' ? o.refusal.code : o.status))).toEqual(['EVALUATION_ALREADY_EXISTS']);
    expect(changed(before, writer.stats())).toEqual({ fastConflicts: 1, full: 1 });
    expect(lines.filter((l) => l.level === WARN)).toEqual([]);
    expect(lines.filter((l) => l.level === DEBUG)).toMatchObject([{ msg: expect.stringContaining('conflict'), chainId: writer.chainIds[0], rows: 1 }]);
  });

  it('a serialisation failure on the full path: warned, counted, retried, stored once', async () => {
    const { writer, injected, lines } = await start('full-retry');
    const before = writer.stats();
    injected.arm(writeStatement, Object.assign(new Error('injected: could not serialize access'), { code: '40001' }));
    const projects = [await newCase(), await newCase()];
    expect((await submitDrafts(writer, projects.map((p) => draft(p)))).map((o) => o.status)).toEqual(['stored', 'stored']);
    expect(changed(before, writer.stats())).toEqual({ fullRetries: 1, full: 1 });
    expect(lines.filter((l) => l.level === WARN)).toMatchObject([{ msg: expect.stringContaining('retrying'), err: { code: '40001' }, attempt: 1, rows: 2 }]);
    expect(await database().db.selectFrom('evaluation').select('id').where('project_no', 'in', projects).execute()).toHaveLength(2);
  });

  it('any other failure of a batch on the full path: warned, counted, its requests written one by one', async () => {
    const { writer, injected, lines } = await start('batch-split');
    const before = writer.stats();
    injected.arm(writeStatement, new Error('injected: statement failed'));
    const projects = [await newCase(), await newCase(), await newCase()];
    expect((await submitDrafts(writer, projects.map((p) => draft(p)))).map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
    expect(changed(before, writer.stats())).toEqual({ batchSplits: 1, full: 3 });
    expect(lines.filter((l) => l.level === WARN)).toMatchObject([{ msg: expect.stringContaining('one by one'), err: { message: 'injected: statement failed' }, rows: 3 }]);
    // A request that fails on its own is not swallowed: its caller gets the error.
    injected.arm(writeStatement, new Error('injected: again'), 5);
    await expect(submitDrafts(writer, [draft(await newCase())])).rejects.toThrow('injected: again');
  });

  it('a failed lease renewal: warned and counted, and the writer goes on writing', async () => {
    const { writer, injected, lines } = await start('lease-failure', { leaseRenewalMs: 20 });
    injected.arm(leaseUpdate, new Error('injected: lease update failed'), 1_000);
    for (let waited = 0; writer.stats().leaseRenewalFailures === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    injected.disarm();
    expect(writer.stats().leaseRenewalFailures).toBeGreaterThan(0);
    expect(lines.find((l) => l.level === WARN)).toMatchObject({ msg: expect.stringContaining('could not renew the lease'), err: { message: 'injected: lease update failed' }, chainId: writer.chainIds[0] });
    expect((await submitDrafts(writer, [draft(await newCase())])).map((o) => o.status)).toEqual(['stored']);
  });

  it('leaves every chain verifiable', async () => {
    expect(await verifyLedger(database().db)).toMatchObject({ ok: true });
  });
});
