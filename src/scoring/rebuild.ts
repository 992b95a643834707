// Rebuild the live tallies from the ledger and the facts alone (after a bulk load, or to prove them).
// The tables are locked: writers of flags, ticket steps, stages and inspections wait and add their
// change after the rebuild; intake never waits (the feed folds evaluations after the chain heads
// read here).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { goodLevelSql } from '../evaluations/level-sql.ts';
import { ALL_DAYS, excludedSetSql, headsJoin, ledgerTallySql, ticketTallies, unitGroupingSql, type LedgerCut } from './ledger-tallies.ts';
import { TALLY_COLUMNS, UNIT_KINDS } from './tally.ts';
import { upsertTallies } from './tally-store.ts';

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
    await sql`SET LOCAL jit = on`.execute(trx);
    await trx.deleteFrom('score_tally').execute();
    await trx.deleteFrom('score_tally_month').execute();
    await trx.deleteFrom('score_channel_tally').execute();
    const query = { ...ALL_DAYS, cut, byDay: true, unitKinds: UNIT_KINDS };
    const columns = sql.raw(TALLY_COLUMNS.join(', '));
    done('lock and clear');
    await sql`INSERT INTO score_tally (unit_kind, unit_id, day, ${columns}) SELECT unit_kind, unit_id, day::date, ${columns} FROM (${ledgerTallySql(query)}) AS t`.execute(trx);
    done('daily tallies (SQL)');
    // Tickets are replayed in JavaScript and added to the daily rows; the months are summed after.
    const tickets = await ticketTallies(trx, query);
    await upsertTallies(trx, 'score_tally', 'day', tickets.filter((t) => TALLY_COLUMNS.some((c) => t.counts[c] !== 0)).map((t) => ({ unit_kind: t.unit_kind, unit_id: t.unit_id, day: t.day, ...t.counts })));
    done('tickets (replayed)');
    await sql`INSERT INTO score_tally_month (unit_kind, unit_id, month, ${columns})
      SELECT unit_kind, unit_id, date_trunc('month', day)::date, ${sql.raw(TALLY_COLUMNS.map((c) => `sum(${c})`).join(', '))} FROM score_tally GROUP BY 1, 2, 3`.execute(trx);
    done('monthly tallies');
    const units = unitGroupingSql(UNIT_KINDS);
    await sql`INSERT INTO score_channel_tally (unit_kind, unit_id, day, channel, evaluations, good, active, active_good)
      WITH excluded AS MATERIALIZED (${excludedSetSql(undefined)})
      SELECT * FROM (
        SELECT ${units.select}, f.assessed_day, f.channel, count(*), count(*) FILTER (WHERE ${goodLevelSql('f.level')}),
          count(*) FILTER (WHERE NOT f.is_default), count(*) FILTER (WHERE NOT f.is_default AND ${goodLevelSql('f.level')})
        FROM (SELECT e.* FROM evaluation e ${headsJoin(cut)} WHERE NOT EXISTS (SELECT 1 FROM excluded x WHERE x.evaluation_id = e.id)) AS f
        GROUP BY f.assessed_day, f.channel, ${units.sets}
      ) AS t WHERE unit_id IS NOT NULL`.execute(trx);
    done('channel tallies');
    // The tables' whole content changed: fresh statistics for the planner of the readers.
    await sql`ANALYZE score_tally, score_tally_month, score_channel_tally`.execute(trx);
    done('analyze');
    await trx.deleteFrom('score_feed_cursor').execute();
    if (heads.length > 0) await trx.insertInto('score_feed_cursor').values(heads.map((h) => ({ chain_id: h.chain_id, seq: h.head_seq }))).execute();
    const counted = await sql<{ t: number; c: number }>`SELECT (SELECT count(*) FROM score_tally)::int8 AS t, (SELECT count(*) FROM score_channel_tally)::int8 AS c`.execute(trx);
    return { tallyRows: counted.rows[0]?.t ?? 0, channelRows: counted.rows[0]?.c ?? 0 };
  });
}
