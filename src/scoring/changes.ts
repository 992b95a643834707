// The live score ledger (计分台账) of one region or org: its current-period figures and the latest
// changes, each traced to the fact behind it (an evaluation, a flag on one, a ticket step or an
// inspection), with what it added to the counts and the composite score it left.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordedEventOf } from '../tickets/store.ts';
import { applyEvent, isRefusal, openTicket, type Ticket } from '../tickets/state-machine.ts';
import { unitFigures } from './figures.ts';
import { unitTallyIds } from './live.ts';
import type { Period } from './periods.ts';
import { schemeInForce } from './schemes.ts';
import { sumTallies } from './tally-store.ts';
import { isExcluded, type FlagKind } from './exclusion.ts';
import { addCounts, emptyTally, evaluationContribution, inspectionContribution, ticketStepContribution, type Contribution, type TallyCounts } from './tally.ts';

export interface ScoreChange {
  at: Date;
  source: { kind: 'evaluation' | 'evaluation_flag' | 'ticket_event' | 'inspection'; id: string; receiptNo: string | null; detail: string };
  /** What the change added to this unit's counts (negative: took away). */
  effect: Partial<TallyCounts>;
  /** The unit's composite score after the change (null: nothing to score yet). */
  compositeAfter: number | null;
}

function effectOn(contribution: Contribution, unitKind: 'region' | 'org', ids: ReadonlySet<string>, period: Period): Partial<TallyCounts> {
  let total = emptyTally();
  for (const t of contribution.tallies) {
    if (t.unit.kind === unitKind && ids.has(t.unit.id) && t.day >= period.fromDay && t.day <= period.toDay) total = addCounts(total, t.counts);
  }
  return Object.fromEntries(Object.entries(total).filter(([, v]) => v !== 0));
}

export async function scoreChanges(db: Kysely<DB>, unitKind: 'region' | 'org', unitId: string, period: Period, limit: number): Promise<{ figures: ReturnType<typeof unitFigures>; changes: ScoreChange[] }> {
  const scheme = await schemeInForce(db, period.fromDay);
  const ids = await unitTallyIds(db, unitKind, unitId);
  const idSet = new Set(ids);
  const current = (await sumTallies(db, unitKind, period.fromDay, period.toDay, ids)).reduce<TallyCounts>((acc, t) => addCounts(acc, t.counts), emptyTally());
  const where = unitKind === 'org' ? sql`e.org_id = ${unitId}::uuid` : sql`e.region_code = ANY(${ids}::text[])`;
  const inPeriod = sql`e.assessed_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date`;
  const scored = sql`e.id, e.level, e.is_default, e.assess_number, e.channel, e.assessed_day::text AS assessed_day, e.received_at, e.case_stage_id, e.region_code, e.org_id, e.item_id, e.window_id, e.staff_id, e.receipt_no`;
  type Scored = Parameters<typeof evaluationContribution>[0] & { receipt_no: string };
  const evaluations = await sql<Scored>`SELECT ${scored} FROM evaluation e WHERE ${where} AND ${inPeriod} ORDER BY e.id DESC LIMIT ${limit}`.execute(db);
  const flags = await sql<Scored & { flag_id: string; kind: FlagKind; at: Date }>`
    SELECT ${scored}, x.id AS flag_id, x.kind, x.at FROM evaluation_event x JOIN evaluation e ON e.id = x.evaluation_id
    WHERE ${where} AND ${inPeriod} ORDER BY x.at DESC LIMIT ${limit}`.execute(db);
  const steps = await sql<{ ticket_id: string; seq: number; type: string; at: Date; evaluation_id: string; receipt_no: string; opened_day: string; region_code: string; org_id: string; item_id: string | null; window_id: string | null; staff_id: string | null }>`
    SELECT te.ticket_id, te.seq, te.type, te.at, t.evaluation_id, t.receipt_no, t.opened_day::text AS opened_day, e.region_code, e.org_id, e.item_id, e.window_id, e.staff_id
    FROM ticket_event te JOIN ticket t ON t.id = te.ticket_id JOIN evaluation e ON e.id = t.evaluation_id
    WHERE ${unitKind === 'org' ? sql`t.org_id = ${unitId}::uuid` : where} AND t.opened_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date ORDER BY te.at DESC LIMIT ${limit}`.execute(db);
  const inspections = await sql<{ id: string; region_code: string; org_id: string; window_id: string | null; inspected_day: string; score_points: number; recorded_at: Date }>`
    SELECT i.id, i.region_code, i.org_id, i.window_id, i.inspected_day::text AS inspected_day, i.score_points, i.recorded_at FROM inspection i
    WHERE ${unitKind === 'org' ? sql`i.org_id = ${unitId}::uuid` : sql`i.region_code = ANY(${ids}::text[])`}
      AND i.inspected_day BETWEEN ${period.fromDay}::date AND ${period.toDay}::date ORDER BY i.recorded_at DESC LIMIT ${limit}`.execute(db);

  // Everything the effects need, read at once (never one query per change).
  const stageIds = [...new Set([...evaluations.rows, ...flags.rows].map((e) => e.case_stage_id).filter((id): id is string => id !== null))];
  const stages = new Map((stageIds.length === 0 ? [] : await db.selectFrom('stage_completion').selectAll().where('case_stage_id', 'in', stageIds).execute()).map((s) => [s.case_stage_id, s]));
  const stageOf = (caseStageId: string | null) => (caseStageId === null ? null : (stages.get(caseStageId) ?? null));
  const flaggedIds = [...new Set(flags.rows.map((f) => f.id))];
  const flagsByEvaluation = new Map<string, Array<{ id: string; kind: (typeof flags.rows)[number]['kind']; at: Date }>>();
  for (const x of flaggedIds.length === 0 ? [] : await db.selectFrom('evaluation_event').select(['id', 'kind', 'at', 'evaluation_id']).where('evaluation_id', 'in', flaggedIds).execute()) {
    flagsByEvaluation.set(x.evaluation_id, [...(flagsByEvaluation.get(x.evaluation_id) ?? []), x]);
  }
  const changes: Array<Omit<ScoreChange, 'compositeAfter'>> = [];
  for (const e of evaluations.rows) {
    changes.push({ at: e.received_at, source: { kind: 'evaluation', id: e.id, receiptNo: e.receipt_no, detail: `level ${e.level}${e.is_default ? ' (default)' : ''}` }, effect: effectOn(evaluationContribution(e, stageOf(e.case_stage_id)), unitKind, idSet, period) });
  }
  for (const f of flags.rows) {
    const all = flagsByEvaluation.get(f.id) ?? [];
    const upTo = (inclusive: boolean) => all.filter((x) => x.at < f.at || (x.at.getTime() === f.at.getTime() && (inclusive ? x.id <= f.flag_id : x.id < f.flag_id)));
    const before = isExcluded(upTo(false));
    const after = isExcluded(upTo(true));
    const own = effectOn(evaluationContribution(f, stageOf(f.case_stage_id)), unitKind, idSet, period);
    const sign = before === after ? 0 : after ? -1 : 1;
    const effect = Object.fromEntries(Object.entries(own).map(([k, v]) => [k, v * sign]).filter(([, v]) => v !== 0));
    changes.push({ at: f.at, source: { kind: 'evaluation_flag', id: f.flag_id, receiptNo: f.receipt_no, detail: f.kind }, effect });
  }
  const ticketIds = [...new Set(steps.rows.map((s) => s.ticket_id))];
  const histories = new Map<string, Ticket[]>();
  if (ticketIds.length > 0) {
    const openings = await db.selectFrom('ticket').select(['id', 'opened_verify_due_at', 'opened_reply_due_at']).where('id', 'in', ticketIds).execute();
    const events = await db.selectFrom('ticket_event').selectAll().where('ticket_id', 'in', ticketIds).orderBy('ticket_id').orderBy('seq').execute();
    for (const row of openings) {
      const states = [openTicket({ verifyDueAt: row.opened_verify_due_at, replyDueAt: row.opened_reply_due_at })];
      for (const recorded of events.filter((e) => e.ticket_id === row.id).map(recordedEventOf)) {
        const next = applyEvent(states[states.length - 1] as Ticket, recorded.event, recorded.actor, recorded.at);
        states.push(isRefusal(next) ? (states[states.length - 1] as Ticket) : next);
      }
      histories.set(row.id, states);
    }
  }
  for (const s of steps.rows) {
    const states = histories.get(s.ticket_id) as Ticket[];
    const effect = effectOn(ticketStepContribution(s, s.opened_day, states[s.seq - 1] as Ticket, states[s.seq] as Ticket), unitKind, idSet, period);
    changes.push({ at: s.at, source: { kind: 'ticket_event', id: `${s.ticket_id}#${s.seq}`, receiptNo: s.receipt_no, detail: s.type }, effect });
  }
  for (const i of inspections.rows) {
    changes.push({ at: i.recorded_at, source: { kind: 'inspection', id: i.id, receiptNo: null, detail: `${i.score_points / 100}` }, effect: effectOn(inspectionContribution(i), unitKind, idSet, period) });
  }
  changes.sort((a, b) => b.at.getTime() - a.at.getTime());
  // Walk back from the present counts: each change's "after" is the counts before the newer ones.
  let counts = current;
  const traced: ScoreChange[] = [];
  for (const change of changes.slice(0, limit)) {
    traced.push({ ...change, compositeAfter: unitFigures(counts, 0, scheme.definition).compositeScore });
    counts = addCounts(counts, change.effect, -1);
  }
  return { figures: unitFigures(current, 0, scheme.definition), changes: traced };
}
