// What the holder of a receipt number may see (GET /r/<receiptNo>, GET /api/v1/receipts/<receiptNo>):
// the rating (level, when, the service item, the org, the region with its 市（州）), and for a 差评
// the ticket's progress as the rater should read it: received, being handled (by when an answer
// is due), each answer with its date and the unit that gave it (never a person), each callback,
// and whether the rater may give the callback now. Nothing about the rater is shown; the comment
// is left out too (it may hold what the rater would not want read by whoever sees the number).
import type { Kysely } from 'kysely';
import { regionDisplayName } from '../catalog/regions.ts';
import type { DB } from '../db/schema.ts';
import { AWAITING_CALLBACK, type CallbackOutcome, type TicketState } from './state-machine.ts';
import { ticketEvents, type TicketEventRow, type TicketRow } from './store.ts';

/** How the rater reads the ticket's state. */
export type RaterStatus = 'in_progress' | 'replied' | 'closed' | 'closed_invalid' | 'closed_cannot_fix';

/** One line of the progress the rater sees, oldest first. */
export type ProgressStep =
  | { kind: 'received'; at: Date }
  | { kind: 'verified'; at: Date }
  | { kind: 'reply'; at: Date; text: string; by: string }
  | { kind: 'callback'; at: Date; outcome: CallbackOutcome; byRater: boolean; reopens: boolean }
  | { kind: 'appeal_upheld'; at: Date }
  | { kind: 'cannot_fix'; at: Date; text: string; by: string };

export interface RaterTicket {
  status: RaterStatus;
  replyDueAt: Date;
  /** The unit answering: the org the ticket is assigned to. */
  unitName: string;
  steps: ProgressStep[];
  /** The rater may rate the fix now (the latest answer is not called back yet), at this version. */
  callback: { open: boolean; version: number };
}

export interface ReceiptView {
  receiptNo: string;
  level: number;
  assessedAt: Date;
  assessNumber: number;
  anonymous: boolean;
  channel: string;
  subject: 'case_stage' | 'window' | 'staff';
  itemName: string | null;
  orgName: string;
  regionName: string;
  windowName: string | null;
  completedAt: Date | null;
  ticket: RaterTicket | null;
}

export function raterStatusOf(state: TicketState): RaterStatus {
  if (AWAITING_CALLBACK.has(state)) return 'replied';
  if (state === 'closed' || state === 'closed_invalid' || state === 'closed_cannot_fix') return state;
  // Open, verifying, rectifying, an appeal or a request before a supervisor: the unit is on it.
  return 'in_progress';
}

/** The ticket as its rater reads it (pure): from the row, its events and the unit's name. */
export function raterTicketOf(row: Pick<TicketRow, 'state' | 'version' | 'reply_due_at' | 'evaluated_at'>, events: ReadonlyArray<Pick<TicketEventRow, 'type' | 'payload' | 'actor_role' | 'at'>>, unitName: string): RaterTicket {
  const steps: ProgressStep[] = [{ kind: 'received', at: row.evaluated_at }];
  // The explanation of a 无法整改 request is the unit's answer once a supervisor approves it.
  let cannotFixReason = '';
  let cannotFixAnswered = false;
  for (const event of events) {
    const payload = event.payload;
    switch (event.type) {
      case 'verified':
        steps.push({ kind: 'verified', at: event.at });
        break;
      case 'reply':
        steps.push({ kind: 'reply', at: event.at, text: String(payload.text ?? ''), by: unitName });
        break;
      case 'callback':
        // After an approved 无法整改 the callback closes the matter, whatever the outcome.
        steps.push({ kind: 'callback', at: event.at, outcome: payload.outcome as CallbackOutcome, byRater: event.actor_role === 'rater', reopens: payload.outcome === 'unsatisfied' && !cannotFixAnswered });
        break;
      case 'decide_appeal':
        if (payload.upheld === true) steps.push({ kind: 'appeal_upheld', at: event.at });
        break;
      case 'request_cannot_fix':
        cannotFixReason = String(payload.reason ?? '');
        break;
      case 'decide_cannot_fix':
        // By the legacy rule the approved explanation was the answer; now the 答复 that follows is.
        if (payload.approved === true && payload.replyFollows !== true) steps.push({ kind: 'cannot_fix', at: event.at, text: cannotFixReason, by: unitName });
        if (payload.approved === true && payload.replyFollows === true) cannotFixAnswered = true;
        break;
      default:
        // Internal steps (签收, 申诉, 延期 requests, escalations) are the unit's and the supervisors' business.
        break;
    }
  }
  return {
    status: raterStatusOf(row.state),
    replyDueAt: row.reply_due_at,
    unitName,
    steps,
    callback: { open: AWAITING_CALLBACK.has(row.state), version: row.version },
  };
}

export async function receiptView(db: Kysely<DB>, receiptNo: string): Promise<ReceiptView | undefined> {
  const row = await db
    .selectFrom('evaluation as e')
    .innerJoin('org as o', 'o.id', 'e.org_id')
    .innerJoin('region as r', 'r.code', 'e.region_code')
    .leftJoin('region as rp', 'rp.code', 'r.parent_code')
    .leftJoin('service_item as i', 'i.id', 'e.item_id')
    .leftJoin('service_window as w', 'w.id', 'e.window_id')
    .leftJoin('case_stage as s', 's.id', 'e.case_stage_id')
    .select(['e.id', 'e.receipt_no', 'e.level', 'e.assessed_at', 'e.assess_number', 'e.is_anonymous', 'e.channel', 'e.subject'])
    .select(['i.name as item_name', 'o.name as org_name', 'r.name as region_name', 'r.level as region_level', 'rp.name as parent_name', 'rp.level as parent_level'])
    .select(['w.name as window_name', 's.completed_at'])
    .where('e.receipt_no', '=', receiptNo)
    .executeTakeFirst();
  if (!row) return undefined;
  const parent = row.parent_name !== null && row.parent_level !== null ? { name: row.parent_name, level: row.parent_level } : null;
  const ticketRow = await db
    .selectFrom('ticket as t')
    .innerJoin('org as o', 'o.id', 't.org_id')
    .selectAll('t')
    .select('o.name as unit_name')
    .where('t.evaluation_id', '=', row.id)
    .executeTakeFirst();
  return {
    receiptNo: row.receipt_no,
    level: row.level,
    assessedAt: row.assessed_at,
    assessNumber: row.assess_number,
    anonymous: row.is_anonymous,
    channel: row.channel,
    subject: row.subject,
    itemName: row.item_name,
    orgName: row.org_name,
    regionName: regionDisplayName({ name: row.region_name, level: row.region_level }, parent),
    windowName: row.window_name,
    completedAt: row.completed_at,
    ticket: ticketRow ? raterTicketOf(ticketRow, await ticketEvents(db, ticketRow.id), ticketRow.unit_name) : null,
  };
}
