// The published form of a period's figures: what a snapshot signs, and what live rankings return
// in the same shape (without checkpoint and signature).
import type { PeriodKind } from '../db/schema.ts';
import type { Rounding, UnitFigures } from './figures.ts';
import type { SchemeDefinition } from './scheme.ts';

/** The classes of units ranked separately. */
export type UnitClass = 'prefecture' | 'county' | 'provincial_department';
export const UNIT_CLASSES: readonly UnitClass[] = ['prefecture', 'county', 'provincial_department'];

export const UNIT_CLASS_NAMES: Record<UnitClass, { zh: string; en: string }> = {
  prefecture: { zh: '市（州）', en: 'Prefecture-level regions' },
  county: { zh: '县（市、区）', en: 'County-level regions' },
  provincial_department: { zh: '省直部门', en: 'Provincial departments' },
};

export interface FiguredUnit {
  unitKind: 'region' | 'org';
  unitId: string;
  name: string;
  /** The unit's region (for an org, the region it sits in). */
  regionCode: string;
  /** For a region, its level (1 province, 2 prefecture, 3 county); for an org, null. */
  regionLevel: number | null;
  figures: UnitFigures;
}

export interface RankedEntry {
  unitId: string;
  name: string;
  rank: number;
  tied: boolean;
  compositeScore: number;
}

export interface ClassRanking {
  unitClass: UnitClass;
  ranked: RankedEntry[];
  belowMinimum: Array<{ unitId: string; name: string; activeEvaluations: number }>;
}

export interface PeriodFigures {
  period: { kind: PeriodKind | 'range'; key: string; fromDay: string; toDay: string };
  scheme: { version: string; definition: SchemeDefinition };
  /** Every region and org with any figure in the period. */
  units: FiguredUnit[];
  rankings: ClassRanking[];
}

export interface Checkpoint {
  /** Facts recorded after this instant are not in the snapshot. */
  cutAt: string;
  /** The evaluation ledger's chain heads: rows up to these are in, later ones are not. */
  chains: Array<{ chainId: number; seq: number; hash: string }>;
  /** Count and SM3 digest (hex) of the other facts that went in (stage completions: count only). */
  facts: Record<'evaluationEvents' | 'ticketEvents' | 'inspections' | 'stageCompletions', { count: number; digest?: string }>;
}

/**
 * The format of the signed document. 2: composites built from the exact figures and rounded once.
 * 1 (snapshots closed before): composites built from already-rounded figures; still verified so.
 */
export const SNAPSHOT_FORMAT = 'hcp-score-snapshot/2';
export const SNAPSHOT_FORMATS = ['hcp-score-snapshot/1', SNAPSHOT_FORMAT] as const;
export type SnapshotFormat = (typeof SNAPSHOT_FORMATS)[number];

/** How the figures of a document of this format were rounded. */
export const roundingOf = (format: SnapshotFormat): Rounding => (format === 'hcp-score-snapshot/1' ? 'legacy' : 'once');

export interface SnapshotDocument extends PeriodFigures {
  format: SnapshotFormat;
  checkpoint: Checkpoint;
  /**
   * Receipt numbers of the period's ratings held for fraud review at the cut (待核查): listed, not
   * counted. A later decision reaches the period as a correction. Absent in snapshots closed before.
   */
  heldForReview?: string[];
  closedAt: string;
  closedBy: string;
}

export interface StoredSnapshot {
  id: string;
  periodKind: PeriodKind;
  periodKey: string;
  document: SnapshotDocument;
  /** SM3 of the document's exact text, hex. */
  digest: string;
  /** SM2 signature (DER), base64. */
  signature: string;
  keyId: string;
  closedAt: Date;
}
