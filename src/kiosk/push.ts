// What a hall device is shown: when a case stage is completed at its window, a rating link for
// that stage (channel hall_tablet or hall_terminal), sent down every open stream of the window's
// devices. A device that (re)connects is also given the latest unrated completion of the last
// few minutes, so a network cut never loses the screen it should have shown.
import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB, HallDeviceKind } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Channel } from '../evaluations/channels.ts';
import { issueLinkForStage, tokenOf, ratingUrl } from '../ratings/links.ts';
import type { HallDevice } from './devices.ts';
import type { StageCompleted } from './stage-listener.ts';

/** How far back a (re)connecting device looks for a completion it may have missed. */
export const CATCH_UP_MS = 5 * 60_000;

export const CHANNEL_OF: Record<HallDeviceKind, Channel> = { evaluator: 'hall_tablet', terminal: 'hall_terminal' };

/** The `rate` event of the stream. */
export interface RatePush {
  type: 'rate';
  stageId: string;
  url: string;
  token: string;
  itemName: string;
  completedAt: string;
}

export interface KioskConnection {
  device: HallDevice;
  send(push: RatePush): void;
}

export interface PushDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  log: FastifyBaseLogger;
}

/** The source recorded on a device's links, so that the device gets the same link again. */
/** The source app of the links a hall device is given: the prefix, then the device's id. */
export const KIOSK_SOURCE_PREFIX = 'hcp-kiosk:';
const sourceOf = (device: HallDevice) => `${KIOSK_SOURCE_PREFIX}${device.id}`;

async function stageFacts(db: Kysely<DB>, stageId: string) {
  return db
    .selectFrom('case_stage as s')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .innerJoin('service_item as i', 'i.id', 'c.item_id')
    .select(['s.id', 's.window_id', 's.status', 's.completed_at', 'i.name as item_name'])
    .select((eb) => eb.exists(eb.selectFrom('evaluation_slot as slot').select(sql.lit(1).as('one')).whereRef('slot.case_stage_id', '=', 's.id')).as('rated'))
    .where('s.id', '=', stageId)
    .executeTakeFirst();
}

/**
 * The rating screen for one stage on one device, or null when there is nothing to rate (another
 * window's stage, not completed, already rated, rating window closed). The device's own link for
 * the stage is reused, so that its retries and the per-link limits see one link.
 */
export async function pushFor(deps: PushDeps, device: HallDevice, stageId: string): Promise<RatePush | null> {
  const stage = await stageFacts(deps.db, stageId);
  if (!stage || stage.window_id !== device.windowId || stage.status !== 3 || stage.completed_at === null || stage.rated) return null;
  const now = deps.clock();
  const existing = await deps.db
    .selectFrom('rating_link')
    .select(['id', 'expires_at'])
    .where('case_stage_id', '=', stageId)
    .where('source_app', '=', sourceOf(device))
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  let token: string;
  if (existing) {
    token = tokenOf(deps.config, existing);
  } else {
    try {
      token = (await issueLinkForStage(deps, stageId, CHANNEL_OF[device.kind], sourceOf(device))).token;
    } catch (error) {
      if (error instanceof AppError) return null;
      throw error;
    }
  }
  return { type: 'rate', stageId, url: ratingUrl(deps.config, token), token, itemName: stage.item_name, completedAt: stage.completed_at.toISOString() };
}

/** The latest completion at the window in the last few minutes that nobody has rated. */
export async function recentUnratedStage(db: Kysely<DB>, windowId: string, now: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('case_stage as s')
    .select('s.id')
    .where('s.window_id', '=', windowId)
    .where('s.status', '=', 3)
    .where('s.completed_at', '>=', new Date(now.getTime() - CATCH_UP_MS))
    .where('s.completed_at', '<=', now)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('evaluation_slot as slot').select(sql.lit(1).as('one')).whereRef('slot.case_stage_id', '=', 's.id'))))
    .orderBy('s.completed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export interface KioskHub {
  /** Adds an open stream; the returned function removes it. */
  add(connection: KioskConnection): () => void;
  /** A completion announced by the database. */
  completed(event: StageCompleted): Promise<void>;
  /** Sends one stream what it may have missed while it was away. */
  catchUp(connection: KioskConnection): Promise<void>;
  /** After the listener itself was away: every stream catches up. */
  catchUpAll(): Promise<void>;
  readonly size: number;
}

export function createKioskHub(deps: PushDeps): KioskHub {
  const byWindow = new Map<string, Set<KioskConnection>>();

  async function deliver(connection: KioskConnection, stageId: string) {
    try {
      const push = await pushFor(deps, connection.device, stageId);
      if (push) connection.send(push);
    } catch (error) {
      deps.log.error({ err: error, deviceId: connection.device.id, stageId }, 'kiosk push failed');
    }
  }

  const hub: KioskHub = {
    add(connection) {
      const windowId = connection.device.windowId;
      let set = byWindow.get(windowId);
      if (!set) byWindow.set(windowId, (set = new Set()));
      set.add(connection);
      return () => {
        set.delete(connection);
        if (set.size === 0 && byWindow.get(windowId) === set) byWindow.delete(windowId);
      };
    },
    async completed(event) {
      const connections = byWindow.get(event.windowId);
      if (!connections) return;
      await Promise.all([...connections].map((c) => deliver(c, event.stageId)));
    },
    async catchUp(connection) {
      try {
        const stageId = await recentUnratedStage(deps.db, connection.device.windowId, deps.clock());
        if (stageId) await deliver(connection, stageId);
      } catch (error) {
        deps.log.error({ err: error, deviceId: connection.device.id }, 'kiosk catch-up failed');
      }
    },
    async catchUpAll() {
      const all = [...byWindow.values()].flatMap((set) => [...set]);
      await Promise.all(all.map((c) => hub.catchUp(c)));
    },
    get size() {
      let n = 0;
      for (const set of byWindow.values()) n += set.size;
      return n;
    },
  };
  return hub;
}
