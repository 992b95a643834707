// The tallies as the ledger alone gives them, optionally as of a checkpoint (chain heads and a cut
// instant): used to rebuild the live tallies, to close a period and to verify a published snapshot.
// Evaluations, stages and inspections are summed in SQL; tickets are replayed from their events with
// the pure state machine, so a ticket counts as it stood at the cut.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB, ScoreUnitKind } from '../db/schema.ts';
import { badLevelSql } from '../evaluations/level-sql.ts';
import { excludedAsOfSql, excludedSetAsOfSql } from './exclusion-sql.ts';
import { recordedEventOf, type TicketEventRow } from '../tickets/store.ts';
import { isRefusal, openTicket, replay } from '../tickets/state-machine.ts';
import { countsOf } from './tally-store.ts';
import { addCounts, emptyTally, TALLY_COLUMNS, ticketCounts, unitsOf, type TallyCounts } from './tally.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface LedgerCut {
  heads: ReadonlyArray<{ chainId: number; seq: number }>;
  /** Other facts recorded after this are left out; absent: whatever is committed (under a lock). */
  at?: Date;
}

export interface LedgerTallyQuery {
  fromDay: string;
  toDay: string;
  /** Absent: everything stored now. */
  cut?: LedgerCut;
  /** One row per unit and day, or one per unit for the whole range (day = fromDay). */
  byDay: boolean;
  unitKinds: readonly ScoreUnitKind[];
}

export interface LedgerTallyRow {
  unit_kind: ScoreUnitKind;
  unit_id: string;
  day: string;
  counts: TallyCounts;
}

/** The whole ledger. */
export const ALL_DAYS = { fromDay: '1900-01-01', toDay: '2999-12-31' } as const;

const col = (name: (typeof TALLY_COLUMNS)[number]) => TALLY_COLUMNS.indexOf(name);
const beijingDateSql = (column: string) => sql.raw(`((${column} AT TIME ZONE 'UTC') + interval '8 hours')::date`);
const filters = sql.raw(TALLY_COLUMNS.map((c, i) => `coalesce(sum(f.n) FILTER (WHERE f.col = ${i}), 0)::int8 AS ${c}`).join(', '));

/** Whether evaluation `e` is flagged out of the figures (as of the cut; rules in exclusion.ts): a lookup per row, for small reads. */
export function excludedSql(cut: LedgerCut | undefined, evaluationId: RawBuilder<unknown> = sql.ref('e.id')) {
  return excludedAsOfSql(cut?.at, evaluationId);
}

/** Every evaluation flagged out (as of the cut), as a set: scans of the ledger anti-join it once instead of looking up each row. */
export function excludedSetSql(cut: LedgerCut | undefined) {
  return excludedSetAsOfSql(cut?.at);
}

export function headsJoin(cut: LedgerCut | undefined) {
  if (!cut) return sql``;
  const heads = JSON.stringify(cut.heads.map((h) => ({ chain_id: h.chainId, seq: h.seq })));
  return sql`JOIN jsonb_to_recordset(${heads}::jsonb) AS h(chain_id int, seq int8) ON h.chain_id = e.chain_id AND e.seq <= h.seq`;
}

const UNIT_COLUMN: Record<ScoreUnitKind, string> = { region: 'f.region_code', org: 'f.org_id', item: 'f.item_id', window: 'f.window_id', staff: 'f.staff_id' };

/**
 * One aggregation over the placed facts (columns region_code … staff_id of alias f) for each unit
 * kind at once (GROUPING SETS: the facts are read once, not fanned out per kind): the selected
 * unit_kind and unit_id, and the GROUP BY clause. Rows whose unit is NULL (no window, no staff) come
 * out with a NULL unit_id and are to be dropped.
 */
export function unitGroupingSql(unitKinds: readonly ScoreUnitKind[]) {
  if (unitKinds.length === 0) throw new Error('unitGroupingSql: no unit kind');
  const kind = unitKinds.map((k) => `WHEN GROUPING(${UNIT_COLUMN[k]}) = 0 THEN '${k}'`).join(' ');
  const id = unitKinds.map((k) => `${UNIT_COLUMN[k]}::text`).join(', ');
  return {
    select: sql.raw(`CASE ${kind} END AS unit_kind, coalesce(${id}) AS unit_id`),
    sets: sql.raw(`GROUPING SETS (${unitKinds.map((k) => `(${UNIT_COLUMN[k]})`).join(', ')})`),
  };
}

/** The SQL half (everything but tickets): rows of unit_kind, unit_id, day and the tally columns. */
export function ledgerTallySql(query: LedgerTallyQuery) {
  const { fromDay, toDay, cut } = query;
  const recordedBy = (column: string) => (cut?.at ? sql`AND ${sql.ref(column)} <= ${cut.at}` : sql``);
  const notExcluded = sql`NOT EXISTS (SELECT 1 FROM excluded x WHERE x.evaluation_id = e.id)`;
  const units = unitGroupingSql(query.unitKinds);
  const day = query.byDay ? sql`f.day` : sql`${fromDay}::date`;
  return sql<Record<string, unknown> & { unit_kind: ScoreUnitKind; unit_id: string; day: string }>`
    WITH excluded AS MATERIALIZED (${excludedSetSql(cut)}),
    facts AS (
      SELECT e.region_code, e.org_id, e.item_id, e.window_id, e.staff_id, p.day, p.col, 1::int8 AS n
      FROM evaluation e ${headsJoin(cut)}
      CROSS JOIN LATERAL (VALUES
        (e.assessed_day, (CASE WHEN e.is_default THEN 5 ELSE 0 END) + e.level - 1),
        (CASE WHEN ${badLevelSql('e.level')} THEN ${beijingDateSql('e.received_at')} END, ${col('tickets')}::int)
      ) AS p(day, col)
      WHERE (e.assessed_day BETWEEN ${fromDay}::date AND ${toDay}::date
             OR (${badLevelSql('e.level')} AND ${beijingDateSql('e.received_at')} BETWEEN ${fromDay}::date AND ${toDay}::date))
        AND p.day BETWEEN ${fromDay}::date AND ${toDay}::date
        AND ${notExcluded}
      UNION ALL
      SELECT sc.region_code, sc.org_id, sc.item_id, sc.window_id, sc.staff_id, sc.completed_day, ${col('stages_rated')}::int, 1
      FROM stage_completion sc
      JOIN evaluation_slot s ON s.case_stage_id = sc.case_stage_id AND s.assess_number = 1
      JOIN evaluation e ON e.id = s.evaluation_id ${headsJoin(cut)}
      WHERE sc.completed_day BETWEEN ${fromDay}::date AND ${toDay}::date ${recordedBy('sc.recorded_at')}
        AND NOT e.is_default AND ${notExcluded}
      UNION ALL
      SELECT region_code, org_id, item_id, window_id, staff_id, completed_day, ${col('stages_completed')}::int, 1
      FROM stage_completion WHERE completed_day BETWEEN ${fromDay}::date AND ${toDay}::date ${recordedBy('recorded_at')}
      UNION ALL
      SELECT i.region_code, i.org_id, NULL, i.window_id, NULL, i.inspected_day, p.col, p.n
      FROM inspection i CROSS JOIN LATERAL (VALUES (${col('inspections')}::int, 1::int8), (${col('inspection_points')}::int, i.score_points::int8)) AS p(col, n)
      WHERE i.inspected_day BETWEEN ${fromDay}::date AND ${toDay}::date ${recordedBy('i.recorded_at')}
    ),
    tallies AS (
      SELECT ${units.select}, ${day}::text AS day, ${filters}
      FROM facts f
      GROUP BY ${query.byDay ? sql`f.day, ` : sql``}${units.sets}
    )
    SELECT * FROM tallies WHERE unit_id IS NOT NULL`;
}

export async function ledgerTallies(db: Executor, query: LedgerTallyQuery, tickets?: readonly TicketAtCut[]): Promise<LedgerTallyRow[]> {
  const result = await ledgerTallySql(query).execute(db);
  const rows = new Map<string, LedgerTallyRow>();
  for (const row of result.rows) rows.set(`${row.unit_kind}|${row.unit_id}|${row.day}`, { unit_kind: row.unit_kind, unit_id: row.unit_id, day: row.day, counts: countsOf(row) });
  for (const t of await ticketTallies(db, query, tickets)) {
    const key = `${t.unit_kind}|${t.unit_id}|${t.day}`;
    const existing = rows.get(key);
    if (existing) existing.counts = addCounts(existing.counts, t.counts);
    else rows.set(key, t);
  }
  return [...rows.values()];
}

export interface TicketAtCut {
  ticketId: string;
  placement: { region_code: string; org_id: string; item_id: string | null; window_id: string | null; staff_id: string | null };
  openedDay: string;
  replyDoneAt: Date | null;
  replyDueAt: Date;
  counts: Partial<TallyCounts>;
  /** Unanswered and past its deadline at the cut (or now). */
  overdueOpen: boolean;
}

/** The period's tickets (opened in it) as they stood at the cut, replayed from their events. */
export async function ticketsAtCut(db: Executor, query: Pick<LedgerTallyQuery, 'fromDay' | 'toDay' | 'cut'>, now: Date): Promise<TicketAtCut[]> {
  const { fromDay, toDay, cut } = query;
  const tickets = await sql<{
    id: string; opened_day: string; opened_verify_due_at: Date; opened_reply_due_at: Date;
    region_code: string; org_id: string; item_id: string | null; window_id: string | null; staff_id: string | null;
  }>`SELECT t.id, t.opened_day::text AS opened_day, t.opened_verify_due_at, t.opened_reply_due_at,
        e.region_code, e.org_id, e.item_id, e.window_id, e.staff_id
      FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id ${headsJoin(cut)}
      WHERE t.opened_day BETWEEN ${fromDay}::date AND ${toDay}::date AND NOT ${excludedSql(cut)}`.execute(db);
  if (tickets.rows.length === 0) return [];
  const events = await sql<TicketEventRow>`SELECT te.* FROM ticket_event te JOIN ticket t ON t.id = te.ticket_id
      WHERE t.opened_day BETWEEN ${fromDay}::date AND ${toDay}::date ${cut?.at ? sql`AND te.at <= ${cut.at}` : sql``}
      ORDER BY te.ticket_id, te.seq`.execute(db);
  const byTicket = new Map<string, TicketEventRow[]>();
  for (const e of events.rows) {
    const list = byTicket.get(e.ticket_id) ?? [];
    list.push(e);
    byTicket.set(e.ticket_id, list);
  }
  const asOf = cut?.at ?? now;
  return tickets.rows.map((t) => {
    const ticket = replay(openTicket({ verifyDueAt: t.opened_verify_due_at, replyDueAt: t.opened_reply_due_at }), (byTicket.get(t.id) ?? []).map(recordedEventOf));
    if (isRefusal(ticket)) throw new Error(`ticket ${t.id} does not replay: ${ticket.code}`);
    const upheld = ticket.appeal?.upheld === true;
    return {
      ticketId: t.id,
      placement: { region_code: t.region_code, org_id: t.org_id, item_id: t.item_id, window_id: t.window_id, staff_id: t.staff_id },
      openedDay: t.opened_day,
      replyDoneAt: ticket.reply.doneAt,
      replyDueAt: ticket.reply.dueAt,
      counts: ticketCounts(ticket),
      overdueOpen: !upheld && ticket.reply.doneAt === null && ticket.reply.dueAt.getTime() < asOf.getTime(),
    };
  });
}

export async function ticketTallies(db: Executor, query: LedgerTallyQuery, tickets?: readonly TicketAtCut[]): Promise<LedgerTallyRow[]> {
  const rows = new Map<string, LedgerTallyRow>();
  for (const t of tickets ?? (await ticketsAtCut(db, query, query.cut?.at ?? new Date(0)))) {
    const day = query.byDay ? t.openedDay : query.fromDay;
    for (const unit of unitsOf(t.placement)) {
      if (!query.unitKinds.includes(unit.kind)) continue;
      const key = `${unit.kind}|${unit.id}|${day}`;
      const row = rows.get(key) ?? { unit_kind: unit.kind, unit_id: unit.id, day, counts: emptyTally() };
      row.counts = addCounts(row.counts, t.counts);
      rows.set(key, row);
    }
  }
  return [...rows.values()];
}
