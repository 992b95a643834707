// The scoring benchmark's data generator (bench/scoring-data.ts) on a small province-wide sample:
// what it writes must be what the running system would have written.
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { beijingDay } from '../src/clock.ts';
import { badLevelCondition } from '../src/evaluations/level-sql.ts';
import { BAD_LEVELS } from '../src/evaluations/levels.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { isRefusal } from '../src/tickets/state-machine.ts';
import { projectionOf, replayRow, ticketFromRow, type TicketEventRow } from '../src/tickets/store.ts';
import { describeOnEngines } from '../test/engines.ts';
import { ScoringDataPlan, TABLE_ORDER } from './scoring-data-plan.ts';
import { generateScoringData, scoringPlanSettings, type ScoringDataResult } from './scoring-data.ts';

const EVALUATIONS = 3000;
/** The chain heads each engine ended with: the same seed must give the same ledger on both. */
const headsByEngine = new Map<string, string>();
const FROM = '2026-07-01';
const TO = '2026-09-30';

describeOnEngines('scoring benchmark data', (database, engine) => {
  let result: ScoringDataResult;

  beforeAll(async () => {
    const { db, raw } = database();
    // Small chunks, so that the sample spans many chunks and transactions, as a big run does.
    result = await generateScoringData(db, { evaluations: EVALUATIONS, seed: 7, fromDay: FROM, toDay: TO, engine, raw, chunkRows: 4000, checkCanonical: true });
  }, 300_000);

  const count = async (table: string, where = 'true') => Number((await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM ${sql.raw(table)} WHERE ${sql.raw(where)}`.execute(database().db)).rows[0]?.n ?? -1);

  it('writes exactly the evaluations asked for, and the rows it reports', async () => {
    expect(result.evaluations).toBe(EVALUATIONS);
    expect(await count('evaluation')).toBe(EVALUATIONS);
    for (const table of TABLE_ORDER) expect(await count(table), table).toBe(result.rows[table]);
    expect(await count('case_stage')).toBe(result.stages);
    expect(await count('ticket')).toBe(result.tickets);
    // One slot per evaluation; every follow-up after a first rating of its stage.
    expect(await count('evaluation_slot')).toBe(EVALUATIONS);
    expect(await count('evaluation e', `NOT EXISTS (SELECT 1 FROM evaluation_slot s WHERE s.evaluation_id = e.id AND s.case_stage_id = e.case_stage_id AND s.assess_number = e.assess_number)`)).toBe(0);
    expect(await count('evaluation f', `f.assess_number = 2 AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.case_stage_id = f.case_stage_id AND e.assess_number = 1 AND e.received_at < f.received_at)`)).toBe(0);
    // Nothing outside the period; score tallies are left to the scoring rebuild.
    expect(await count('evaluation', `received_at < '${FROM}T00:00:00+08:00' OR received_at >= '2026-10-01T00:00:00+08:00'`)).toBe(0);
    expect(await count('score_tally')).toBe(0);
    expect(await count('score_channel_tally')).toBe(0);
  });

  it('leaves a ledger that verifies, with its chain heads set', async () => {
    const report = await verifyLedger(database().db);
    expect(report.ok).toBe(true);
    expect(report.rows).toBe(EVALUATIONS);
    // One chain per part of the days, on both engines (the same seed gives the same data on both).
    expect(report.chains.map((c) => c.chainId)).toEqual([1, 2]);
    const heads = await database().db.selectFrom('ledger_chain').select(['chain_id', 'head_seq', 'head_hash']).orderBy('chain_id').execute();
    headsByEngine.set(engine, JSON.stringify(heads.map((h) => [h.chain_id, h.head_seq, Buffer.from(h.head_hash).toString('hex')])));
    if (headsByEngine.size === 2) expect(headsByEngine.get('pglite')).toBe(headsByEngine.get('postgres'));
    // Chains run in receipt order, as intake appends.
    const disorder = await count('evaluation a', `EXISTS (SELECT 1 FROM evaluation b WHERE b.chain_id = a.chain_id AND b.seq = a.seq + 1 AND b.received_at < a.received_at)`);
    expect(disorder).toBe(0);
  });

  it('places every evaluation on its stage and case, with a UUIDv7 of its receipt time', async () => {
    const { db } = database();
    const rows = await db
      .selectFrom('evaluation as e')
      .innerJoin('case_stage as s', 's.id', 'e.case_stage_id')
      .innerJoin('service_case as c', 'c.id', 's.case_id')
      .select(['e.id', 'e.received_at', 'e.assessed_at', 'e.assessed_day', 'e.region_code', 'e.org_id', 'e.item_id', 'e.window_id', 'e.staff_id', 'e.case_id', 'e.project_no', 'e.service_number', 'e.is_default', 'e.level', 'e.channel', 'e.indicator_codes'])
      .select(['s.status', 's.completed_at', 's.org_id as stage_org', 's.window_id as stage_window', 's.staff_id as stage_staff', 's.service_number as stage_number', 'c.id as case_id2', 'c.region_code as case_region', 'c.item_id as case_item', 'c.project_no as case_project'])
      .execute();
    expect(rows).toHaveLength(EVALUATIONS);
    for (const r of rows) {
      expect(r.status).toBe(3);
      expect(r.completed_at?.getTime() ?? Infinity).toBeLessThanOrEqual(r.assessed_at.getTime());
      expect(r.assessed_at.getTime()).toBeLessThanOrEqual(r.received_at.getTime());
      expect(r.assessed_day).toBe(beijingDay(r.assessed_at));
      expect([r.region_code, r.org_id, r.item_id, r.window_id, r.staff_id, r.case_id, r.project_no, r.service_number]).toEqual([
        r.case_region, r.stage_org, r.case_item, r.stage_window, r.stage_staff, r.case_id2, r.case_project, r.stage_number,
      ]);
      expect(Number.parseInt(r.id.replaceAll('-', '').slice(0, 12), 16)).toBe(r.received_at.getTime());
      expect(r.id[14]).toBe('7');
      if (r.is_default) expect([r.level, r.channel]).toEqual([3, 'system']);
      if (BAD_LEVELS.has(r.level)) expect(r.indicator_codes.length).toBeGreaterThan(0);
    }
  });

  it('records a stage_completion for every completed stage, attributed as registerCase attributes it', async () => {
    const { db } = database();
    expect(await count('stage_completion')).toBe(await count('case_stage', 'status = 3'));
    const rows = await db
      .selectFrom('stage_completion as sc')
      .innerJoin('case_stage as s', 's.id', 'sc.case_stage_id')
      .innerJoin('service_case as c', 'c.id', 's.case_id')
      .select(['sc.completed_day', 'sc.region_code', 'sc.org_id', 'sc.item_id', 'sc.window_id', 'sc.staff_id', 'sc.recorded_at', 's.status', 's.completed_at', 's.org_id as stage_org', 's.window_id as stage_window', 's.staff_id as stage_staff', 'c.region_code as case_region', 'c.item_id as case_item'])
      .execute();
    expect(rows).toHaveLength(result.rows.stage_completion ?? -1);
    for (const r of rows) {
      expect(r.status).toBe(3);
      if (!r.completed_at) throw new Error('a completion without a completed stage');
      expect(r.completed_day).toBe(beijingDay(r.completed_at));
      expect([r.region_code, r.org_id, r.item_id, r.window_id, r.staff_id]).toEqual([r.case_region, r.stage_org, r.case_item, r.stage_window, r.stage_staff]);
      expect(r.recorded_at.getTime()).toBeGreaterThanOrEqual(r.completed_at.getTime());
    }
    // About 15–25 % of completed stages stay without an active rating (more near the end of the period).
    const unrated = await count('stage_completion sc', `NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.case_stage_id = sc.case_stage_id AND e.assess_number = 1 AND NOT e.is_default)`);
    const share = unrated / (result.rows.stage_completion ?? 1);
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.32);
  });

  it('opens exactly one ticket for every bad evaluation, as intake opens it', async () => {
    const { db } = database();
    expect(await count('evaluation e', `${badLevelCondition('e.level')} AND (SELECT count(*) FROM ticket t WHERE t.evaluation_id = e.id) <> 1`)).toBe(0);
    expect(await count('ticket t', `NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.id = t.evaluation_id AND ${badLevelCondition('e.level')})`)).toBe(0);
    const rows = await db
      .selectFrom('ticket as t')
      .innerJoin('evaluation as e', 'e.id', 't.evaluation_id')
      .innerJoin('org as o', 'o.id', 't.org_id')
      .innerJoin('region as r', 'r.code', 'o.region_code')
      .select(['t.receipt_no', 't.case_stage_id', 't.org_id', 't.region_code', 't.region_path', 't.level', 't.channel', 't.evaluated_at', 't.opened_day'])
      .select(['e.receipt_no as e_receipt', 'e.case_stage_id as e_stage', 'e.org_id as e_org', 'o.region_code as org_region', 'r.path', 'e.level as e_level', 'e.channel as e_channel', 'e.received_at'])
      .execute();
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) {
      expect([r.receipt_no, r.case_stage_id, r.org_id, r.region_code, r.region_path, r.level, r.channel, r.evaluated_at.getTime(), r.opened_day]).toEqual([
        r.e_receipt, r.e_stage, r.e_org, r.org_region, r.path, r.e_level, r.e_channel, r.received_at.getTime(), beijingDay(r.received_at),
      ]);
    }
  });

  it("stores each ticket's projection as the fold of its events, through the real state machine", async () => {
    const { db } = database();
    const tickets = await db.selectFrom('ticket').selectAll().execute();
    const events = await db.selectFrom('ticket_event').selectAll().orderBy('ticket_id').orderBy('seq').execute();
    const byTicket = new Map<string, TicketEventRow[]>();
    for (const e of events) byTicket.set(e.ticket_id, [...(byTicket.get(e.ticket_id) ?? []), e]);
    const states = new Map<string, number>();
    for (const row of tickets) {
      const own = byTicket.get(row.id) ?? [];
      expect(own.map((e) => e.seq)).toEqual(own.map((_, i) => i + 1));
      const replayed = replayRow(row, own);
      if (isRefusal(replayed)) throw new Error(`ticket ${row.id} does not replay: ${replayed.code}`);
      expect(projectionOf(replayed)).toEqual(projectionOf(ticketFromRow(row)));
      expect(row.version).toBe(own.length);
      expect(row.updated_at.getTime()).toBe(own.at(-1)?.at.getTime() ?? row.evaluated_at.getTime());
      states.set(row.state, (states.get(row.state) ?? 0) + 1);
    }
    // Most are answered in time and closed after the callback; some are late, open, or still in work.
    const closed = states.get('closed') ?? 0;
    expect(closed / tickets.length).toBeGreaterThan(0.6);
    const replied = tickets.filter((t) => t.reply_done_at !== null);
    const late = replied.filter((t) => (t.reply_done_at?.getTime() ?? 0) > t.reply_due_at.getTime());
    expect(replied.length / tickets.length).toBeGreaterThan(0.7);
    expect(late.length / Math.max(1, replied.length)).toBeLessThan(0.2);
    expect(tickets.filter((t) => t.callback_at !== null).length).toBeGreaterThan(0);
    // Open tickets keep a pending watch job; closed ones have none.
    expect(await count('scheduled_job', `kind = 'ticket.watch' AND done_at IS NULL`)).toBe(tickets.filter((t) => !['closed', 'closed_invalid', 'closed_cannot_fix'].includes(t.state)).length);
    // An upheld appeal flags its evaluation (append-only event), and nothing else does.
    expect(await count('evaluation_event')).toBe(states.get('closed_invalid') ?? 0);
    expect(await count('evaluation_event v', `v.kind <> 'appeal_upheld' OR NOT EXISTS (SELECT 1 FROM ticket t WHERE t.evaluation_id = v.evaluation_id AND t.state = 'closed_invalid' AND t.appeal_decided_at = v.at)`)).toBe(0);
  });

  it('keeps every foreign key, although the load skips their per-row checks', async () => {
    const { db } = database();
    const keys = await sql<{ tbl: string; col: string; ref: string; refcol: string }>`
      SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS ref, ra.attname AS refcol
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(${[...TABLE_ORDER]}::text[])`.execute(db);
    expect(keys.rows.length).toBeGreaterThan(10);
    for (const k of keys.rows) {
      const orphans = await count(k.tbl, `${k.col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${k.ref} x WHERE x.${k.refcol} = ${k.tbl}.${k.col})`);
      expect(orphans, `${k.tbl}.${k.col} → ${k.ref}`).toBe(0);
    }
  });

  it('spreads levels, channels and units plausibly', async () => {
    const s = result.summary;
    const share = (n: number | undefined) => (n ?? 0) / s.evaluations;
    expect(share((s.levels[4] ?? 0) + (s.levels[5] ?? 0))).toBeGreaterThan(0.85);
    expect(share(s.levels[3])).toBeGreaterThan(0.02);
    expect(share(s.levels[3])).toBeLessThan(0.1);
    expect(share((s.levels[1] ?? 0) + (s.levels[2] ?? 0))).toBeGreaterThan(0.02);
    expect(share((s.levels[1] ?? 0) + (s.levels[2] ?? 0))).toBeLessThan(0.08);
    expect(s.followUps).toBeGreaterThan(0);
    expect(s.systemDefaults).toBeGreaterThan(0);
    expect(Object.keys(s.channels).length).toBeGreaterThanOrEqual(7);
    // The whole province: all 21 prefectures have rated units.
    const prefectures = await sql<{ n: number }>`SELECT count(DISTINCT substr(region_code, 1, 4))::int8 AS n FROM evaluation WHERE region_code <> '510000'`.execute(database().db);
    expect(Number(prefectures.rows[0]?.n)).toBe(21);
  });

  it('plans exactly the evaluations asked for, over short and long periods, in one part or several', async () => {
    const cases: Array<[number, string, string, number]> = [
      [777, '2026-03-02', '2026-03-03', 1],
      [1234, '2025-10-01', '2026-09-30', 1],
      [777, '2026-03-02', '2026-03-03', 2],
      [2345, '2026-01-01', '2026-03-31', 3],
    ];
    for (const [evaluations, fromDay, toDay, count] of cases) {
      const settings = await scoringPlanSettings(database().db, { evaluations, seed: 11, fromDay, toDay, engine, chains: count, chunkRows: 50_000 });
      let rows = 0;
      let planned = 0;
      const chains = new Set<number>();
      for (let index = 0; index < count; index++) {
        const chunks = new ScoringDataPlan({ ...settings, part: { index, count } }).chunks();
        for (let next = chunks.next(); ; next = chunks.next()) {
          if (next.done) {
            planned += next.value.evaluations;
            for (const chain of next.value.chains) chains.add(chain.chainId);
            break;
          }
          rows += next.value.tables.find((t) => t.table === 'evaluation')?.rows ?? 0;
        }
      }
      expect([rows, planned], `${evaluations} over ${fromDay} … ${toDay} in ${count}`).toEqual([evaluations, evaluations]);
      expect(chains.size).toBe(count);
    }
  });
});

// The same data loaded with every trigger on (foreign keys checked row by row, NOTIFY of completed
// stages) and planned in this thread: the chunks must write referenced rows first.
describeOnEngines('scoring benchmark data, loaded with triggers', (database, engine) => {
  it('loads and verifies', async () => {
    const { db, raw } = database();
    const result = await generateScoringData(db, { evaluations: 800, seed: 3, fromDay: '2026-09-01', toDay: '2026-09-14', engine, raw, chunkRows: 1500, skipTriggers: false, worker: false });
    expect(result.evaluations).toBe(800);
    expect((await verifyLedger(db)).ok).toBe(true);
    const tickets = await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM ticket`.execute(db);
    expect(Number(tickets.rows[0]?.n)).toBe(result.tickets);
  }, 300_000);
});
