// Ticket figures per org or per region and period, for the scoring (issue 5) and supervisors:
// 差评 count, reply rate, on-time reply rate, callback rate, callback satisfaction rate
// (回访整改满意率), overdue count, appeals filed and upheld. A ticket counts in the period of the
// Beijing day its evaluation arrived. An evaluation out of the figures (an upheld appeal, fraud
// confirmed: the rules of scoring/exclusion.ts) takes its ticket out of every figure but the appeal
// counts.
import { sql, type Kysely } from 'kysely';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB } from '../db/schema.ts';
import { excludedAsOfSql } from '../scoring/exclusion-sql.ts';

export interface TicketCounts {
  /** 差评 still standing (its evaluation not out of the figures). */
  bad: number;
  replied: number;
  repliedOnTime: number;
  calledBack: number;
  callbackSatisfied: number;
  overdue: number;
  appealsFiled: number;
  appealsUpheld: number;
}

export interface TicketRates {
  /** 差评回复率: replied / 差评. */
  replyRate: number | null;
  /** Replied by the (possibly extended) reply deadline / 差评. */
  onTimeReplyRate: number | null;
  /** 回访整改率: called back / replied. */
  callbackRate: number | null;
  /** 回访整改满意率: satisfied or basically satisfied at the latest callback / called back. */
  callbackSatisfactionRate: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** Rates of a group of tickets, to four decimals; null where nothing could be counted. */
export function ticketRates(c: TicketCounts): TicketRates {
  return {
    replyRate: ratio(c.replied, c.bad),
    onTimeReplyRate: ratio(c.repliedOnTime, c.bad),
    callbackRate: ratio(c.calledBack, c.replied),
    callbackSatisfactionRate: ratio(c.callbackSatisfied, c.calledBack),
  };
}

export type FigureGroup = { by: 'org' } | { by: 'region'; /** depth of the path part to group on: 2 = prefecture, 3 = county */ depth: number };

export interface FigureQuery {
  fromDay: string;
  toDay: string;
  /** The region subtree (path prefix) or the one org the figures cover. */
  regionPath: string | null;
  orgId: string | null;
  group: FigureGroup;
}

export interface FigureRow extends TicketCounts {
  /** org id, or region code ('' = tickets of orgs at the grouping region's own level). */
  key: string;
}

export async function ticketFigures(db: Kysely<DB>, query: FigureQuery, now: Date): Promise<FigureRow[]> {
  const key = query.group.by === 'org' ? sql<string>`org_id::text` : sql<string>`split_part(region_path, '/', ${query.group.depth}::int)`;
  // Whether each ticket's evaluation is out of the figures, looked up once per ticket.
  let tickets = db
    .selectFrom('ticket')
    .selectAll()
    .select(sql<boolean>`${excludedAsOfSql(undefined, sql.ref('ticket.evaluation_id'))}`.as('excluded'))
    .where('opened_day', '>=', query.fromDay)
    .where('opened_day', '<=', query.toDay);
  if (query.orgId !== null) tickets = tickets.where('org_id', '=', query.orgId);
  if (query.regionPath !== null) tickets = tickets.where('region_path', 'like', pathPrefixPattern(query.regionPath));
  const count = (condition: ReturnType<typeof sql>) => sql<number>`count(*) FILTER (WHERE NOT t.excluded AND ${condition})::int8`;
  return db
    .selectFrom(tickets.as('t'))
    .select([
      key.as('key'),
      sql<number>`count(*) FILTER (WHERE NOT t.excluded)::int8`.as('bad'),
      count(sql`reply_done_at IS NOT NULL`).as('replied'),
      count(sql`reply_done_at <= reply_due_at`).as('repliedOnTime'),
      count(sql`callback_at IS NOT NULL`).as('calledBack'),
      count(sql`last_callback IN ('satisfied', 'basically_satisfied')`).as('callbackSatisfied'),
      count(sql`(reply_done_at > reply_due_at OR (reply_done_at IS NULL AND reply_due_at < ${now}))`).as('overdue'),
      sql<number>`count(*) FILTER (WHERE appeal_state IS NOT NULL)::int8`.as('appealsFiled'),
      sql<number>`count(*) FILTER (WHERE appeal_state = 'upheld')::int8`.as('appealsUpheld'),
    ])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}
