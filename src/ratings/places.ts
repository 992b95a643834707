// Places rated from a poster's QR code: a service window or a staff member. The poster's link is a
// signed token naming the window or staff row (no expiry worth speaking of: posters hang for
// years). Scanning it offers the rating of the place itself, which is stored as such and counted
// apart. It never lists or hands out the case stages served there: the poster hangs on the wall
// for anyone, so a case stage is rated there only by someone who proves to be its applicant
// (applicant-proof.ts).
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { checkLink, signLink } from '../links/signed-link.ts';
import { maskName } from '../pii/person.ts';

export type PlaceKind = 'window' | 'staff';
const POSTER_EXPIRY = new Date('2099-12-31T00:00:00Z');
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
