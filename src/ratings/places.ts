// Places rated from a poster's QR code: a service window or a staff member. The poster's link is a
// signed token naming the window or staff row (no expiry worth speaking of: posters hang for
// years). Scanning it offers the case stages just completed there, each rated through its own
// link, or a rating of the place itself, which is stored as such and counted apart.
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { checkLink, signLink } from '../links/signed-link.ts';
import { maskName } from '../pii/person.ts';

export type PlaceKind = 'window' | 'staff';
const POSTER_EXPIRY = new Date('2099-12-31T00:00:00Z');
/** Stages completed this recently at a place are offered for rating when its poster is scanned. */
export const RECENT_HOURS = 4;

const purposeOf = (kind: PlaceKind) => `place-${kind}`;

export function placeUrl(config: Config, kind: PlaceKind, id: string): string {
  const token = signLink(config.links.key, { purpose: purposeOf(kind), subjectId: id, version: 0, expiresAt: POSTER_EXPIRY });
  return `${config.http.publicBaseUrl}/p/${kind}/${token}`;
}

export function placeIdOf(config: Config, kind: PlaceKind, token: string, now: Date): string {
  const check = checkLink(config.links.key, purposeOf(kind), token, now);
  if (!check.ok) throw new AppError(check.code);
  return check.claims.subjectId;
}

export async function placeFacts(db: Kysely<DB>, kind: PlaceKind, id: string) {
  const query =
    kind === 'window'
      ? db
          .selectFrom('service_window as w')
          .innerJoin('org as o', 'o.id', 'w.org_id')
          .innerJoin('region as r', 'r.code', 'o.region_code')
          .select(['w.id', 'w.name as window_name', sql<string | null>`null`.as('staff_name'), 'o.name as org_name', 'r.name as region_name'])
          .where('w.id', '=', id)
      : db
          .selectFrom('staff as st')
          .innerJoin('org as o', 'o.id', 'st.org_id')
          .innerJoin('region as r', 'r.code', 'o.region_code')
          .leftJoin('service_window as w', 'w.id', 'st.window_id')
          .select(['st.id', 'w.name as window_name', 'st.name as staff_name', 'o.name as org_name', 'r.name as region_name'])
          .where('st.id', '=', id);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return { orgName: row.org_name, regionName: row.region_name, windowName: row.window_name, staffName: row.staff_name === null ? null : maskName(row.staff_name) };
}

/** Stages completed at the place in the last hours and not rated yet, newest first. */
export async function recentStages(db: Kysely<DB>, kind: PlaceKind, id: string, now: Date) {
  const since = new Date(now.getTime() - RECENT_HOURS * 3600_000);
  return db
    .selectFrom('case_stage as s')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .innerJoin('service_item as i', 'i.id', 'c.item_id')
    .select(['s.id', 'i.name as item_name', 's.completed_at'])
    .where(kind === 'window' ? 's.window_id' : 's.staff_id', '=', id)
    .where('s.status', '=', 3)
    .where('s.completed_at', '>=', since)
    .where('s.completed_at', '<=', now)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('evaluation_slot as slot').select('slot.case_stage_id').whereRef('slot.case_stage_id', '=', 's.id'))))
    .orderBy('s.completed_at', 'desc')
    .limit(20)
    .execute();
}
