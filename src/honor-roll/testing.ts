// Test support for src/honor-roll: a unit rated through the real intake (real orgs, items and
// completed cases from test/factories.ts), so that the ledger, the tallies and a closed snapshot
// hold genuine figures.
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import type { IntakeWriter } from '../evaluations/intake-writer.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';

export interface RatedUnit {
  regionCode: string;
  orgName: string;
  /** One completed case per entry, rated once at that level. */
  levels: number[];
}

/** `n` ratings of `level`. */
export const times = (n: number, level: number): number[] => Array.from({ length: n }, () => level);

/**
 * An org in a region, with one case completed on `completedAt` (Beijing time) per level, each rated
 * once a day later. The intake's clock must lie within the rating window.
 */
export async function rateUnit(db: Kysely<DB>, config: Config, intake: IntakeWriter, unit: RatedUnit, completedAt = '2026-10-15 10:00:00') {
  const org = await makeOrg(db, { regionCode: unit.regionCode, name: unit.orgName });
  const item = await makeItem(db, org);
  const assessedAt = new Date(new Date(`${completedAt.replace(' ', 'T')}+08:00`).getTime() + 86_400_000);
  const drafts = [];
  for (const level of unit.levels) {
    const projectNo = await makeCompletedCase(db, config, item, completedAt);
    drafts.push(draft(projectNo, { level, assessedAt }));
  }
  const outcomes = await submitDrafts(intake, drafts);
  const refused = outcomes.filter((o) => o.status !== 'stored');
  if (refused.length > 0) throw new Error(`${refused.length} ratings of ${unit.orgName} were not stored: ${JSON.stringify(refused[0])}`);
  return org;
}
