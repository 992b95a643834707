// Learns of case stages completed at a window from the database itself: a trigger on case_stage
// (migration 2026-11-29T05) sends `pg_notify('hcp_stage_completed', …)` on commit, whoever made
// the change (the case API, an import, another process). PGlite delivers notifications to its one
// connection; on a PostgreSQL server a dedicated client LISTENs, and reconnects when it is cut off.
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Database } from '../db/database.ts';

export const STAGE_COMPLETED_CHANNEL = 'hcp_stage_completed';

export interface StageCompleted {
  stageId: string;
  windowId: string;
}

export interface ListenerHandlers {
  completed(event: StageCompleted): void;
  /** The listener was away (a lost server connection) and is back: notifications may be missed. */
  resumed(): void;
}

export interface StageListener {
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseStageCompleted(payload: string | undefined): StageCompleted | null {
  if (!payload) return null;
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return null;
    const { stageId, windowId } = value as Record<string, unknown>;
    return typeof stageId === 'string' && typeof windowId === 'string' && UUID.test(stageId) && UUID.test(windowId) ? { stageId, windowId } : null;
  } catch {
    return null;
  }
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

export async function listenForCompletions(database: Database, log: FastifyBaseLogger, handlers: ListenerHandlers): Promise<StageListener> {
  const deliver = (payload: string | undefined) => {
    const event = parseStageCompleted(payload);
    if (event) handlers.completed(event);
    else log.warn({ channel: STAGE_COMPLETED_CHANNEL }, 'malformed stage notification ignored');
  };

  const raw = database.raw;
  if (raw.engine === 'pglite') {
    // Holding the pool's one connection, so that LISTEN never lands inside another holder's
    // transaction (where a rollback would undo it).
    let unlisten: (() => Promise<void>) | undefined;
    await database.db.connection().execute(async () => {
      unlisten = await raw.pglite.listen(STAGE_COMPLETED_CHANNEL, deliver);
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
      if (message.channel === STAGE_COMPLETED_CHANNEL) deliver(message.payload);
    });
    next.on('error', (error) => {
      log.warn({ err: error }, 'kiosk listener lost its database connection; reconnecting');
      void next.end().catch(() => undefined);
      if (client === next) client = null;
      schedule();
    });
    await next.connect();
    await next.query(`LISTEN ${STAGE_COMPLETED_CHANNEL}`);
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
        log.warn({ err: error, retryMs: delay }, 'kiosk listener could not reconnect');
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
