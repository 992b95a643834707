// The figures' raw material: counts per unit and Beijing day, as pure functions of the facts behind
// them. The live tallies add these contributions as facts arrive; the rebuild from the ledger and
// the snapshots compute the same sums in SQL, and tests hold the two to each other.
import { beijingDay } from '../clock.ts';
import type { ScoreTallyColumns, ScoreUnitKind } from '../db/schema.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import type { Ticket } from '../tickets/state-machine.ts';

export type TallyCounts = ScoreTallyColumns;
export type TallyColumn = keyof TallyCounts;

export const TALLY_COLUMNS: readonly TallyColumn[] = [
  'active_1', 'active_2', 'active_3', 'active_4', 'active_5',
  'default_1', 'default_2', 'default_3', 'default_4', 'default_5',
  'stages_completed', 'stages_rated',
  'tickets', 'replied', 'replied_on_time', 'replied_late', 'called_back', 'callback_satisfied',
  'inspections', 'inspection_points',
];

export const UNIT_KINDS: readonly ScoreUnitKind[] = ['region', 'org', 'item', 'window', 'staff'];

export interface UnitRef {
  kind: ScoreUnitKind;
  id: string;
}

export interface TallyDelta {
  unit: UnitRef;
  day: string;
  counts: Partial<TallyCounts>;
}

export interface ChannelCounts {
  evaluations: number;
  good: number;
  active: number;
  active_good: number;
}

export interface ChannelDelta {
  unit: UnitRef;
  day: string;
  channel: string;
  counts: ChannelCounts;
}

export interface Contribution {
  tallies: TallyDelta[];
  channels: ChannelDelta[];
}

export function emptyTally(): TallyCounts {
  return Object.fromEntries(TALLY_COLUMNS.map((c) => [c, 0])) as unknown as TallyCounts;
}

/** Adds the columns b has into `into`, in place: for accumulators the caller owns (hot in the score feed). */
export function addInto(into: TallyCounts, b: Partial<TallyCounts>): void {
  for (const c in b) into[c as TallyColumn] += b[c as TallyColumn] ?? 0;
}

/** a + sign × b, column by column. */
export function addCounts(a: TallyCounts, b: Partial<TallyCounts>, sign = 1): TallyCounts {
  const out = { ...a };
  for (const c of TALLY_COLUMNS) out[c] += sign * (b[c] ?? 0);
  return out;
}

/** Where a fact lands: the units it belongs to (ids may be absent). */
export interface Placement {
  region_code: string;
  org_id: string;
  item_id: string | null;
  window_id: string | null;
  staff_id: string | null;
}

export function unitsOf(p: Placement): UnitRef[] {
  const units: UnitRef[] = [
    { kind: 'region', id: p.region_code },
    { kind: 'org', id: p.org_id },
  ];
  if (p.item_id) units.push({ kind: 'item', id: p.item_id });
  if (p.window_id) units.push({ kind: 'window', id: p.window_id });
  if (p.staff_id) units.push({ kind: 'staff', id: p.staff_id });
  return units;
}

/** What scoring reads of an evaluation. */
export interface ScoredEvaluation extends Placement {
  id: string;
  level: number;
  is_default: boolean;
  assess_number: number;
  channel: string;
  assessed_day: string;
  received_at: Date;
  case_stage_id: string | null;
}

export type StageCompletion = Placement & { case_stage_id: string; completed_day: string };

const levelColumn = (e: ScoredEvaluation): TallyColumn => `${e.is_default ? 'default' : 'active'}_${e.level}` as TallyColumn;

/**
 * An evaluation's own contribution: its level on the day it was given; a ticket on the Beijing day
 * it reached us (every 差评 opens one); and, for a first active rating, its stage counts as rated on
 * the day the stage was completed.
 */
export function evaluationContribution(e: ScoredEvaluation, stage: StageCompletion | null): Contribution {
  const units = unitsOf(e);
  const tallies: TallyDelta[] = units.map((unit) => ({ unit, day: e.assessed_day, counts: { [levelColumn(e)]: 1 } }));
  if (BAD_LEVELS.has(e.level)) {
    const day = beijingDay(e.received_at);
    for (const unit of units) tallies.push({ unit, day, counts: { tickets: 1 } });
  }
  if (stage && e.assess_number === 1 && !e.is_default) {
    for (const unit of unitsOf(stage)) tallies.push({ unit, day: stage.completed_day, counts: { stages_rated: 1 } });
  }
  const good = BAD_LEVELS.has(e.level) ? 0 : 1;
  const active = e.is_default ? 0 : 1;
  const channels = units.map((unit) => ({ unit, day: e.assessed_day, channel: e.channel, counts: { evaluations: 1, good, active, active_good: good * active } }));
  return { tallies, channels };
}

/** A ticket's figures in its present state (nothing once its appeal is upheld). */
export function ticketCounts(ticket: Ticket): Partial<TallyCounts> {
  if (ticket.appeal?.upheld === true) return {};
  const doneAt = ticket.reply.doneAt;
  const onTime = doneAt !== null && doneAt.getTime() <= ticket.reply.dueAt.getTime();
  return {
    replied: doneAt === null ? 0 : 1,
    replied_on_time: onTime ? 1 : 0,
    replied_late: doneAt !== null && !onTime ? 1 : 0,
    called_back: ticket.callbackAt === null ? 0 : 1,
    callback_satisfied: ticket.lastCallback === 'satisfied' || ticket.lastCallback === 'basically_satisfied' ? 1 : 0,
  };
}

/** The change a ticket step makes, on the ticket's opening day, to the units of its evaluation. */
export function ticketStepContribution(placement: Placement, openedDay: string, before: Ticket, after: Ticket): Contribution {
  const delta = addCounts(addCounts(emptyTally(), ticketCounts(after)), ticketCounts(before), -1);
  const changed = Object.fromEntries(Object.entries(delta).filter(([, v]) => v !== 0)) as Partial<TallyCounts>;
  if (Object.keys(changed).length === 0) return { tallies: [], channels: [] };
  return { tallies: unitsOf(placement).map((unit) => ({ unit, day: openedDay, counts: changed })), channels: [] };
}

/** A ticket's whole contribution (to add or take away when its evaluation leaves or rejoins the figures). */
export function ticketContribution(placement: Placement, openedDay: string, ticket: Ticket): Contribution {
  return { tallies: unitsOf(placement).map((unit) => ({ unit, day: openedDay, counts: ticketCounts(ticket) })), channels: [] };
}

export function stageCompletionContribution(stage: StageCompletion): Contribution {
  return { tallies: unitsOf(stage).map((unit) => ({ unit, day: stage.completed_day, counts: { stages_completed: 1 } })), channels: [] };
}

export interface ScoredInspection {
  region_code: string;
  org_id: string;
  window_id: string | null;
  inspected_day: string;
  score_points: number;
}

export function inspectionContribution(i: ScoredInspection): Contribution {
  const units = unitsOf({ region_code: i.region_code, org_id: i.org_id, item_id: null, window_id: i.window_id, staff_id: null });
  return { tallies: units.map((unit) => ({ unit, day: i.inspected_day, counts: { inspections: 1, inspection_points: i.score_points } })), channels: [] };
}

/** Contributions added together, or one taken away (sign -1). */
export function combine(parts: readonly Contribution[], sign = 1): Contribution {
  const tallies: TallyDelta[] = [];
  const channels: ChannelDelta[] = [];
  for (const part of parts) {
    for (const t of part.tallies) tallies.push(sign === 1 ? t : { ...t, counts: addCounts(emptyTally(), t.counts, -1) });
    for (const c of part.channels) {
      channels.push(sign === 1 ? c : { ...c, counts: { evaluations: -c.counts.evaluations, good: -c.counts.good, active: -c.counts.active, active_good: -c.counts.active_good } });
    }
  }
  return { tallies, channels };
}
