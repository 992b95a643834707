// The ticket desk's reading: the filters put into SQL within the caller's scope, keyset pages by
// (sort key, id), the counts of a filter, and each listed ticket with the names around it.
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Scope } from '../auth/policy.ts';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { UNWATCHED_STATES, type TicketState } from './state-machine.ts';
import type { TicketRow } from './store.ts';

/**
 * The running deadline due first, 'infinity' when none runs: desk-rules.ts nextDeadline (through
 * rules.ts runningDeadlines) in SQL. Identical to the expression of the indexes in migration
 * 2026-12-08T09-ticket-desk (tested against nextDeadline in desk.test.ts).
 */
export const NEXT_DUE = sql<Date>`COALESCE(LEAST(
  CASE WHEN verify_done_at IS NULL AND state IN ('open', 'verifying') THEN verify_due_at END,
  CASE WHEN reply_done_at IS NULL AND state NOT IN ('closed', 'closed_invalid', 'closed_cannot_fix', 'voided') THEN reply_due_at END,
  CASE WHEN state = 'appealing' AND appeal_decided_at IS NULL THEN appeal_due_at END
), 'infinity'::timestamptz)`;

// The states with nothing running, as literals so that the planner can match the partial index of
// running tickets (migration 2026-12-08T11-ticket-desk-counts).
const UNWATCHED_LIST = sql.join([...UNWATCHED_STATES].map((state) => sql.lit(state)));

/** What a supervisor must decide: an appeal, a cannot-fix request, an extension request. */
const NEEDS_DECISION = sql<boolean>`(state IN ('appealing', 'cannot_fix_requested') OR extension_state IS NOT DISTINCT FROM 'requested')`;

export interface DeskFilter {
  states?: readonly TicketState[] | undefined;
  due?: 'overdue' | 'due_soon' | undefined;
  needsDecision?: boolean | undefined;
  escalated?: boolean | undefined;
  /** Only tickets past their reply deadline (the Ticket view's `overdue`). */
  replyOverdue?: boolean | undefined;
  regionPath?: string | undefined;
  orgId?: string | undefined;
  taskCode?: string | undefined;
  channel?: string | undefined;
  level?: number | undefined;
  fromDay?: string | undefined;
  toDay?: string | undefined;
  q?: string | undefined;
}

/** The moments the due filters compare with: now, and desk-rules.ts warningBefore(now). */
export interface DueMoments {
  now: Date;
  warningBefore: Date;
}

export const DESK_SORTS = ['-openedAt', 'openedAt', 'deadline'] as const;
export type DeskSort = (typeof DESK_SORTS)[number];

/** LIKE pattern of a text anywhere, with %, _ and the escape character taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function conditions(scope: Scope, filter: DeskFilter, moments: DueMoments): RawBuilder<boolean>[] | null {
  const all: RawBuilder<boolean>[] = [];
  // The scope first: it is what the indexes lead with.
  if (scope.orgId !== null) all.push(sql`ticket.org_id = ${scope.orgId}`);
  else if (scope.regionPath !== null) all.push(sql`ticket.region_path LIKE ${pathPrefixPattern(scope.regionPath)}`);
  else return null;
  if (filter.orgId) all.push(sql`ticket.org_id = ${filter.orgId}`);
  if (filter.regionPath) all.push(sql`ticket.region_path LIKE ${pathPrefixPattern(filter.regionPath)}`);
  if (filter.states && filter.states.length > 0) all.push(sql`ticket.state IN (${sql.join(filter.states)})`);
  if (filter.channel) all.push(sql`ticket.channel = ${filter.channel}`);
  if (filter.level !== undefined) all.push(sql`ticket.level = ${filter.level}`);
  if (filter.fromDay) all.push(sql`ticket.opened_day >= ${filter.fromDay}`);
  if (filter.toDay) all.push(sql`ticket.opened_day <= ${filter.toDay}`);
  if (filter.escalated !== undefined) all.push(filter.escalated ? sql`cardinality(ticket.escalated) > 0` : sql`cardinality(ticket.escalated) = 0`);
  // Only running tickets wait for a decision; saying so lets the planner use their partial index.
  if (filter.needsDecision !== undefined) all.push(filter.needsDecision ? sql`${NEEDS_DECISION} AND ticket.state NOT IN (${UNWATCHED_LIST})` : sql`NOT (${NEEDS_DECISION} AND ticket.state NOT IN (${UNWATCHED_LIST}))`);
  if (filter.due === 'overdue') all.push(sql`${NEXT_DUE} < ${moments.now}`);
  if (filter.due === 'due_soon') all.push(sql`${NEXT_DUE} >= ${moments.now} AND ${NEXT_DUE} < ${moments.warningBefore}`);
  if (filter.replyOverdue) all.push(sql`ticket.state <> 'closed_invalid' AND (ticket.reply_done_at > ticket.reply_due_at OR (ticket.reply_done_at IS NULL AND ticket.reply_due_at < ${moments.now}))`);
  if (filter.taskCode) {
    all.push(sql`EXISTS (SELECT 1 FROM evaluation fe JOIN service_item fi ON fi.id = fe.item_id WHERE fe.id = ticket.evaluation_id AND fi.task_code = ${filter.taskCode})`);
  }
  if (filter.q) all.push(sql`EXISTS (SELECT 1 FROM evaluation qe WHERE qe.id = ticket.evaluation_id AND qe.comment LIKE ${containsPattern(filter.q)} ESCAPE '\\')`);
  return all;
}

const whereAll = (conds: RawBuilder<boolean>[]) => sql<boolean>`${sql.join(conds, sql` AND `)}`;

interface CursorKey {
  sort: DeskSort;
  /** The sort key as the database printed it (exact: no rounding through a JavaScript Date). */
  key: string;
  id: string;
}

export function encodeCursor(cursor: CursorKey): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');
}

/** A timestamptz as PostgreSQL prints it, or 'infinity' (no next deadline). */
const SORT_KEY = /^(infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/;

export function decodeCursor(text: string, sort: DeskSort): CursorKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value[0] === sort && typeof value[1] === 'string' && typeof value[2] === 'string' && /^[0-9a-f-]{36}$/.test(value[2]) && SORT_KEY.test(value[1])) {
      return { sort, key: value[1], id: value[2] };
    }
  } catch {
    // fall through
  }
  throw new AppError('TICKET_CURSOR_INVALID');
}

const sortKeyOf = (sort: DeskSort) => (sort === 'deadline' ? NEXT_DUE : sql<Date>`ticket.evaluated_at`);

/**
 * The filtered tickets in order, at most `limit`, then the names around them: the filters, the
 * keyset and the limit run on the ticket alone (its indexes), and only the rows kept are joined.
 */
function ordered(db: Kysely<DB>, conds: RawBuilder<boolean>[], sort: DeskSort, limit: number) {
  const key = sortKeyOf(sort);
  const direction = sort === '-openedAt' ? sql`DESC` : sql`ASC`;
  const page = db
    .selectFrom('ticket')
    .selectAll()
    .select([key.as('sort_at'), sql<string>`(${key})::text`.as('sort_key')])
    .where(whereAll(conds))
    .orderBy(sql`${key} ${direction}, ticket.id ${direction}`)
    .limit(limit);
  return enriched(db, page).orderBy(sql`ticket.sort_at ${direction}, ticket.id ${direction}`);
}

/** A page of tickets with the names around them; `limit + 1` rows are read to know whether more follow. */
export async function deskPage(db: Kysely<DB>, scope: Scope, filter: DeskFilter, moments: DueMoments, page: { sort: DeskSort; cursor: string | undefined; limit: number }) {
  const conds = conditions(scope, filter, moments);
  if (conds === null) return { rows: [], next: null };
  if (page.cursor !== undefined) {
    const key = sortKeyOf(page.sort);
    const after = decodeCursor(page.cursor, page.sort);
    const past = sql`(${key}, ticket.id) ${page.sort === '-openedAt' ? sql`<` : sql`>`} (${after.key}::timestamptz, ${after.id}::uuid)`;
    conds.push(sql<boolean>`${past}`);
  }
  const rows = await ordered(db, conds, page.sort, page.limit + 1).execute();
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  const last = items.at(-1);
  return { rows: items, next: more && last ? encodeCursor({ sort: page.sort, key: last.sort_key, id: last.id }) : null };
}

/** Every ticket of a filter in the given order, at most `max` (the export). */
export async function deskRows(db: Kysely<DB>, scope: Scope, filter: DeskFilter, moments: DueMoments, sort: DeskSort, max: number) {
  const conds = conditions(scope, filter, moments);
  if (conds === null) return [];
  return ordered(db, conds, sort, max).execute();
}

/** One ticket with the names around it (the detail page); scope is checked by the caller. */
export async function deskTicket(db: Kysely<DB>, id: string) {
  const one = db
    .selectFrom('ticket')
    .selectAll()
    .select([sql<Date>`ticket.evaluated_at`.as('sort_at'), sql<string>`ticket.evaluated_at::text`.as('sort_key')])
    .where('ticket.id', '=', id);
  return enriched(db, one).executeTakeFirst();
}

type PageRow = TicketRow & { sort_at: Date; sort_key: string };

/** Ticket rows (a page of them) joined with the names a desk shows; the evaluation's window and staff, else the case stage's. */
function enriched(db: Kysely<DB>, page: SelectQueryBuilder<DB, 'ticket', PageRow>) {
  return db
    .selectFrom(page.as('ticket'))
    .innerJoin('evaluation as e', 'e.id', 'ticket.evaluation_id')
    .innerJoin('org as o', 'o.id', 'ticket.org_id')
    .innerJoin('region as r', 'r.code', 'ticket.region_code')
    .leftJoin('case_stage as cs', 'cs.id', 'e.case_stage_id')
    .leftJoin('service_item as si', 'si.id', 'e.item_id')
    .leftJoin('service_window as w', (join) => join.on(sql<boolean>`w.id = COALESCE(e.window_id, cs.window_id)`))
    .leftJoin('staff as s', (join) => join.on(sql<boolean>`s.id = COALESCE(e.staff_id, cs.staff_id)`))
    .selectAll('ticket')
    .select([
      'o.name as org_name',
      'r.name as region_name',
      'e.comment as comment',
      'e.indicator_version as indicator_version',
      'e.indicator_codes as indicator_codes',
      'e.rater_masked as rater_masked',
      'e.is_anonymous as is_anonymous',
      'e.case_id as case_id',
      'si.task_code as task_code',
      'si.name as item_name',
      'w.id as window_id',
      'w.name as window_name',
      's.name as staff_name',
    ]);
}

export type DeskRow = NonNullable<Awaited<ReturnType<typeof deskTicket>>>;

export interface DeskCounts {
  total: number;
  byState: Record<string, number>;
  overdue: number;
  dueSoon: number;
  needsDecision: number;
}

/**
 * The counts of a filter (its state is ignored: the counts are per state), in two reads: the running
 * tickets with their deadlines and decisions (a partial index holds every column they need), and,
 * unless `withClosed` is false (the workbench), the closed and voided ones counted per state from
 * the index of scope and state.
 */
export async function deskCounts(db: Kysely<DB>, scope: Scope, filter: DeskFilter, moments: DueMoments, options: { withClosed?: boolean } = {}): Promise<DeskCounts> {
  const counts: DeskCounts = { total: 0, byState: {}, overdue: 0, dueSoon: 0, needsDecision: 0 };
  const conds = conditions(scope, { ...filter, states: undefined }, moments);
  if (conds === null) return counts;
  const running = db
    .selectFrom('ticket')
    .where(whereAll([...conds, sql<boolean>`ticket.state NOT IN (${UNWATCHED_LIST})`]))
    .select([
      'ticket.state',
      sql<number>`count(*)::int`.as('n'),
      sql<number>`(count(*) FILTER (WHERE ${NEXT_DUE} < ${moments.now}))::int`.as('overdue'),
      sql<number>`(count(*) FILTER (WHERE ${NEXT_DUE} >= ${moments.now} AND ${NEXT_DUE} < ${moments.warningBefore}))::int`.as('due_soon'),
      sql<number>`(count(*) FILTER (WHERE ${NEEDS_DECISION}))::int`.as('needs_decision'),
    ])
    .groupBy('ticket.state')
    .execute();
  const closed =
    options.withClosed === false
      ? Promise.resolve([])
      : db
          .selectFrom('ticket')
          .where(whereAll([...conds, sql<boolean>`ticket.state IN (${UNWATCHED_LIST})`]))
          .select(['ticket.state', sql<number>`count(*)::int`.as('n')])
          .groupBy('ticket.state')
          .execute();
  const [runningRows, closedRows] = await Promise.all([running, closed]);
  for (const row of runningRows) {
    counts.total += row.n;
    counts.byState[row.state] = row.n;
    counts.overdue += row.overdue;
    counts.dueSoon += row.due_soon;
    counts.needsDecision += row.needs_decision;
  }
  for (const row of closedRows) {
    counts.total += row.n;
    counts.byState[row.state] = row.n;
  }
  return counts;
}

/** The case stage behind a ticket, for the detail page. */
export async function caseOfTicket(db: Kysely<DB>, caseStageId: string | null, caseId: string | null) {
  if (caseId === null) return undefined;
  return db
    .selectFrom('service_case as c')
    .leftJoin('case_stage as cs', (join) => (caseStageId === null ? join.on(sql<boolean>`false`) : join.on('cs.id', '=', caseStageId)))
    .leftJoin('service_item as si', 'si.id', 'c.item_id')
    .select(['c.project_no', 'si.name as project_name', 'cs.name as stage_name', 'cs.completed_at'])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
}

/** Display names of the staff accounts that acted on a ticket. */
export async function actorNames(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> {
  const uuids = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
  if (uuids.length === 0) return new Map();
  const rows = await db.selectFrom('staff_account').select(['id', 'display_name']).where('id', 'in', uuids).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
