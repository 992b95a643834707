// A unit's dashboard as the period stands: a closed period reads the unit's figures from its signed
// snapshot (source 'snapshot'), with the corrections attached since that touch the unit; an open one
// from the live tallies (source 'live'). Units a snapshot does not hold (items, windows, staff,
// regions below county level) and the breakdowns by channel and day are always live, and say so.
import type { Kysely } from 'kysely';
import type { DB, ScoreUnitKind } from '../db/schema.ts';
import { correctionsOf, correctionsTouching, type Correction } from './corrections.ts';
import { roundingOf } from './document.ts';
import { unitFigures } from './figures.ts';
import { unitDashboard, unitTallyIds, type UnitDashboard } from './live.ts';
import type { Period } from './periods.ts';
import { readSnapshot } from './snapshots.ts';
import { emptyTally } from './tally.ts';

export interface SnapshotRef {
  id: string;
  closedAt: Date;
  /** SM3 of the signed document, hex. */
  digest: string;
}

export interface UnitView extends UnitDashboard {
  /** Where `figures` come from. */
  source: 'snapshot' | 'live';
  /** The period's snapshot once it is closed (also when this unit's figures are live). */
  snapshot: SnapshotRef | null;
  /** Corrections attached to the snapshot since it was closed that touch this unit. */
  corrections: Correction[];
}

export async function unitView(db: Kysely<DB>, kind: ScoreUnitKind, id: string, period: Period, now: Date): Promise<UnitView> {
  const live = await unitDashboard(db, kind, id, period, now);
  const snapshot = period.kind === 'range' ? undefined : await readSnapshot(db, period.kind, period.key);
  if (!snapshot) return { ...live, source: 'live', snapshot: null, corrections: [] };
  const ref = { id: snapshot.id, closedAt: snapshot.closedAt, digest: snapshot.digest };
  if (kind !== 'region' && kind !== 'org') return { ...live, source: 'live', snapshot: ref, corrections: [] };
  const document = snapshot.document;
  const unit = document.units.find((u) => u.unitKind === kind && u.unitId === id);
  // Every region to county level is in a snapshot; below that, the live figures are all there is.
  if (!unit && kind === 'region') return { ...live, source: 'live', snapshot: ref, corrections: [] };
  // An org is in the snapshot when it had any figure in the period: absent, it had none.
  const figures = unit?.figures ?? unitFigures(emptyTally(), 0, document.scheme.definition, roundingOf(document.format));
  const ids = new Set(await unitTallyIds(db, kind, id));
  return {
    ...live,
    schemeVersion: document.scheme.version,
    figures,
    source: 'snapshot',
    snapshot: ref,
    corrections: correctionsTouching(await correctionsOf(db, snapshot.id), kind, ids),
  };
}
