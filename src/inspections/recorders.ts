// Who records inspections: kept apart from access.ts (which needs the server's caller type) so that
// the staff console imports the same list for its menu.
import type { StaffRole } from '../db/schema.ts';

export const INSPECTION_RECORDERS: readonly StaffRole[] = ['supervisor', 'province_admin'];
