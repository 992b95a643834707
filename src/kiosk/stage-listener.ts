// Learns of case stages completed at a window from the database itself: a trigger on case_stage
// (migration 2026-11-29T05) sends `pg_notify('hcp_stage_completed', …)` on commit, whoever made
// the change (the case API, an import, another process). The listening itself, on either engine,
// is src/db/listener.ts.
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/database.ts';
import { listenOn, type ChannelListener } from '../db/listener.ts';

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

export type StageListener = ChannelListener;

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

export async function listenForCompletions(database: Database, log: FastifyBaseLogger, handlers: ListenerHandlers): Promise<StageListener> {
  return listenOn(database, log, STAGE_COMPLETED_CHANNEL, {
    message(payload) {
      const event = parseStageCompleted(payload);
      if (event) handlers.completed(event);
      else log.warn({ channel: STAGE_COMPLETED_CHANNEL }, 'malformed stage notification ignored');
    },
    resumed: () => handlers.resumed(),
  });
}
