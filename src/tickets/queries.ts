// Reading tickets back, always limited to what the caller covers: the assigned org's handlers, and
// supervisors and admins of the region subtree above it.
import { sql, type Kysely } from 'kysely';
import type { Scope } from '../auth/policy.ts';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB } from '../db/schema.ts';
import type { TicketState } from './state-machine.ts';
import type { TicketRow } from './store.ts';

export interface TicketFilter {
  state?: TicketState | undefined;
  orgId?: string | undefined;
  /** Only tickets whose reply deadline is missed (late or still unanswered past it). */
  overdue?: boolean | undefined;
  fromDay?: string | undefined;
  toDay?: string | undefined;
  /** Keyset cursor: the last id of the previous page (ids are time-ordered). */
  after?: string | undefined;
  limit: number;
}

export async function listTickets(db: Kysely<DB>, scope: Scope, filter: TicketFilter, now: Date): Promise<TicketRow[]> {
  let query = db.selectFrom('ticket').selectAll();
  if (scope.orgId !== null) query = query.where('org_id', '=', scope.orgId);
  else if (scope.regionPath !== null) query = query.where('region_path', 'like', pathPrefixPattern(scope.regionPath));
  else return [];
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.orgId) query = query.where('org_id', '=', filter.orgId);
  if (filter.fromDay) query = query.where('opened_day', '>=', filter.fromDay);
  if (filter.toDay) query = query.where('opened_day', '<=', filter.toDay);
  if (filter.overdue) query = query.where(sql<boolean>`state <> 'closed_invalid' AND (reply_done_at > reply_due_at OR (reply_done_at IS NULL AND reply_due_at < ${now}))`);
  if (filter.after) query = query.where('id', '<', filter.after);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** The evaluation behind a ticket, as its handlers may see it: the rater masked, never unsealed. */
export async function ratedEvaluation(db: Kysely<DB>, evaluationId: string) {
  return db
    .selectFrom('evaluation')
    .select(['id', 'receipt_no', 'project_no', 'service_number', 'assess_number', 'level', 'indicator_version', 'indicator_codes', 'comment', 'channel', 'assessed_at', 'received_at', 'is_anonymous', 'rater_masked'])
    .where('id', '=', evaluationId)
    .executeTakeFirst();
}

/**
 * Receipt numbers are printed grouped ('K7Q2-9XMD-3FPA'); people type them any way: lower case,
 * with spaces or other dashes or none, full-width from a Chinese input method, and with the
 * letters Crockford's base 32 leaves out read as the digits they look like (O → 0, I and L → 1).
 */
export function normalizeReceiptNo(text: string): string | null {
  const compact = text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.·\u2010-\u2015\u2212\u30fc]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(compact)) return null;
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`;
}

export async function findByReceipt(db: Kysely<DB>, receiptNo: string) {
  const evaluation = await db
    .selectFrom('evaluation')
    .select(['id', 'receipt_no', 'level', 'channel', 'assessed_at', 'received_at', 'assess_number'])
    .where('receipt_no', '=', receiptNo)
    .executeTakeFirst();
  if (!evaluation) return undefined;
  const ticket = await db.selectFrom('ticket').selectAll().where('evaluation_id', '=', evaluation.id).executeTakeFirst();
  return { evaluation, ticket };
}

/** The replies of a ticket, oldest first (a reopened ticket is answered again). */
export async function repliesOf(db: Kysely<DB>, ticketId: string): Promise<Array<{ text: string; at: Date }>> {
  const rows = await db.selectFrom('ticket_event').select(['payload', 'at']).where('ticket_id', '=', ticketId).where('type', '=', 'reply').orderBy('seq').execute();
  return rows.map((r) => ({ text: String(r.payload.text ?? ''), at: r.at }));
}
