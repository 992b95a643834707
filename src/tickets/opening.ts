// Opening a ticket for every 差评, inside the statement (or transaction) that stores the evaluation:
// the ticket row and its watch job are written by the same SQL, so neither exists without the other.
import { sql, type RawBuilder } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay } from '../clock.ts';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import { BAD_LEVELS } from '../evaluations/rules.ts';
import { openingDeadlines, type TicketSettings } from './rules.ts';


export const TICKET_WATCH = 'ticket.watch';

/** What intake knows of a stored evaluation that a ticket needs. */
export interface RatedEvaluation {
  id: string;
  receipt_no: string;
  received_at: Date;
  level: number;
  channel: string;
  case_stage_id: string | null;
  org_id: string;
  region_code: string;
}

export interface TicketOpenings {
  count: number;
  /** One JSON array parameter: the rows, deadlines computed here on the working-day calendar. */
  json: string;
}

/**
 * Tickets for the bad evaluations among `rated`, assigned by 谁办理、谁负责 to the org that handled
 * the case stage (intake already put that org, else the item's, on the evaluation). The reply
 * deadline runs from when the evaluation reached us.
 */
export function ticketOpenings(rated: readonly RatedEvaluation[], calendar: WorkingDayCalendar, settings: TicketSettings): TicketOpenings {
  const rows = rated
    .filter((e) => BAD_LEVELS.has(e.level))
    .map((e) => {
      const deadlines = openingDeadlines(e.received_at, calendar, settings);
      return {
        id: uuidv7(),
        job_id: uuidv7(),
        evaluation_id: e.id,
        receipt_no: e.receipt_no,
        case_stage_id: e.case_stage_id,
        org_id: e.org_id,
        evaluation_region_code: e.region_code,
        level: e.level,
        channel: e.channel,
        evaluated_at: e.received_at.toISOString(),
        opened_day: beijingDay(e.received_at),
        verify_due_at: deadlines.verifyDueAt.toISOString(),
        reply_due_at: deadlines.replyDueAt.toISOString(),
      };
    });
  return { count: rows.length, json: JSON.stringify(rows) };
}

/**
 * CTEs (to follow other CTEs of an intake statement, comma included) inserting the tickets and
 * their watch jobs, due at once so that the handlers hear of the ticket promptly. `gate` is an
 * extra FROM item and condition (the fast path's verdict), or null.
 */
export function openTicketsCtes(openings: TicketOpenings, gate: { from: RawBuilder<unknown>; where: RawBuilder<unknown> } | null): RawBuilder<unknown> {
  if (openings.count === 0) return sql``;
  const from = gate ? sql`, ${gate.from} WHERE ${gate.where}` : sql``;
  return sql`,
    ticket_input AS (
      SELECT * FROM jsonb_to_recordset(${openings.json}::jsonb) AS t(id uuid, job_id uuid, evaluation_id uuid, receipt_no text, case_stage_id uuid,
        org_id uuid, evaluation_region_code text, level smallint, channel text, evaluated_at timestamptz, opened_day date, verify_due_at timestamptz, reply_due_at timestamptz)
    ),
    opened_tickets AS (
      INSERT INTO ticket (id, evaluation_id, receipt_no, case_stage_id, org_id, region_code, region_path, evaluation_region_code, level, channel, evaluated_at, opened_day,
        opened_verify_due_at, opened_reply_due_at, state, version, verify_due_at, reply_due_at, escalated, reopen_count, updated_at, watch_done)
      SELECT t.id, t.evaluation_id, t.receipt_no, t.case_stage_id, t.org_id, o.region_code, r.path, t.evaluation_region_code, t.level, t.channel, t.evaluated_at, t.opened_day,
        t.verify_due_at, t.reply_due_at, 'open', 0, t.verify_due_at, t.reply_due_at, '{}', 0, t.evaluated_at, '{}'
      FROM ticket_input t JOIN org o ON o.id = t.org_id JOIN region r ON r.code = o.region_code${from}
    ),
    ticket_watches AS (
      INSERT INTO scheduled_job (id, kind, subject_id, due_at, payload, created_at)
      SELECT t.job_id, ${TICKET_WATCH}, t.id, t.evaluated_at, '{}'::jsonb, t.evaluated_at FROM ticket_input t${from}
    )`;
}
