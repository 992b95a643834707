// The reference look-ups commands make: a region's path, an org by deptCode. An import makes the
// same ones for thousands of rows, so it passes a memo that lives as long as its transaction.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { regionPath } from './regions.ts';

/** An org as other catalog commands need it: its id and where it sits. */
export interface OrgPlace {
  id: string;
  dept_code: string;
  region_code: string;
  region_path: string;
}

export async function findOrgPlace(db: Kysely<DB>, deptCode: string): Promise<OrgPlace | null> {
  const found = await db
    .selectFrom('org')
    .innerJoin('region', 'region.code', 'org.region_code')
    .select(['org.id', 'org.dept_code', 'org.region_code', 'region.path as region_path'])
    .where('org.dept_code', '=', deptCode)
    .executeTakeFirst();
  return found ?? null;
}

export interface Lookups {
  regionPath(db: Kysely<DB>, code: string): Promise<string | null>;
  orgPlace(db: Kysely<DB>, deptCode: string): Promise<OrgPlace | null>;
  /** An org was just written: later look-ups must see it as it now is. */
  orgWritten(place: OrgPlace): void;
}

export const directLookups: Lookups = { regionPath, orgPlace: findOrgPlace, orgWritten: () => undefined };

/** Remembers answers, including "not found", until an org write replaces them. */
export function memoLookups(): Lookups {
  const regions = new Map<string, string | null>();
  const orgs = new Map<string, OrgPlace | null>();
  return {
    async regionPath(db, code) {
      if (!regions.has(code)) regions.set(code, await regionPath(db, code));
      return regions.get(code) ?? null;
    },
    async orgPlace(db, deptCode) {
      if (!orgs.has(deptCode)) orgs.set(deptCode, await findOrgPlace(db, deptCode));
      return orgs.get(deptCode) ?? null;
    },
    orgWritten(place) {
      orgs.set(place.dept_code, place);
    },
  };
}

/** The org a command refers to; an unknown one is refused as ORG_UNKNOWN on that field. */
export async function requireOrgPlace(lookups: Lookups, db: Kysely<DB>, deptCode: string, field: string): Promise<OrgPlace> {
  const place = await lookups.orgPlace(db, deptCode);
  if (place === null) throw new AppError('ORG_UNKNOWN', { field, deptCode });
  return place;
}
