// The workbench of one staff member: which unit is theirs, and the counts of that unit's tickets
// that want attention now. The month's figures are not defined here: they are the scoring
// dashboard's (src/scoring/published.ts), read by the route.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import type { DeskCounts } from '../tickets/desk-queries.ts';

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
  /** Open, the next running deadline still ahead but a warning (src/tickets/desk-rules.ts urgencyOf). */
  dueSoon: number;
  /** Open, the next running deadline passed. */
  overdue: number;
  /** Waiting for a supervisor: an appeal, a 无法整改 request or an extension request. */
  needsDecision: number;
}

/** The workbench's counts from the ticket desk's counts of the caller's running tickets (deskCounts without the closed ones): one definition of each. */
export function attentionOf(running: DeskCounts): TicketAttention {
  return { open: running.total, dueSoon: running.dueSoon, overdue: running.overdue, needsDecision: running.needsDecision };
}
