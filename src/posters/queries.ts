// What the QR routes read: a rating link with the place of its case stage (for the caller's
// scope), and an org with its windows and staff (for posters).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** A rating link, and where its case stage sits in the region tree. */
export function ratingLinkPlacement(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('rating_link as l')
    .innerJoin('case_stage as s', 's.id', 'l.case_stage_id')
    .innerJoin('service_case as c', 'c.id', 's.case_id')
    .innerJoin('region as r', 'r.code', 'c.region_code')
    .select(['l.id', 'l.expires_at', 's.org_id', 'r.path'])
    .where('l.id', '=', id)
    .executeTakeFirst();
}

/** An org with its region's full name ('四川省成都市武侯区'), from the province down. */
export async function orgForPosters(db: Kysely<DB>, orgId: string) {
  const org = await db
    .selectFrom('org as o')
    .innerJoin('region as r', 'r.code', 'o.region_code')
    .select(['o.id', 'o.name', 'r.path'])
    .where('o.id', '=', orgId)
    .executeTakeFirst();
  if (!org) return undefined;
  const codes = org.path.split('/').filter((code) => code !== '');
  const regions = await db.selectFrom('region').select(['name', 'level']).where('code', 'in', codes).orderBy('level').execute();
  return { ...org, regionName: regions.map((r) => r.name).join('') };
}

/** The org's windows by code, and its staff by staff number, with the window each sits at. */
export async function placesOfOrg(db: Kysely<DB>, orgId: string) {
  const windows = await db.selectFrom('service_window').select(['id', 'name']).where('org_id', '=', orgId).orderBy('code').execute();
  const staff = await db
    .selectFrom('staff as st')
    .leftJoin('service_window as w', 'w.id', 'st.window_id')
    .select(['st.id', 'st.name', 'w.name as window_name'])
    .where('st.org_id', '=', orgId)
    .orderBy('st.staff_no')
    .execute();
  return { windows, staff };
}
