// In-app notifications to staff accounts, fanned out from one ticket fact to the accounts that
// must act on it, optionally with an e-mail each. One INSERT … SELECT per call: the recipients are
// chosen by the database in the same statement, so the fan-out costs one round trip whatever
// its size, and it sees the accounts as they are in the caller's transaction.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import { queueOutbound } from '../outbound/outbound.ts';
import { renderNotification } from './render.ts';

export type Recipients =
  /** The org handlers of one org. */
  | { orgHandlersOf: string }
  /**
   * Supervisors over an object at this region path: those whose scope region's path is a prefix
   * of it. nearestOnly keeps the nearest level that has any (escalation to the supervising level).
   */
  | { supervisorsOver: string; nearestOnly?: boolean }
  /** These accounts (those that are active). */
  | { accounts: string[] };

export interface NotificationDraft {
  kind: string;
  ticketId: string | null;
  params: Record<string, unknown>;
  to: Recipients;
  /** Also queue an e-mail to each recipient that has a work address. */
  email?: boolean;
}

export interface NotifyResult {
  /** Accounts notified. */
  accounts: number;
  /** Ids of the outbound e-mails queued, each with its delivery job. */
  emails: string[];
}

/**
 * A UUIDv7 made by the database, one per row: `now` in the first 48 bits, random bits from
 * gen_random_uuid() after, its version nibble turned from 4 into 7 (bits 52 and 53 set). Rows are
 * chosen in SQL, so their ids cannot come from the uuidv7 package; time-ordered ids keep the
 * inserts local in the B-tree (DESIGN §7).
 */
function uuidv7At(now: Date): RawBuilder<string> {
  return uuidv7AtMs(sql`${now.getTime()}::int8`);
}

/** uuidv7At for a time given in SQL, as int8 milliseconds since the epoch. */
function uuidv7AtMs(ms: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(${ms}) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;
}

/**
 * An INSERT (for a data-modifying CTE) of one in-app notification of `kind` per row of `source`
 * to each handler of the row's org (isHandlerOf, as for `{ orgHandlersOf }`): how intake tells
 * the handlers of the tickets it opens, in its own statement. `source` yields ticket_id, org_id,
 * params (jsonb) and at.
 */
export function notifyOrgHandlersSql(kind: string, source: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`INSERT INTO notification (id, account_id, kind, ticket_id, params, created_at, read_at)
    SELECT ${uuidv7AtMs(sql`(extract(epoch FROM n.at) * 1000)::int8`)}, staff_account.id, ${kind}, n.ticket_id, n.params, n.at, NULL
    FROM (${source}) n JOIN staff_account ON ${isHandlerOf(sql`n.org_id`)}`;
}

/** Who an org's handlers are: its active org_handler accounts (a condition on staff_account). */
function isHandlerOf(orgId: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`staff_account.active AND staff_account.role = 'org_handler' AND staff_account.scope_org_id = ${orgId}`;
}

function recipientsQuery(db: Kysely<DB>, to: Recipients) {
  if ('orgHandlersOf' in to) return db.selectFrom('staff_account').where(isHandlerOf(sql`${to.orgHandlersOf}::uuid`));
  const active = db.selectFrom('staff_account').where('staff_account.active', '=', true);
  if ('accounts' in to) return active.where('staff_account.id', 'in', to.accounts);
  const path = to.supervisorsOver;
  const over = active
    .innerJoin('region', 'region.code', 'staff_account.scope_region_code')
    .where('staff_account.role', '=', 'supervisor')
    .where(sql<boolean>`starts_with(${path}, region.path)`);
  if (!to.nearestOnly) return over;
  // The nearest level is the longest path among the supervisors' regions that cover the object.
  const nearest = db
    .selectFrom('staff_account as s')
    .innerJoin('region as r', 'r.code', 's.scope_region_code')
    .where('s.role', '=', 'supervisor')
    .where('s.active', '=', true)
    .where(sql<boolean>`starts_with(${path}, r.path)`)
    .select(sql<number>`max(length(r.path))`.as('length'));
  return over.where((eb) => eb(sql`length(region.path)`, '=', nearest));
}

/** Subject and body of the e-mail copy of a notification. */
export function notificationEmail(kind: string, params: Record<string, unknown>, ticketId: string | null): { subject: string; body: string } {
  const text = renderNotification(kind, params);
  const ticket = ticketId ? `\n\n工单 / Ticket: ${ticketId}` : '';
  return {
    subject: `【好差评】${[...text.zh].slice(0, 40).join('')}`,
    body: `${text.zh}\n\n${text.en}${ticket}\n\n（本邮件由政务服务“好差评”平台自动发送，请登录平台处理。/ Sent by the government service rating platform: please sign in to act on it.）`,
  };
}

export async function notify(db: Kysely<DB>, n: NotificationDraft, now: Date): Promise<NotifyResult> {
  if ('accounts' in n.to && n.to.accounts.length === 0) return { accounts: 0, emails: [] };
  const selection = recipientsQuery(db, n.to).select([
    uuidv7At(now).as('id'),
    'staff_account.id as account_id',
    sql<string>`${n.kind}::text`.as('kind'),
    sql<string | null>`${n.ticketId}::uuid`.as('ticket_id'),
    sql<string>`${JSON.stringify(n.params)}::jsonb`.as('params'),
    sql<Date>`${now}::timestamptz`.as('created_at'),
    sql<Date | null>`null::timestamptz`.as('read_at'),
  ]);
  // The e-mail addresses come back from the same statement, read beside the insert.
  const notified = await db
    .with('inserted', (qb) =>
      qb.insertInto('notification').columns(['id', 'account_id', 'kind', 'ticket_id', 'params', 'created_at', 'read_at']).expression(selection).returning('account_id'),
    )
    .selectFrom('inserted')
    .innerJoin('staff_account', 'staff_account.id', 'inserted.account_id')
    .select(['staff_account.id', 'staff_account.email'])
    .orderBy('staff_account.id')
    .execute();

  const emails: string[] = [];
  if (n.email) {
    const { subject, body } = notificationEmail(n.kind, n.params, n.ticketId);
    for (const account of notified) {
      if (!account.email) continue;
      emails.push(await queueOutbound(db, { channel: 'email', recipient: { kind: 'account', id: account.id }, purpose: `notification:${n.kind}`, subject, body }, now));
    }
  }
  return { accounts: notified.length, emails };
}
