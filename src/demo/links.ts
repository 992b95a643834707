// Links worth opening in a fresh demo: the rating page of a stage completed lately and not rated
// yet, and the poster page of a window that has such stages. Printed by `serve` after the demo.
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { issueLinkForStage } from '../ratings/links.ts';
import { placeUrl } from '../ratings/places.ts';

export interface DemoLinks {
  ratingPage: string | null;
  poster: string | null;
}

export async function demoLinks(db: Kysely<DB>, config: Config, now: Date): Promise<DemoLinks> {
  const since = new Date(now.getTime() - (config.rules.ratingWindowDays - 2) * 86_400_000);
  const stage = await db
    .selectFrom('case_stage as s')
    .select(['s.id', 's.window_id'])
    .where('s.status', '=', 3)
    .where('s.completed_at', '>=', since)
    .where('s.completed_at', '<=', now)
    .where('s.window_id', 'is not', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('evaluation_slot as slot').select('slot.case_stage_id').whereRef('slot.case_stage_id', '=', 's.id'))))
    .orderBy('s.completed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!stage) return { ratingPage: null, poster: null };
  const link = await issueLinkForStage({ db, config, clock: () => now }, stage.id, 'mobile', 'hcp-demo');
  return { ratingPage: link.url, poster: stage.window_id ? placeUrl(config, 'window', stage.window_id) : null };
}
