// From per-unit counts to a period's figures and rankings (pure). Regions are counted at their own
// code; here each region's counts are added up its ancestors, so a prefecture holds its counties.
import type { PeriodFigures, ClassRanking, FiguredUnit, UnitClass } from './document.ts';
import { UNIT_CLASSES } from './document.ts';
import { unitFigures, type Rounding } from './figures.ts';
import type { Period } from './periods.ts';
import { rankUnits } from './ranking.ts';
import type { Scheme } from './scheme.ts';
import { addCounts, emptyTally, type TallyCounts } from './tally.ts';

export interface CatalogRegion {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
}

export interface CatalogOrg {
  id: string;
  name: string;
  kind: string;
  region_code: string;
}

export interface UnitCounts {
  /** By exact region code. */
  regions: Map<string, TallyCounts>;
  orgs: Map<string, TallyCounts>;
  /** Unanswered tickets past their deadline, by exact region code and by org. */
  openOverdueByRegion: Map<string, number>;
  openOverdueByOrg: Map<string, number>;
}

export interface Catalog {
  /** Regions down to county level. */
  regions: readonly CatalogRegion[];
  /** Orgs with counts, and every provincial department. */
  orgs: readonly CatalogOrg[];
}

export function classOf(unit: FiguredUnit, provinceCodes: ReadonlySet<string>, orgKinds: ReadonlyMap<string, string>): UnitClass | null {
  if (unit.unitKind === 'region') return unit.regionLevel === 2 ? 'prefecture' : unit.regionLevel === 3 ? 'county' : null;
  return provinceCodes.has(unit.regionCode) && orgKinds.get(unit.unitId) === 'department' ? 'provincial_department' : null;
}

export function assembleFigures(period: Period, scheme: Scheme, catalog: Catalog, counts: UnitCounts, rounding: Rounding = 'once'): PeriodFigures {
  const byCode = new Map(catalog.regions.map((r) => [r.code, r]));
  const regionTotals = new Map<string, TallyCounts>();
  const regionOverdue = new Map<string, number>();
  const climb = (code: string, visit: (code: string) => void) => {
    for (let at: CatalogRegion | undefined = byCode.get(code); at; at = at.parent_code ? byCode.get(at.parent_code) : undefined) visit(at.code);
  };
  for (const [code, c] of counts.regions) climb(code, (up) => regionTotals.set(up, addCounts(regionTotals.get(up) ?? emptyTally(), c)));
  for (const [code, n] of counts.openOverdueByRegion) climb(code, (up) => regionOverdue.set(up, (regionOverdue.get(up) ?? 0) + n));

  const units: FiguredUnit[] = [];
  for (const r of [...catalog.regions].sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const c = regionTotals.get(r.code) ?? emptyTally();
    units.push({ unitKind: 'region', unitId: r.code, name: r.name, regionCode: r.code, regionLevel: r.level, figures: unitFigures(c, regionOverdue.get(r.code) ?? 0, scheme.definition, rounding) });
  }
  for (const o of [...catalog.orgs].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const c = counts.orgs.get(o.id) ?? emptyTally();
    units.push({ unitKind: 'org', unitId: o.id, name: o.name, regionCode: o.region_code, regionLevel: null, figures: unitFigures(c, counts.openOverdueByOrg.get(o.id) ?? 0, scheme.definition, rounding) });
  }

  const provinceCodes = new Set(catalog.regions.filter((r) => r.level === 1).map((r) => r.code));
  const orgKinds = new Map(catalog.orgs.map((o) => [o.id, o.kind]));
  const rankings: ClassRanking[] = UNIT_CLASSES.map((unitClass) => {
    const members = units.filter((u) => classOf(u, provinceCodes, orgKinds) === unitClass);
    const ranking = rankUnits(members.map((u) => ({ unitId: u.unitId, name: u.name, figures: u.figures })), scheme.definition.minimumVolume);
    return {
      unitClass,
      ranked: ranking.ranked.map((r) => ({ unitId: r.unitId, name: r.name, rank: r.rank, tied: r.tied, compositeScore: r.figures.compositeScore as number })),
      belowMinimum: ranking.belowMinimum.map((r) => ({ unitId: r.unitId, name: r.name, activeEvaluations: r.figures.activeEvaluations })),
    };
  });
  return {
    period: { kind: period.kind, key: period.key, fromDay: period.fromDay, toDay: period.toDay },
    scheme: { version: scheme.version, definition: scheme.definition },
    units,
    rankings,
  };
}
