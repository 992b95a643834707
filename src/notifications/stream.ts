// The live side of the inbox: each open stream of a staff account learns of the account's new
// notifications and of its unread count whenever that changes. The database announces both
// (triggers of migration 2026-12-08T10 send `pg_notify('hcp_notification', …)` on commit, from
// whichever process wrote), src/db/listener.ts hears it on either engine, and the hub fans it out
// to the streams of that account only. Work for one account runs in order, so events keep the
// order of the commits that caused them.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { listenOn, type ChannelListener } from '../db/listener.ts';
import type { DB } from '../db/schema.ts';
import { countUnread, notificationOf } from './inbox.ts';
import { presentNotification } from './presenter.ts';

export const NOTIFICATION_CHANNEL = 'hcp_notification';

/** What a trigger announces: an account's new notification (with its id) or a change (without). */
export interface NotificationSignal {
  accountId: string;
  id: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseNotificationSignal(payload: string | undefined): NotificationSignal | null {
  if (!payload) return null;
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return null;
    const { accountId, id } = value as Record<string, unknown>;
    if (typeof accountId !== 'string' || !UUID.test(accountId)) return null;
    if (id === undefined || id === null) return { accountId, id: null };
    return typeof id === 'string' && UUID.test(id) ? { accountId, id } : null;
  } catch {
    return null;
  }
}

export type StreamEvent = { event: 'unread'; data: { count: number } } | { event: 'notification'; data: ReturnType<typeof presentNotification> };

export interface NotificationStream {
  accountId: string;
  send(event: StreamEvent): void;
}

export interface NotificationHub {
  /** Adds an open stream and sends it the unread count; the returned function removes it. */
  add(stream: NotificationStream): Promise<() => void>;
  readonly size: number;
  close(): Promise<void>;
}

export function createNotificationHub(deps: { database: Database; log: FastifyBaseLogger }): NotificationHub {
  const db: Kysely<DB> = deps.database.db;
  const { log } = deps;
  const byAccount = new Map<string, Set<NotificationStream>>();
  /** The unread count each stream was last told. */
  const told = new WeakMap<NotificationStream, number>();
  const queues = new Map<string, Promise<void>>();
  let listener: Promise<ChannelListener> | undefined;

  /** Runs `work` after the account's earlier work, so that its events keep their order. */
  function inOrder(accountId: string, work: () => Promise<void>): Promise<void> {
    const next = (queues.get(accountId) ?? Promise.resolve()).then(work).catch((error: unknown) => log.error({ err: error, accountId }, 'notification stream update failed'));
    queues.set(accountId, next);
    void next.finally(() => {
      if (queues.get(accountId) === next) queues.delete(accountId);
    });
    return next;
  }

  async function tellCount(accountId: string): Promise<void> {
    const streams = byAccount.get(accountId);
    if (!streams || streams.size === 0) return;
    const count = await countUnread(db, accountId);
    for (const stream of streams) {
      if (told.get(stream) === count) continue;
      told.set(stream, count);
      stream.send({ event: 'unread', data: { count } });
    }
  }

  function heard(signal: NotificationSignal): void {
    if (!byAccount.has(signal.accountId)) return;
    const { accountId, id } = signal;
    void inOrder(accountId, async () => {
      if (id !== null) {
        const row = await notificationOf(db, accountId, id);
        if (row) for (const stream of byAccount.get(accountId) ?? []) stream.send({ event: 'notification', data: presentNotification(row) });
      }
      await tellCount(accountId);
    });
  }

  // Started with the first stream: a process nobody watches holds no listening connection.
  const listening = () =>
    (listener ??= listenOn(deps.database, log, NOTIFICATION_CHANNEL, {
      message(payload) {
        const signal = parseNotificationSignal(payload);
        if (signal) heard(signal);
        else log.warn({ channel: NOTIFICATION_CHANNEL }, 'malformed notification signal ignored');
      },
      // Announcements may have been missed: every stream is told its count again.
      resumed: () => {
        for (const accountId of byAccount.keys()) void inOrder(accountId, () => tellCount(accountId));
      },
    }).catch((error: unknown) => {
      listener = undefined;
      throw error;
    }));

  return {
    async add(stream) {
      // Listening before the count is read: whatever commits after it is announced to this stream.
      await listening();
      let set = byAccount.get(stream.accountId);
      if (!set) byAccount.set(stream.accountId, (set = new Set()));
      set.add(stream);
      await inOrder(stream.accountId, () => tellCount(stream.accountId));
      return () => {
        set.delete(stream);
        if (set.size === 0 && byAccount.get(stream.accountId) === set) byAccount.delete(stream.accountId);
      };
    },
    get size() {
      let n = 0;
      for (const set of byAccount.values()) n += set.size;
      return n;
    },
    async close() {
      const current = listener;
      listener = undefined;
      byAccount.clear();
      if (current) await current.then((l) => l.close()).catch((error: unknown) => log.warn({ err: error }, 'notification listener did not close cleanly'));
    },
  };
}
