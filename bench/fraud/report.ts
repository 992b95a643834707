// The fraud benchmark's measurements (pure): per scenario recall, per path false positives.
import type { Outcome } from './replay.ts';
import { SCENARIOS, type Scenario } from './traffic.ts';
import type { RatingPath } from '../../src/risk/engine.ts';
import { RATING_PATHS } from '../../src/risk/engine.ts';

export interface Row {
  name: string;
  attempted: number;
  refused: number;
  accepted: number;
  held: number;
  /** Assessed with reasons but below the line: shown to reviewers, still counted. */
  flagged: number;
  /** Attacks: share refused or held. Honest: share held (false positives). */
  rate: number;
}

function row(name: string, outcomes: readonly Outcome[], flaggedIds: ReadonlySet<string>, honest: boolean): Row {
  const attempted = outcomes.length;
  const accepted = outcomes.filter((o) => o.status === 201).length;
  const refused = attempted - accepted;
  const held = outcomes.filter((o) => o.held).length;
  const flagged = outcomes.filter((o) => !o.held && o.evaluationId !== null && flaggedIds.has(o.evaluationId)).length;
  const rate = honest ? (accepted === 0 ? 0 : held / accepted) : attempted === 0 ? 1 : (refused + held) / attempted;
  return { name, attempted, refused, accepted, held, flagged, rate };
}

export function scenarioRows(outcomes: readonly Outcome[], flaggedIds: ReadonlySet<string>): Row[] {
  return SCENARIOS.map((s: Scenario) => row(s, outcomes.filter((o) => o.planned.label === s), flaggedIds, false));
}

export function honestRows(outcomes: readonly Outcome[], flaggedIds: ReadonlySet<string>): Row[] {
  const honest = outcomes.filter((o) => o.planned.label === 'honest');
  return [...RATING_PATHS.map((p: RatingPath) => row(p, honest.filter((o) => o.planned.path === p), flaggedIds, true)), row('all', honest, flaggedIds, true)];
}

export const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function table(title: string, rateName: string, rows: readonly Row[], extra?: (r: Row) => string, extraName = ''): string {
  const head = ['', 'attempted', 'refused', 'accepted', 'held', 'flagged', rateName, ...(extra ? [extraName] : [])];
  const lines = rows.map((r) => [r.name, String(r.attempted), String(r.refused), String(r.accepted), String(r.held), String(r.flagged), pct(r.rate), ...(extra ? [extra(r)] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  return [`${title}`, fmt(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
