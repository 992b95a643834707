// Opening a ticket for every 差评, inside the statement (or transaction) that stores the evaluation:
// the ticket row, the notice to the org's handlers and the watch job are written by the same SQL,
// so none exists without the others.
import { sql, type RawBuilder } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { beijingDay } from '../clock.ts';
import type { WorkingDayCalendar } from '../calendar/working-days.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { notifyOrgHandlersSql } from '../notifications/notifications.ts';
import { openingDeadlines, planWatch, type TicketSettings } from './rules.ts';
import { openTicket } from './state-machine.ts';

export const TICKET_WATCH = 'ticket.watch';
/** The notice to an org's handlers that a ticket of theirs is open (src/notifications/render.ts). */
export const TICKET_OPENED = 'ticket_opened';

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
  // The evaluations of one submission arrive at one instant: their deadlines and plans are the same.
  const opening = new Map<number, ReturnType<typeof openingAt>>();
  const rows = rated
    .filter((e) => BAD_LEVELS.has(e.level))
    .map((e) => {
      let known = opening.get(e.received_at.getTime());
      if (!known) {
        known = openingAt(e.received_at, calendar, settings);
        opening.set(e.received_at.getTime(), known);
      }
      const { deadlines, plan } = known;
      const noticeOnly = plan.actions.every((a) => a.kind === 'opened');
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
        // Counted beyond the known calendar: kept on the ticket until the year's notice recomputes it.
        provisional_deadlines: deadlines.provisional ? ['verify'] : [],
        // Anything else due at once (no settings make it so today) is left to the watch, at once.
        watch_done: noticeOnly ? plan.done : [],
        watch_at: noticeOnly ? (plan.nextAt?.toISOString() ?? null) : e.received_at.toISOString(),
        notice: noticeOnly,
      };
    });
  return { count: rows.length, json: JSON.stringify(rows) };
}

/**
 * The deadlines of a ticket opened at `at`, and what its watch would do at once: tell the
 * handlers. That is done in the intake statement, so that no job has to run for it; the watch job
 * then waits for the first warning.
 */
function openingAt(at: Date, calendar: WorkingDayCalendar, settings: TicketSettings) {
  const deadlines = openingDeadlines(at, calendar, settings);
  return { deadlines, plan: planWatch(openTicket(deadlines), at, [], at, settings) };
}

/**
 * CTEs (to follow other CTEs of an intake statement, comma included) inserting the tickets, the
 * ticket_opened notices to the handlers and the watch jobs. `gate` is an extra FROM item and
 * condition (the fast path's verdict), or null.
 */
export function openTicketsCtes(openings: TicketOpenings, gate: { from: RawBuilder<unknown>; where: RawBuilder<unknown> } | null): RawBuilder<unknown> {
  if (openings.count === 0) return sql``;
  const from = gate ? sql`, ${gate.from}` : sql``;
  const passed = gate ? gate.where : sql`true`;
  return sql`,
    ticket_input AS (
      SELECT * FROM jsonb_to_recordset(${openings.json}::jsonb) AS t(id uuid, job_id uuid, evaluation_id uuid, receipt_no text, case_stage_id uuid,
        org_id uuid, evaluation_region_code text, level smallint, channel text, evaluated_at timestamptz, opened_day date, verify_due_at timestamptz, reply_due_at timestamptz,
        provisional_deadlines text[], watch_done text[], watch_at timestamptz, notice boolean)
    ),
    opened_tickets AS (
      INSERT INTO ticket (id, evaluation_id, receipt_no, case_stage_id, org_id, region_code, region_path, evaluation_region_code, level, channel, evaluated_at, opened_day,
        opened_verify_due_at, opened_reply_due_at, state, version, verify_due_at, reply_due_at, escalated, reopen_count, updated_at, watch_done, provisional_deadlines)
      SELECT t.id, t.evaluation_id, t.receipt_no, t.case_stage_id, t.org_id, o.region_code, r.path, t.evaluation_region_code, t.level, t.channel, t.evaluated_at, t.opened_day,
        t.verify_due_at, t.reply_due_at, 'open', 0, t.verify_due_at, t.reply_due_at, '{}', 0, t.evaluated_at, t.watch_done, t.provisional_deadlines
      FROM ticket_input t JOIN org o ON o.id = t.org_id JOIN region r ON r.code = o.region_code${from} WHERE ${passed}
    ),
    opened_notices AS (${notifyOrgHandlersSql(
      TICKET_OPENED,
      sql`SELECT t.id AS ticket_id, t.org_id, jsonb_build_object('receiptNo', t.receipt_no, 'level', t.level) AS params, t.evaluated_at AS at
        FROM ticket_input t${from} WHERE t.notice AND ${passed}`,
    )}),
    ticket_watches AS (
      INSERT INTO scheduled_job (id, kind, subject_id, due_at, payload, created_at)
      SELECT t.job_id, ${TICKET_WATCH}, t.id, t.watch_at, '{}'::jsonb, t.evaluated_at FROM ticket_input t${from} WHERE t.watch_at IS NOT NULL AND ${passed}
    )`;
}
