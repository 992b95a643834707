import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerCase } from '../cases/register-case.ts';
import { chinaCalendar } from '../calendar/china-calendar.ts';
import type { Config } from '../config/config.ts';
import { configuredTrustedKeys, trustedKeysOf } from '../crypto/signing-key.ts';
import { generateSm2KeyPair, sm2Sign, sm3 } from '../crypto/sm.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import type { StaffCaller } from '../http/caller.ts';
import { startSystem, type System } from '../system.ts';
import { takeStep, type TicketDeps } from '../tickets/commands.ts';
import type { StepInput } from '../tickets/step-rules.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { scoreChanges } from './changes.ts';
import { correctionsOf } from './corrections.ts';
import { foldLedger, foldWaiting } from './feed.ts';
import { appendEvaluationFlag } from './footprint.ts';
import { ALL_DAYS, ledgerTallies } from './ledger-tallies.ts';
import { liveFigures, unitDashboard } from './live.ts';
import { parsePeriod, type Period } from './periods.ts';
import { rebuildTallies } from './rebuild.ts';
import { closePeriod, figuresAtCheckpoint, verifySnapshot, type SnapshotSigner } from './snapshots.ts';
import { PERIOD_CLOSE, scheduleClose } from './closing.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { TALLY_COLUMNS, UNIT_KINDS } from './tally.ts';
import { readAllTallies, readMonthTallies } from './tally-store.ts';

describeOnEngines('scoring: tallies, figures, snapshots', (database) => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  let config: Config;
  let system: System;
  let signer: SnapshotSigner;
  const db = () => database().db;
  const deps = (): TicketDeps => ({ db: db(), config, clock, calendar: chinaCalendar() });

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', SYSTEM_DEFAULT_ENABLED: 'true' });
    system = await startSystem(config, { database: database(), clock });
    signer = { keyId: 'test-key', privateKey: generateSm2KeyPair().privateKey };
  });
  afterAll(async () => {
    await system?.close();
  });

  /** Incremental tallies (feed + hooks) against the ledger recomputed, row for row. */
  async function expectTalliesMatchLedger() {
    while ((await foldLedger(db())) > 0);
    const incremental = await readAllTallies(db());
    const recomputed = (await ledgerTallies(db(), { ...ALL_DAYS, byDay: true, unitKinds: UNIT_KINDS }))
      .filter((r) => TALLY_COLUMNS.some((c) => r.counts[c] !== 0))
      .map((r) => ({ unit_kind: r.unit_kind, unit_id: r.unit_id, day: r.day, ...r.counts }))
      .sort((a, b) => (a.unit_kind + a.unit_id + a.day < b.unit_kind + b.unit_id + b.day ? -1 : 1));
    expect(incremental).toEqual(recomputed);
    // The monthly rows are the daily ones added up.
    const months = new Map<string, Record<string, unknown>>();
    for (const row of incremental) {
      const key = `${row.unit_kind}|${row.unit_id}|${row.day.slice(0, 7)}-01`;
      const sum = (months.get(key) ?? { unit_kind: row.unit_kind, unit_id: row.unit_id, month: `${row.day.slice(0, 7)}-01`, ...Object.fromEntries(TALLY_COLUMNS.map((c) => [c, 0])) }) as Record<string, number | string>;
      for (const c of TALLY_COLUMNS) sum[c] = (sum[c] as number) + row[c];
      months.set(key, sum);
    }
    const expectedMonths = [...months.values()].filter((m) => TALLY_COLUMNS.some((c) => m[c] !== 0)).sort((a, b) => (`${a.unit_kind}${a.unit_id}${a.month}` < `${b.unit_kind}${b.unit_id}${b.month}` ? -1 : 1));
    expect(await readMonthTallies(db())).toEqual(expectedMonths);
  }

  it('a feed tick folds a backlog of more than one fold (one fold per chain and tick otherwise)', async () => {
    while ((await foldLedger(db())) > 0);
    const org = await makeOrg(db(), { regionCode: '510722' });
    const item = await makeItem(db(), org);
    const projects: string[] = [];
    for (let i = 0; i < 5; i++) projects.push(await makeCompletedCase(db(), config, item, '2026-11-18 10:00:00', { areaCode: '510722' }));
    const outcomes = await submitDrafts(system.intake, projects.map((p) => draft(p, { level: 4, assessedAt: new Date('2026-11-19T01:00:00Z') })));
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    // Folds of 2 rows: the tick goes on while a chain had a full fold, and not a fold longer.
    expect(await foldWaiting(db(), 2)).toBe(5);
    expect(await foldWaiting(db(), 2)).toBe(0);
    await expectTalliesMatchLedger();
  });

  it('a small county by hand: figures from the live tallies', async () => {
    const org = await makeOrg(db(), { regionCode: '510703' });
    const item = await makeItem(db(), org);
    // Five stages completed on 2026-11-18 (Beijing); four rated: 5, 4, 3 and a 差评 (level 1).
    const projects: string[] = [];
    for (let i = 0; i < 5; i++) projects.push(await makeCompletedCase(db(), config, item, '2026-11-18 10:00:00', { projectNo: `510703-20261118-00000${i}`, areaCode: '510703' }));
    const levels = [5, 4, 3, 1];
    const outcomes = await submitDrafts(system.intake, levels.map((level, i) => draft(projects[i] as string, { level, assessedAt: new Date('2026-11-19T01:00:00Z') })));
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    await foldLedger(db());
    const dashboard = await unitDashboard(db(), 'region', '510703', parsePeriod('2026-11') as Period, clock());
    const f = dashboard.figures;
    expect(f.evaluations).toBe(4);
    expect(f.levels).toEqual([1, 0, 1, 1, 1]);
    expect(f.goodRate).toBe(0.75);
    expect(f.activeGoodRate).toBe(0.75);
    expect(f.stagesCompleted).toBe(5);
    expect(f.unratedRate).toBe(0.2);
    // (100 + 80 + 60 + 0) / 4 = 60 points.
    expect(f.satisfactionScore).toBe(60);
    expect(f.tickets).toBe(1);
    expect(f.replyRate).toBe(0);
    // Evaluation part: 0.6×60 + 0.2×75 + 0.1×75 + 0.1×80 = 66.5; ticket part 0; no inspection:
    // composite = (0.7×66.5 + 0.2×0) / 0.9 = 51.72.
    expect(f.evaluationPart).toBe(66.5);
    expect(f.ticketPart).toBe(0);
    expect(f.compositeScore).toBe(51.72);
    // The prefecture (510700 绵阳) holds its county.
    const figures = await liveFigures(db(), parsePeriod('2026-11') as Period, clock());
    const city = figures.units.find((u) => u.unitId === '510700');
    expect(city?.figures.evaluations).toBeGreaterThanOrEqual(4);
    await expectTalliesMatchLedger();
  });

  it('incremental tallies equal the ledger recomputed, for random evaluations, defaults, appeals, fraud flags and ticket steps', async () => {
    const org = await makeOrg(db(), { regionCode: '510104' });
    const item = await makeItem(db(), org);
    const handler: StaffCaller = { kind: 'staff', accountId: 'h', username: 'h', role: 'org_handler', regionPath: null, orgId: org.id };
    const boss: StaffCaller = { kind: 'staff', accountId: 's', username: 's', role: 'supervisor', regionPath: '510000/', orgId: null };
    let taken = 0;
    let serial = 0;
    const action = fc.oneof(
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('rate' as const), level: fc.integer({ min: 1, max: 5 }), isDefault: fc.boolean(), day: fc.integer({ min: 0, max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flag' as const), pick: fc.nat(), flag: fc.constantFrom('fraud_confirmed' as const, 'fraud_cleared' as const, 'appeal_upheld' as const, 'fraud_suspected' as const) }) },
      { weight: 4, arbitrary: fc.record({
        kind: fc.constant('step' as const),
        pick: fc.nat(),
        step: fc.constantFrom<StepInput>(
          { step: 'accept' }, { step: 'verified' }, { step: 'reply', text: '已整改' }, { step: 'callback', outcome: 'satisfied' }, { step: 'callback', outcome: 'unsatisfied' },
          { step: 'request_extension', days: 10, reason: '需采购设备' }, { step: 'decide_extension', granted: true },
          { step: 'request_cannot_fix', reason: '法定材料不能免除' }, { step: 'decide_cannot_fix', approved: true },
        ),
      }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 16 }), async (actions) => {
        const evaluationIds: string[] = [];
        const bad = new Set<string>();
        for (const a of actions) {
          if (a.kind === 'rate') {
            const projectNo = await makeCompletedCase(db(), config, item, `2026-11-1${a.day} 09:00:00`, { projectNo: `510104-20261110-${String(++serial).padStart(6, '0')}` });
            const level = a.isDefault ? 3 : a.level;
            const [outcome] = await submitDrafts(system.intake, [draft(projectNo, { level, isDefault: a.isDefault, indicatorCodes: BAD_LEVELS.has(level) ? ['509'] : [], assessedAt: new Date(`2026-11-1${a.day + 1}T02:00:00Z`), ...(a.isDefault ? { channel: 'system' as const } : {}) })]);
            if (outcome?.status === 'stored') evaluationIds.push(outcome.evaluation.id);
            if (outcome?.status === 'stored' && BAD_LEVELS.has(level)) bad.add(outcome.evaluation.id);
          } else if (evaluationIds.length > 0) {
            // Steps go to the evaluations that have a ticket (差评), flags to any.
            const ticketed = evaluationIds.filter((id) => bad.has(id));
            const pool = a.kind === 'step' && ticketed.length > 0 ? ticketed : evaluationIds;
            const evaluationId = pool[a.pick % pool.length] as string;
            if (a.kind === 'flag') {
              await db().transaction().execute((trx) => appendEvaluationFlag(trx, { evaluationId, kind: a.flag, reason: 'property test', actor: 'test' }, clock()));
            } else {
              const ticket = await db().selectFrom('ticket').select(['id', 'version', 'state']).where('evaluation_id', '=', evaluationId).executeTakeFirst();
              // Each step by whom it belongs to (a refused one changes nothing, and is counted to see that some are taken).
              const caller = a.step.step.startsWith('decide_') ? boss : handler;
              const take = (input: StepInput, by: StaffCaller) => takeStep(deps(), by, { ticketId: ticket?.id ?? '', input, version: null, note: null, attachments: [] }).then(() => taken++, () => undefined);
              // An open ticket is taken up first, as its handler would: the other steps need it.
              if (ticket?.state === 'open') await take({ step: 'accept' }, handler);
              if (ticket) await take(a.step, caller);
            }
          }
          clock.advance(60_000);
        }
        // Half the time the feed runs only at the end, so flags may come before the fold.
        await expectTalliesMatchLedger();
      }),
      {
        numRuns: 12,
        // First, one whole story for sure: a 差评 through an approved 无法整改, answered, called back, then found fraud.
        examples: [
          [
            [
              { kind: 'rate', level: 1, isDefault: false, day: 0 },
              { kind: 'step', pick: 0, step: { step: 'verified' } },
              { kind: 'step', pick: 0, step: { step: 'request_cannot_fix', reason: '法定材料不能免除' } },
              { kind: 'step', pick: 0, step: { step: 'decide_cannot_fix', approved: true } },
              { kind: 'step', pick: 0, step: { step: 'reply', text: '已整改' } },
              { kind: 'step', pick: 0, step: { step: 'callback', outcome: 'unsatisfied' } },
              { kind: 'flag', pick: 0, flag: 'fraud_confirmed' },
            ],
          ],
        ],
      },
    );
    expect(taken).toBeGreaterThanOrEqual(6);
    // And a rebuild from the ledger leaves them as they were.
    const channelTallies = async () =>
      (await db().selectFrom('score_channel_tally').selectAll().where('evaluations', '>', 0).orderBy(['unit_kind', 'unit_id', 'day', 'channel']).execute()).map((r) => ({ ...r, day: String(r.day) }));
    const before = await readAllTallies(db());
    const channelsBefore = await channelTallies();
    expect(channelsBefore.length).toBeGreaterThan(0);
    await rebuildTallies(db());
    expect(await readAllTallies(db())).toEqual(before);
    expect(await channelTallies()).toEqual(channelsBefore);
  });

  it('closes a month into a signed snapshot that verify-snapshot reproduces, and catches tampering', async () => {
    const period = parsePeriod('2026-10') as Period;
    const org = await makeOrg(db(), { regionCode: '510106' });
    const item = await makeItem(db(), org);
    clock.set('2026-10-20T02:00:00.000Z');
    const projects: string[] = [];
    for (let i = 0; i < 6; i++) projects.push(await makeCompletedCase(db(), config, item, '2026-10-19 10:00:00', { projectNo: `510106-20261019-00000${i}` }));
    await submitDrafts(system.intake, projects.map((p, i) => draft(p, { level: i === 0 ? 2 : 5, indicatorCodes: i === 0 ? ['509'] : [], assessedAt: new Date('2026-10-20T01:00:00Z') })));
    await expect(closePeriod(db(), signer, period, 'test', new Date('2026-11-05T00:00:00Z'))).rejects.toMatchObject({ code: 'PERIOD_NOT_ENDED' });
    clock.set('2026-11-25T00:00:00.000Z');
    const snapshot = await closePeriod(db(), signer, period, 'test', clock());
    await expect(closePeriod(db(), signer, period, 'test', clock())).rejects.toMatchObject({ code: 'PERIOD_ALREADY_CLOSED' });
    const county = snapshot.document.units.find((u) => u.unitId === '510106');
    expect(county?.figures.evaluations).toBe(6);
    expect(county?.figures.tickets).toBe(1);
    // The snapshot equals the live figures of the same period.
    await foldLedger(db());
    const live = await liveFigures(db(), period, clock(), { orgs: 'all' });
    expect(live.units.find((u) => u.unitId === '510106')?.figures).toEqual(county?.figures);

    // Later evaluations of October (after the checkpoint) do not change what verify recomputes.
    // Registered now (not back-dated as the factory does): recorded after the checkpoint's cut.
    const late = '510106-20261030-000001';
    await registerCase(
      { db: db(), config, now: clock(), sourceApp: 'test', scope: { regionPath: '510000/', orgId: null } },
      { projectNo: late, taskCode: item.task_code, proStatus: 3, acceptDate: '2026-10-30 09:00:00', resultDate: '2026-10-30 10:00:00' },
    );
    await submitDrafts(system.intake, [draft(late, { level: 1, indicatorCodes: ['509'], assessedAt: new Date('2026-10-31T01:00:00Z') })]);
    const verified = await verifySnapshot(db(), 'month', '2026-10', trustedKeysOf(signer));
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);

    // Tampering behind the system's back (triggers off, as a superuser could).
    await sql`SET session_replication_role = replica`.execute(db());
    try {
      const doc = JSON.parse((await db().selectFrom('score_snapshot').select('document').where('id', '=', snapshot.id).executeTakeFirstOrThrow()).document);
      doc.units.find((u: { unitId: string }) => u.unitId === '510106').figures.goodRate = 1;
      await db().updateTable('score_snapshot').set({ document: JSON.stringify(doc) }).where('id', '=', snapshot.id).execute();
      const forged = await verifySnapshot(db(), 'month', '2026-10', trustedKeysOf(signer));
      expect(forged.ok).toBe(false);
      expect(forged.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['digest_mismatch', 'signature_invalid', 'figures_differ']));
      // Put the document back; now alter one evaluation of the period in the ledger.
      doc.units.find((u: { unitId: string }) => u.unitId === '510106').figures.goodRate = county?.figures.goodRate;
      await db().updateTable('score_snapshot').set({ document: snapshot.document ? JSON.stringify(snapshot.document) : '' }).where('id', '=', snapshot.id).execute();
      expect((await verifySnapshot(db(), 'month', '2026-10', trustedKeysOf(signer))).ok).toBe(true);
      const victim = await db().selectFrom('evaluation').select('id').where('project_no', '=', projects[0] as string).executeTakeFirstOrThrow();
      await db().updateTable('evaluation').set({ level: 5, indicator_codes: sql`'{}'::text[]` }).where('id', '=', victim.id).execute();
      const broken = await verifySnapshot(db(), 'month', '2026-10', trustedKeysOf(signer));
      expect(broken.ok).toBe(false);
      expect(broken.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['ledger_broken', 'figures_differ']));
      await db().updateTable('evaluation').set({ level: 2, indicator_codes: sql`'{509}'::text[]` }).where('id', '=', victim.id).execute();
      expect((await verifySnapshot(db(), 'month', '2026-10', trustedKeysOf(signer))).problems).toEqual([]);
    } finally {
      await sql`SET session_replication_role = origin`.execute(db());
    }
  });

  it('closes a period holding a 20-day extension granted under TICKET_MAX_EXTENSION_DAYS=30, and the score ledger traces it', async () => {
    const org = await makeOrg(db(), { regionCode: '510108' });
    const item = await makeItem(db(), org);
    const handler: StaffCaller = { kind: 'staff', accountId: 'h', username: 'h', role: 'org_handler', regionPath: null, orgId: org.id };
    const boss: StaffCaller = { kind: 'staff', accountId: 's', username: 's', role: 'supervisor', regionPath: '510000/', orgId: null };
    const wide: TicketDeps = { ...deps(), config: { ...config, tickets: { ...config.tickets, maxExtensionDays: 30 } } };
    clock.set('2026-08-10T02:00:00.000Z');
    const projectNo = await makeCompletedCase(db(), config, item, '2026-08-09 10:00:00', { projectNo: '510108-20260809-000001' });
    const [outcome] = await submitDrafts(system.intake, [draft(projectNo, { level: 1, indicatorCodes: ['509'], assessedAt: new Date('2026-08-10T01:00:00Z') })]);
    const evaluationId = outcome?.status === 'stored' ? outcome.evaluation.id : '';
    const ticket = await db().selectFrom('ticket').select('id').where('evaluation_id', '=', evaluationId).executeTakeFirstOrThrow();
    const take = (caller: StaffCaller, input: StepInput) => takeStep(wide, caller, { ticketId: ticket.id, input, version: null, note: null, attachments: [] });
    await take(handler, { step: 'accept' });
    await take(handler, { step: 'verified' });
    await take(handler, { step: 'request_extension', days: 20, reason: '需采购设备' });
    await take(boss, { step: 'decide_extension', granted: true });
    clock.set('2026-09-01T02:00:00.000Z'); // after the first 15 days, within the 20 granted
    await take(handler, { step: 'reply', text: '已采购并安装' });
    // Under today's 15-day setting (the default config) the stored events replay as they were decided.
    clock.set('2026-10-01T00:00:00.000Z');
    const snapshot = await closePeriod(db(), signer, parsePeriod('2026-08') as Period, 'test', clock());
    const county = snapshot.document.units.find((u) => u.unitId === '510108');
    expect(county?.figures).toMatchObject({ tickets: 1, replyRate: 1, onTimeRate: 1, overdue: 0 });
    expect((await verifySnapshot(db(), 'month', '2026-08', trustedKeysOf(signer))).problems).toEqual([]);
    const { changes } = await scoreChanges(db(), 'org', org.id, parsePeriod('2026-08') as Period, 50);
    expect(changes.find((c) => c.source.detail === 'reply')?.effect).toEqual({ replied: 1, replied_on_time: 1 });
    await expectTalliesMatchLedger();
  });

  it('publishes composites rounded once (format 2), and still verifies a format-1 snapshot built from rounded figures', async () => {
    const org = await makeOrg(db(), { regionCode: '510112' });
    const item = await makeItem(db(), org);
    clock.set('2026-07-10T02:00:00.000Z');
    const projects: string[] = [];
    for (let i = 0; i < 6; i++) projects.push(await makeCompletedCase(db(), config, item, '2026-07-09 10:00:00', { projectNo: `510112-20260709-00000${i}` }));
    // 1 × 满意, 5 × 非常满意: satisfaction 96.666…, the composite 98.444… (98.45 if built from 96.67).
    await submitDrafts(system.intake, projects.map((p, i) => draft(p, { level: i === 0 ? 4 : 5, assessedAt: new Date('2026-07-10T01:00:00Z') })));
    clock.set('2026-08-25T00:00:00.000Z');
    const snapshot = await closePeriod(db(), signer, parsePeriod('2026-07') as Period, 'test', clock());
    expect(snapshot.document.format).toBe('hcp-score-snapshot/2');
    expect(snapshot.document.units.find((u) => u.unitId === '510112')?.figures).toMatchObject({ satisfactionScore: 96.67, compositeScore: 98.44 });
    expect((await verifySnapshot(db(), 'month', '2026-07', trustedKeysOf(signer))).problems).toEqual([]);

    // The same period as a format-1 snapshot (as closed before) holds the composites of that rule, and verifies.
    const cut = { heads: snapshot.document.checkpoint.chains.map((c) => ({ chainId: c.chainId, seq: c.seq })), at: new Date(snapshot.document.checkpoint.cutAt) };
    const legacy = await figuresAtCheckpoint(db(), parsePeriod('2026-07') as Period, { version: snapshot.document.scheme.version, effectiveFrom: '', definition: snapshot.document.scheme.definition }, cut, 'legacy');
    expect(legacy.units.find((u) => u.unitId === '510112')?.figures.compositeScore).toBe(98.45);
    const rewrite = async (document: object) => {
      const text = JSON.stringify(document);
      await sql`SET session_replication_role = replica`.execute(db());
      try {
        await db().updateTable('score_snapshot').set({ document: text, digest: sm3(text), signature: sm2Sign(signer.privateKey, text) }).where('id', '=', snapshot.id).execute();
      } finally {
        await sql`SET session_replication_role = origin`.execute(db());
      }
    };
    await rewrite({ ...snapshot.document, format: 'hcp-score-snapshot/1', units: legacy.units, rankings: legacy.rankings });
    expect((await verifySnapshot(db(), 'month', '2026-07', trustedKeysOf(signer))).problems).toEqual([]);
    // The format decides the rule: format-1 figures under format 2 differ.
    await rewrite({ ...snapshot.document, units: legacy.units, rankings: legacy.rankings });
    expect((await verifySnapshot(db(), 'month', '2026-07', trustedKeysOf(signer))).problems.map((p) => p.code)).toContain('figures_differ');
    await rewrite(snapshot.document);
    expect((await verifySnapshot(db(), 'month', '2026-07', trustedKeysOf(signer))).ok).toBe(true);
  });

  it('attaches at once, as a correction, a flag recorded in the minute between the closing cut and the snapshot', async () => {
    const org = await makeOrg(db(), { regionCode: '510113' });
    const item = await makeItem(db(), org);
    clock.set('2026-06-10T02:00:00.000Z');
    const projectNo = await makeCompletedCase(db(), config, item, '2026-06-09 10:00:00', { projectNo: '510113-20260609-000001' });
    const [outcome] = await submitDrafts(system.intake, [draft(projectNo, { level: 1, indicatorCodes: ['509'], assessedAt: new Date('2026-06-10T01:00:00Z') })]);
    const evaluationId = outcome?.status === 'stored' ? outcome.evaluation.id : '';
    const closeAt = new Date('2026-07-25T00:00:00.000Z');
    clock.set(new Date(closeAt.getTime() - 30_000)); // after the cut (closeAt − 60 s)
    await db().transaction().execute((trx) => appendEvaluationFlag(trx, { evaluationId, kind: 'fraud_confirmed', reason: '刷评', actor: 'test' }, clock()));
    const snapshot = await closePeriod(db(), signer, parsePeriod('2026-06') as Period, 'test', closeAt);
    // The snapshot holds the rating (its flag came after the cut); the correction says it is out now.
    expect(snapshot.document.units.find((u) => u.unitId === '510113')?.figures.tickets).toBe(1);
    const corrections = await correctionsOf(db(), snapshot.id);
    expect(corrections.map((c) => [c.seq, c.document.evaluationId, c.document.now])).toEqual([[1, evaluationId, 'excluded']]);
    expect(corrections[0]?.document.effect).toContainEqual({ unitKind: 'region', unitId: '510113', counts: { active_1: -1, stages_rated: -1, tickets: -1 } });
    expect((await verifySnapshot(db(), 'month', '2026-06', trustedKeysOf(signer))).problems).toEqual([]);
  });

  it('closes a month by itself when its closing job falls due, and books the next month', async () => {
    clock.set('2026-09-10T02:00:00.000Z');
    await db().transaction().execute((trx) => scheduleClose(trx, parsePeriod('2026-09') as Period, clock()));
    await runDueJobs(db(), system.jobHandlers, clock());
    expect(await db().selectFrom('score_snapshot').select('id').where('period_key', '=', '2026-09').execute()).toEqual([]);
    clock.set('2026-10-21T00:00:00.000Z'); // 20 days after the month, Beijing time
    const ran = await runDueJobs(db(), system.jobHandlers, clock());
    expect(ran.failed).toBe(0);
    expect(ran.done).toBeGreaterThanOrEqual(1);
    const closed = await db().selectFrom('score_snapshot').select(['period_key', 'closed_by']).where('period_key', '=', '2026-09').executeTakeFirstOrThrow();
    expect(closed.closed_by).toBe('system:scheduler');
    const next = await db().selectFrom('scheduled_job').select(['due_at', 'payload']).where('kind', '=', PERIOD_CLOSE).where('done_at', 'is', null).execute();
    expect(next.map((j) => [j.payload, j.due_at.toISOString()])).toContainEqual([{ period: '2026-10' }, '2026-11-20T16:00:00.000Z']);
    expect((await verifySnapshot(db(), 'month', '2026-09', configuredTrustedKeys(config))).ok).toBe(true);
  });
});
