// Who may do what with inspections, as pure functions of the caller (built on src/auth/policy.ts):
// supervisors and province admins write checklists and record inspections within their region;
// they read inspections within it, and an org's handlers read their own org's.
import { callerCovers, type Placement } from '../auth/policy.ts';
import type { StaffRole } from '../db/schema.ts';
import type { StaffCaller } from '../http/caller.ts';
import { INSPECTION_RECORDERS } from './recorders.ts';

const READERS: ReadonlySet<StaffRole> = new Set([...INSPECTION_RECORDERS, 'org_handler']);

/** Whether the caller may record an inspection of something placed at `place`. */
export function mayRecordInspectionAt(caller: StaffCaller, place: Placement): boolean {
  return INSPECTION_RECORDERS.includes(caller.role) && callerCovers(caller, place);
}

/** Whether the caller's role reads inspections at all (within its scope: see callerCovers). */
export function mayReadInspections(caller: StaffCaller): boolean {
  return READERS.has(caller.role);
}

/** Whether the caller may read one inspection placed at `place`. */
export function mayReadInspectionAt(caller: StaffCaller, place: Placement): boolean {
  return mayReadInspections(caller) && callerCovers(caller, place);
}
