// The log of administrative changes: who changed what, and when (an account or an app disabled or
// enabled). Append-only in the database, like the other logs; each entry is written in the
// transaction of the change it records, so there is never a change without its entry.
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../db/schema.ts';
import type { StaffCaller } from '../http/caller.ts';

/** Who made a change: a staff member through the API, or the operator at the command line. */
export interface AdminActor {
  /** The staff account id, or 'cli'. */
  id: string;
  /** The username, or the operating-system user running the command line. */
  name: string;
  /** The staff role, or 'cli'. */
  role: string;
}

export const staffActor = (caller: StaffCaller): AdminActor => ({ id: caller.accountId, name: caller.username, role: caller.role });
export const cliActor = (osUser: string): AdminActor => ({ id: 'cli', name: osUser, role: 'cli' });

export type AdminTargetKind = 'staff_account' | 'integrator_app' | 'calendar_notice';

export interface AdminChange {
  actor: AdminActor;
  /** `<target kind>.<verb>`, e.g. 'staff_account.disable'. */
  action: `${AdminTargetKind}.${string}`;
  targetKind: AdminTargetKind;
  targetId: string;
  details?: Record<string, unknown>;
}

export async function recordAdminChange(trx: Transaction<DB>, change: AdminChange, now: Date): Promise<void> {
  await trx
    .insertInto('admin_audit')
    .values({
      id: uuidv7(),
      at: now,
      actor: change.actor.id,
      actor_name: change.actor.name,
      actor_role: change.actor.role,
      action: change.action,
      target_kind: change.targetKind,
      target_id: change.targetId,
      details: JSON.stringify(change.details ?? {}),
    })
    .execute();
}

export interface AdminAuditEntry {
  at: Date;
  actor: AdminActor;
  action: string;
  targetKind: string;
  targetId: string;
  details: Record<string, unknown>;
}

/** The changes made to one account or app, oldest first. */
export async function adminChangesOf(db: Kysely<DB>, targetKind: AdminTargetKind, targetId: string): Promise<AdminAuditEntry[]> {
  const rows = await db
    .selectFrom('admin_audit')
    .select(['at', 'actor', 'actor_name', 'actor_role', 'action', 'target_kind', 'target_id', 'details'])
    .where('target_kind', '=', targetKind)
    .where('target_id', '=', targetId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    at: r.at,
    actor: { id: r.actor, name: r.actor_name, role: r.actor_role },
    action: r.action,
    targetKind: r.target_kind,
    targetId: r.target_id,
    details: r.details,
  }));
}
