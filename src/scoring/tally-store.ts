// Adding contributions to the live tallies, and summing them over a period. Keys are sorted before
// the upsert so that concurrent transactions lock tally rows in the same order.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, ScoreUnitKind } from '../db/schema.ts';
import { monthStart, splitByMonths } from './periods.ts';
import { addInto, emptyTally, TALLY_COLUMNS, type ChannelCounts, type Contribution, type TallyCounts } from './tally.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const keyOf = (kind: string, id: string, day: string, extra = '') => `${kind}\u0000${id}\u0000${day}\u0000${extra}`;
const sortedValues = <T>(map: Map<string, T>): T[] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

const tallyColumnsSql = TALLY_COLUMNS.join(', ');
const tallyRecordSql = TALLY_COLUMNS.map((c) => `${c} int8`).join(', ');
/** Rows per statement: one JSON parameter must stay well under PostgreSQL's 256 MB jsonb limit. */
const UPSERT_CHUNK = 20_000;

/** Add rows to the daily or monthly tallies (rows of one key at most once per call). */
export async function upsertTallies(db: Executor, table: 'score_tally' | 'score_tally_month', dayColumn: 'day' | 'month', rows: ReadonlyArray<{ unit_kind: string; unit_id: string; day: string } & TallyCounts>): Promise<void> {
  const add = sql.raw(TALLY_COLUMNS.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(', '));
  for (let start = 0; start < rows.length; start += UPSERT_CHUNK) {
    await sql`INSERT INTO ${sql.table(table)} (unit_kind, unit_id, ${sql.ref(dayColumn)}, ${sql.raw(tallyColumnsSql)})
      SELECT unit_kind, unit_id, day::date, ${sql.raw(tallyColumnsSql)}
      FROM jsonb_to_recordset(${JSON.stringify(rows.slice(start, start + UPSERT_CHUNK))}::jsonb) AS r(unit_kind text, unit_id text, day text, ${sql.raw(tallyRecordSql)})
      ON CONFLICT (unit_kind, unit_id, ${sql.ref(dayColumn)}) DO UPDATE SET ${add}`.execute(db);
  }
}
const CHANNEL_COLUMNS = ['evaluations', 'good', 'active', 'active_good'] as const;

/** Add a contribution to the tallies (in the caller's transaction). */
export async function applyContribution(db: Executor, contribution: Contribution): Promise<void> {
  const tallies = new Map<string, { unit_kind: string; unit_id: string; day: string } & TallyCounts>();
  for (const t of contribution.tallies) {
    const key = keyOf(t.unit.kind, t.unit.id, t.day);
    let current = tallies.get(key);
    if (!current) tallies.set(key, (current = { unit_kind: t.unit.kind, unit_id: t.unit.id, day: t.day, ...emptyTally() }));
    addInto(current, t.counts);
  }
  const channels = new Map<string, { unit_kind: string; unit_id: string; day: string; channel: string } & ChannelCounts>();
  for (const c of contribution.channels) {
    const key = keyOf(c.unit.kind, c.unit.id, c.day, c.channel);
    const current = channels.get(key) ?? { unit_kind: c.unit.kind, unit_id: c.unit.id, day: c.day, channel: c.channel, evaluations: 0, good: 0, active: 0, active_good: 0 };
    for (const col of CHANNEL_COLUMNS) current[col] += c.counts[col];
    channels.set(key, current);
  }
  const tallyRows = sortedValues(tallies).filter((row) => TALLY_COLUMNS.some((c) => row[c] !== 0));
  if (tallyRows.length > 0) {
    const months = new Map<string, (typeof tallyRows)[number]>();
    for (const row of tallyRows) {
      const month = monthStart(row.day);
      const key = keyOf(row.unit_kind, row.unit_id, month);
      let current = months.get(key);
      if (!current) months.set(key, (current = { unit_kind: row.unit_kind, unit_id: row.unit_id, day: month, ...emptyTally() }));
      for (const c of TALLY_COLUMNS) current[c] += row[c];
    }
    await upsertTallies(db, 'score_tally', 'day', tallyRows);
    await upsertTallies(db, 'score_tally_month', 'month', sortedValues(months));
  }
  const channelRows = sortedValues(channels).filter((row) => CHANNEL_COLUMNS.some((c) => row[c] !== 0));
  for (let start = 0; start < channelRows.length; start += UPSERT_CHUNK) {
    const chunk = channelRows.slice(start, start + UPSERT_CHUNK);
    await sql`INSERT INTO score_channel_tally (unit_kind, unit_id, day, channel, evaluations, good, active, active_good)
      SELECT unit_kind, unit_id, day::date, channel, evaluations, good, active, active_good
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS r(unit_kind text, unit_id text, day text, channel text, evaluations int8, good int8, active int8, active_good int8)
      ON CONFLICT (unit_kind, unit_id, day, channel) DO UPDATE SET
        evaluations = score_channel_tally.evaluations + EXCLUDED.evaluations, good = score_channel_tally.good + EXCLUDED.good,
        active = score_channel_tally.active + EXCLUDED.active, active_good = score_channel_tally.active_good + EXCLUDED.active_good`.execute(db);
  }
}

const sumColumnsSql = sql.raw(TALLY_COLUMNS.map((c) => `sum(${c})::int8 AS ${c}`).join(', '));

export interface UnitTally {
  unitId: string;
  counts: TallyCounts;
}

/**
 * Summed tallies of the given units (or every unit of the kind) over a range of days: whole months
 * from the monthly rows, the loose days around them from the daily ones.
 */
export async function sumTallies(db: Executor, kind: ScoreUnitKind, fromDay: string, toDay: string, unitIds?: readonly string[]): Promise<UnitTally[]> {
  if (unitIds !== undefined && unitIds.length === 0) return [];
  const only = unitIds === undefined ? sql`` : sql`AND unit_id = ANY(${[...unitIds]}::text[])`;
  const parts = splitByMonths(fromDay, toDay);
  const columns = sql.raw(tallyColumnsSql);
  const pieces = parts.days.map(([from, to]) => sql`SELECT unit_id, ${columns} FROM score_tally WHERE unit_kind = ${kind} AND day BETWEEN ${from}::date AND ${to}::date ${only}`);
  if (parts.months) {
    pieces.push(sql`SELECT unit_id, ${columns} FROM score_tally_month WHERE unit_kind = ${kind} AND month BETWEEN ${parts.months[0]}::date AND ${parts.months[1]}::date ${only}`);
  }
  const result = await sql<Record<string, unknown> & { unit_id: string }>`SELECT unit_id, ${sumColumnsSql} FROM (${sql.join(pieces, sql` UNION ALL `)}) AS t GROUP BY unit_id`.execute(db);
  return result.rows.map((row) => ({ unitId: row.unit_id, counts: countsOf(row) }));
}

/** One unit's tallies day by day (for trends). */
export async function dailyTallies(db: Executor, kind: ScoreUnitKind, unitIds: readonly string[], fromDay: string, toDay: string): Promise<Array<{ day: string; counts: TallyCounts }>> {
  if (unitIds.length === 0) return [];
  const result = await sql<Record<string, unknown> & { day: string }>`SELECT day, ${sumColumnsSql} FROM score_tally
    WHERE unit_kind = ${kind} AND unit_id = ANY(${[...unitIds]}::text[]) AND day BETWEEN ${fromDay}::date AND ${toDay}::date GROUP BY day ORDER BY day`.execute(db);
  return result.rows.map((row) => ({ day: row.day, counts: countsOf(row) }));
}

export async function channelTallies(db: Executor, kind: ScoreUnitKind, unitIds: readonly string[], fromDay: string, toDay: string): Promise<Array<{ channel: string } & ChannelCounts>> {
  if (unitIds.length === 0) return [];
  const result = await sql<{ channel: string } & ChannelCounts>`SELECT channel, sum(evaluations)::int8 AS evaluations, sum(good)::int8 AS good,
      sum(active)::int8 AS active, sum(active_good)::int8 AS active_good FROM score_channel_tally
    WHERE unit_kind = ${kind} AND unit_id = ANY(${[...unitIds]}::text[]) AND day BETWEEN ${fromDay}::date AND ${toDay}::date
    GROUP BY channel ORDER BY channel`.execute(db);
  return result.rows;
}

export function countsOf(row: Record<string, unknown>): TallyCounts {
  const counts = emptyTally();
  for (const c of TALLY_COLUMNS) counts[c] = Number(row[c] ?? 0);
  return counts;
}

/** Every monthly row, sorted (tests hold them to the daily rows). */
export async function readMonthTallies(db: Executor): Promise<Array<{ unit_kind: string; unit_id: string; month: string } & TallyCounts>> {
  const rows = await db.selectFrom('score_tally_month').selectAll().orderBy('unit_kind').orderBy('unit_id').orderBy('month').execute();
  return rows.filter((r) => TALLY_COLUMNS.some((c) => Number(r[c]) !== 0)).map((r) => ({ unit_kind: r.unit_kind, unit_id: r.unit_id, month: r.month, ...countsOf(r) }));
}

/** Every tally row, sorted (for comparisons in tests and `recompute`). */
export async function readAllTallies(db: Executor): Promise<Array<{ unit_kind: string; unit_id: string; day: string } & TallyCounts>> {
  const rows = await db.selectFrom('score_tally').selectAll().orderBy('unit_kind').orderBy('unit_id').orderBy('day').execute();
  return rows.filter((r) => TALLY_COLUMNS.some((c) => Number(r[c]) !== 0)).map((r) => ({ unit_kind: r.unit_kind, unit_id: r.unit_id, day: r.day, ...countsOf(r) }));
}
