// Rebuild the live tallies from the ledger and the facts alone (after a bulk load, or to prove them).
// The tables are locked: writers of flags, ticket steps, stages and inspections wait and add their
// change after the rebuild; intake never waits (the feed folds evaluations after the chain heads
// read here).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ALL_DAYS, excludedSql, ledgerTallySql, ticketTallies, type LedgerCut } from './ledger-tallies.ts';
import { TALLY_COLUMNS, UNIT_KINDS } from './tally.ts';
import { applyContribution } from './tally-store.ts';

/** `phase` is told how long each step took (benchmarks print it). */
export async function rebuildTallies(db: Kysely<DB>, phase: (name: string, ms: number) => void = () => undefined): Promise<{ tallyRows: number; channelRows: number }> {
  let started = performance.now();
  const done = (name: string) => {
    phase(name, performance.now() - started);
    started = performance.now();
  };
  return db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE score_feed_cursor, score_tally, score_tally_month, score_channel_tally IN EXCLUSIVE MODE`.execute(trx);
    const heads = await trx.selectFrom('ledger_chain').select(['chain_id', 'head_seq']).execute();
    const cut: LedgerCut = { heads: heads.map((h) => ({ chainId: h.chain_id, seq: h.head_seq })) };
    // The rebuild aggregates millions of rows at once: give it the memory to do so without spilling.
    await sql`SET LOCAL work_mem = '256MB'`.execute(trx);
    await trx.deleteFrom('score_tally').execute();
    await trx.deleteFrom('score_tally_month').execute();
    await trx.deleteFrom('score_channel_tally').execute();
    const query = { ...ALL_DAYS, cut, byDay: true, unitKinds: UNIT_KINDS };
    const columns = sql.raw(TALLY_COLUMNS.join(', '));
    done('lock and clear');
    await sql`INSERT INTO score_tally (unit_kind, unit_id, day, ${columns}) SELECT unit_kind, unit_id, day::date, ${columns} FROM (${ledgerTallySql(query)}) AS t`.execute(trx);
    done('daily tallies (SQL)');
    await sql`INSERT INTO score_tally_month (unit_kind, unit_id, month, ${columns})
      SELECT unit_kind, unit_id, date_trunc('month', day)::date, ${sql.raw(TALLY_COLUMNS.map((c) => `sum(${c})`).join(', '))} FROM score_tally GROUP BY 1, 2, 3`.execute(trx);
    done('monthly tallies');
    // Tickets last: replayed in JavaScript, added like any live change (daily and monthly rows).
    const tickets = await ticketTallies(trx, query);
    await applyContribution(trx, { tallies: tickets.map((t) => ({ unit: { kind: t.unit_kind, id: t.unit_id }, day: t.day, counts: t.counts })), channels: [] });
    done('tickets (replayed)');
    const headsJson = JSON.stringify(heads.map((h) => ({ chain_id: h.chain_id, seq: h.head_seq })));
    await sql`INSERT INTO score_channel_tally (unit_kind, unit_id, day, channel, evaluations, good, active, active_good)
      SELECT u.kind, u.id, e.assessed_day, e.channel, count(*), count(*) FILTER (WHERE e.level >= 3),
        count(*) FILTER (WHERE NOT e.is_default), count(*) FILTER (WHERE NOT e.is_default AND e.level >= 3)
      FROM evaluation e
      JOIN jsonb_to_recordset(${headsJson}::jsonb) AS h(chain_id int, seq int8) ON h.chain_id = e.chain_id AND e.seq <= h.seq
      CROSS JOIN LATERAL (VALUES ('region', e.region_code), ('org', e.org_id::text), ('item', e.item_id::text), ('window', e.window_id::text), ('staff', e.staff_id::text)) AS u(kind, id)
      WHERE u.id IS NOT NULL AND NOT ${excludedSql(undefined)}
      GROUP BY 1, 2, 3, 4`.execute(trx);
    done('channel tallies');
    await trx.deleteFrom('score_feed_cursor').execute();
    if (heads.length > 0) await trx.insertInto('score_feed_cursor').values(heads.map((h) => ({ chain_id: h.chain_id, seq: h.head_seq }))).execute();
    const counted = await sql<{ t: number; c: number }>`SELECT (SELECT count(*) FROM score_tally)::int8 AS t, (SELECT count(*) FROM score_channel_tally)::int8 AS c`.execute(trx);
    return { tallyRows: counted.rows[0]?.t ?? 0, channelRows: counted.rows[0]?.c ?? 0 };
  });
}
