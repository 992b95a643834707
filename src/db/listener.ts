// Learns of what other transactions announce with NOTIFY (pg_notify in a trigger, delivered on
// commit), on either engine. PGlite delivers notifications to its one connection; on a PostgreSQL
// server a dedicated client LISTENs, and reconnects when it is cut off. Used by the kiosk push
// (src/kiosk/stage-listener.ts) and the staff's live notifications (src/notifications/stream.ts).
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Database } from './database.ts';

export interface ChannelHandlers {
  /** One notification's payload, as sent. */
  message(payload: string | undefined): void;
  /** The listener was away (a lost server connection) and is back: notifications may be missed. */
  resumed(): void;
}

export interface ChannelListener {
  close(): Promise<void>;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/** `channel` must be a plain identifier (it is written into LISTEN as is). */
export async function listenOn(database: Database, log: FastifyBaseLogger, channel: string, handlers: ChannelHandlers): Promise<ChannelListener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  const raw = database.raw;
  if (raw.engine === 'pglite') {
    // Holding the pool's one connection, so that LISTEN never lands inside another holder's
    // transaction (where a rollback would undo it).
    let unlisten: (() => Promise<void>) | undefined;
    await database.db.connection().execute(async () => {
      unlisten = await raw.pglite.listen(channel, (payload) => handlers.message(payload));
    });
    return {
      async close() {
        if (raw.pglite.closed) return;
        await database.db.connection().execute(async () => unlisten?.());
      },
    };
  }

  // A client of its own, outside the pool: a LISTEN lives as long as its connection.
  let client: pg.Client | null = null;
  let closed = false;
  let delay = RECONNECT_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (resumed: boolean): Promise<void> => {
    const next = new pg.Client(raw.pool.options);
    next.on('notification', (message) => {
      if (message.channel === channel) handlers.message(message.payload);
    });
    next.on('error', (error) => {
      log.warn({ err: error, channel }, 'database listener lost its connection; reconnecting');
      void next.end().catch(() => undefined);
      if (client === next) client = null;
      schedule();
    });
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    delay = RECONNECT_MIN_MS;
    if (resumed) handlers.resumed();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect(true).catch((error: unknown) => {
        log.warn({ err: error, channel, retryMs: delay }, 'database listener could not reconnect');
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        schedule();
      });
    }, delay);
    timer.unref();
  };

  await connect(false);
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = null;
      await last?.end();
    },
  };
}
