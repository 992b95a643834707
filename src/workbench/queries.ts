// The workbench of one staff member: which unit is theirs, and the counts of that unit's tickets
// that want attention now. The month's figures are not defined here: they are the scoring
// dashboard's (src/scoring/published.ts), read by the route.
import { sql, type Kysely } from 'kysely';
import type { Scope } from '../auth/policy.ts';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import { UNWATCHED_STATES } from '../tickets/state-machine.ts';

export interface WorkbenchUnit {
  kind: 'org' | 'region';
  /** The org's id, or the region's code. */
  id: string;
  name: string;
}

/** The caller's own unit: an org handler's org; anyone else's scope region. */
export async function unitOfCaller(db: Kysely<DB>, caller: StaffCaller): Promise<WorkbenchUnit> {
  if (caller.orgId !== null) {
    const org = await db.selectFrom('org').select(['id', 'name']).where('id', '=', caller.orgId).executeTakeFirst();
    if (org) return { kind: 'org', id: org.id, name: org.name };
  } else if (caller.regionPath !== null) {
    const code = caller.regionPath.split('/').filter(Boolean).at(-1) ?? '';
    const region = await db.selectFrom('region').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
    if (region) return { kind: 'region', id: region.code, name: region.name };
  }
  throw new AppError('AUTH_FORBIDDEN', { reason: 'the account has no unit' });
}

export interface TicketAttention {
  /** Not closed and not voided. */
  open: number;
  /** Open, the next running deadline still ahead but no later than `dueSoonUntil`. */
  dueSoon: number;
  /** Open, the next running deadline passed. */
  overdue: number;
  /** Waiting for a supervisor: an appeal, a 无法整改 request or an extension request. */
  needsDecision: number;
}

/**
 * Counts of the tickets the scope covers, as they stand at `now`. The running deadlines are those
 * of runningDeadlines (src/tickets/rules.ts): verify while open or verifying and not done, reply
 * while not done (on an open ticket), appeal while appealing and undecided; the next is the
 * earliest. The test checks these counts against that rule ticket by ticket.
 */
export async function ticketAttention(db: Kysely<DB>, scope: Scope, now: Date, dueSoonUntil: Date): Promise<TicketAttention> {
  let tickets = db
    .selectFrom('ticket')
    .select([
      'state',
      'extension_state',
      sql<Date | null>`LEAST(
        CASE WHEN verify_done_at IS NULL AND state IN ('open', 'verifying') THEN verify_due_at END,
        CASE WHEN reply_done_at IS NULL THEN reply_due_at END,
        CASE WHEN state = 'appealing' AND appeal_decided_at IS NULL THEN appeal_due_at END)`.as('next_due'),
    ])
    .where('state', 'not in', [...UNWATCHED_STATES]);
  if (scope.orgId !== null) tickets = tickets.where('org_id', '=', scope.orgId);
  else if (scope.regionPath !== null) tickets = tickets.where('region_path', 'like', pathPrefixPattern(scope.regionPath));
  else return { open: 0, dueSoon: 0, overdue: 0, needsDecision: 0 };
  const row = await db
    .selectFrom(tickets.as('t'))
    .select([
      sql<number>`count(*)::int8`.as('open'),
      sql<number>`count(*) FILTER (WHERE next_due >= ${now} AND next_due <= ${dueSoonUntil})::int8`.as('dueSoon'),
      sql<number>`count(*) FILTER (WHERE next_due < ${now})::int8`.as('overdue'),
      sql<number>`count(*) FILTER (WHERE state IN ('appealing', 'cannot_fix_requested') OR extension_state = 'requested')::int8`.as('needsDecision'),
    ])
    .executeTakeFirstOrThrow();
  return { open: Number(row.open), dueSoon: Number(row.dueSoon), overdue: Number(row.overdue), needsDecision: Number(row.needsDecision) };
}
