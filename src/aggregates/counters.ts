// Evaluation counters per day × region × org × item × channel × level × default/active × subject,
// kept in the same transaction as the evaluations they count.
import { sql, type Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { DB, EvaluationCounterTable, EvaluationTable } from '../db/schema.ts';

export type CounterKey = Omit<EvaluationCounterTable, 'count'>;
export type CounterRow = EvaluationCounterTable;

export type CountedEvaluation = Pick<Selectable<EvaluationTable>, 'assessed_day' | 'region_code' | 'org_id' | 'item_id' | 'channel' | 'level' | 'is_default' | 'subject'>;

function keyText(k: CounterKey): string {
  return [k.day, k.region_code, k.org_id, k.item_id ?? '', k.channel, k.level, k.is_default ? 1 : 0, k.subject].join('|');
}

/** Sum evaluations into counter increments, in a stable order (so concurrent writers lock rows in the same order). */
export function countEvaluations(rows: readonly CountedEvaluation[]): CounterRow[] {
  const sums = new Map<string, CounterRow>();
  for (const r of rows) {
    const key: CounterKey = { day: r.assessed_day, region_code: r.region_code, org_id: r.org_id, item_id: r.item_id, channel: r.channel, level: r.level, is_default: r.is_default, subject: r.subject };
    const text = keyText(key);
    const existing = sums.get(text);
    if (existing) existing.count++;
    else sums.set(text, { ...key, count: 1 });
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** The counters as they would be if rebuilt from the ledger alone. */
export function countersFromLedgerQuery(db: Kysely<DB>) {
  return db
    .selectFrom('evaluation')
    .select([
      'assessed_day as day',
      'region_code',
      'org_id',
      'item_id',
      'channel',
      'level',
      'is_default',
      'subject',
      sql<number>`count(*)::int8`.as('count'),
    ])
    .groupBy(['assessed_day', 'region_code', 'org_id', 'item_id', 'channel', 'level', 'is_default', 'subject']);
}

export function sortCounters(rows: CounterRow[]): CounterRow[] {
  return [...rows].sort((a, b) => {
    const x = keyText(a);
    const y = keyText(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export async function readCounters(db: Kysely<DB>): Promise<CounterRow[]> {
  return sortCounters(await db.selectFrom('evaluation_counter').selectAll().where('count', '>', 0).execute());
}

export async function readCountersFromLedger(db: Kysely<DB>): Promise<CounterRow[]> {
  return sortCounters(await countersFromLedgerQuery(db).execute());
}

/**
 * Rebuild the counters from the ledger. The exclusive lock makes intake wait for the rebuild;
 * every evaluation committed before the lock is counted by the rebuild, every later one by its writer.
 */
export async function recomputeCounters(db: Kysely<DB>): Promise<{ rows: number; evaluations: number }> {
  return db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE evaluation_counter IN EXCLUSIVE MODE`.execute(trx);
    await trx.deleteFrom('evaluation_counter').execute();
    const result = await trx
      .insertInto('evaluation_counter')
      .columns(['day', 'region_code', 'org_id', 'item_id', 'channel', 'level', 'is_default', 'subject', 'count'])
      .expression(countersFromLedgerQuery(trx))
      .executeTakeFirst();
    const total = await trx.selectFrom('evaluation_counter').select(sql<number>`coalesce(sum(count), 0)::int8`.as('n')).executeTakeFirstOrThrow();
    return { rows: Number(result.numInsertedOrUpdatedRows ?? 0), evaluations: total.n };
  });
}
