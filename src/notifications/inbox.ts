// A staff member's notifications: reading the list and the unread count, marking as read. Every
// query is bound to one account, so nobody reads or marks another's.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface NotificationRow {
  id: string;
  kind: string;
  ticket_id: string | null;
  params: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
}

export interface ListOptions {
  unreadOnly: boolean;
  limit: number;
  /** The last id of the previous page; an id that is not one of the account's gives an empty page. */
  before?: string | undefined;
}

/** Newest first (by time, then id), in pages. */
export async function listNotifications(db: Kysely<DB>, accountId: string, options: ListOptions): Promise<NotificationRow[]> {
  let query = db
    .selectFrom('notification')
    .select(['id', 'kind', 'ticket_id', 'params', 'created_at', 'read_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.unreadOnly) query = query.where('read_at', 'is', null);
  const before = options.before;
  if (before !== undefined) {
    // A row-value comparison against the cursor row keeps to the (account_id, created_at) index order.
    query = query.where(({ eb, refTuple, selectFrom }) =>
      eb(refTuple('created_at', 'id'), '<', selectFrom('notification as cursor').select(['cursor.created_at', 'cursor.id']).where('cursor.id', '=', before).where('cursor.account_id', '=', accountId).$asTuple('created_at', 'id')),
    );
  }
  return query.execute();
}

export async function countUnread(db: Kysely<DB>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('notification')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks the account's own unread notifications among `ids` (or all of them); returns how many. */
export async function markRead(db: Kysely<DB>, accountId: string, which: { ids: string[] } | { all: true }, now: Date): Promise<number> {
  if ('ids' in which && which.ids.length === 0) return 0;
  let query = db.updateTable('notification').set({ read_at: now }).where('account_id', '=', accountId).where('read_at', 'is', null);
  if ('ids' in which) query = query.where('id', 'in', which.ids);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** One of the account's notifications by id; undefined for another account's or an unknown id. */
export async function notificationOf(db: Kysely<DB>, accountId: string, id: string): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('notification')
    .select(['id', 'kind', 'ticket_id', 'params', 'created_at', 'read_at'])
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}
