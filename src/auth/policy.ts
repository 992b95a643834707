// Who may act on what: pure functions of the caller and the object's place in the region tree.
import type { StaffRole } from '../db/schema.ts';
import type { Caller } from '../http/caller.ts';

/** Where an object sits: its region path ('510000/510100/510104/') and, if it belongs to one, its org. */
export interface Placement {
  regionPath: string;
  orgId: string | null;
}

/** The part of a caller that decides what it covers. */
export interface Scope {
  regionPath: string | null;
  orgId: string | null;
}

export function callerCovers(caller: Scope, place: Placement): boolean {
  if (caller.orgId !== null) return place.orgId === caller.orgId;
  return caller.regionPath !== null && place.regionPath.startsWith(caller.regionPath);
}

/** Catalog and case data may be written by apps and by admins within their scope. */
export function mayWriteCatalog(caller: Caller, place: Placement): boolean {
  if (caller.kind === 'app') return callerCovers(caller, place);
  return (caller.role === 'province_admin' || caller.role === 'city_admin') && callerCovers(caller, place);
}

const ROLES_REVEALING_PII: ReadonlySet<StaffRole> = new Set(['province_admin', 'supervisor']);

/** Whether a caller may ask for personal information unmasked (each such read is logged). */
export function mayRevealPii(caller: Caller): boolean {
  return caller.kind === 'staff' && ROLES_REVEALING_PII.has(caller.role);
}

/**
 * Whether a caller may see the rater of a ticket unmasked (each such read is logged with its
 * reason): supervisors and province admins covering the ticket, and the handlers of the ticket's
 * own org, who call the rater back by phone. It is about one ticket's rater; mayRevealPii (personal
 * data in general) stays as narrow as it was.
 */
export function mayRevealTicketRater(caller: Caller, ticket: Placement): boolean {
  if (caller.kind !== 'staff' || !callerCovers(caller, ticket)) return false;
  if (caller.role === 'org_handler') return caller.orgId !== null && caller.orgId === ticket.orgId;
  return ROLES_REVEALING_PII.has(caller.role);
}

/** A staff account as policy sees it: who it is and where it works. */
export interface AccountTarget {
  accountId: string;
  placement: Placement;
}

/**
 * Staff accounts are disabled and enabled by province admins, and by city admins within their
 * region; nobody does it to their own account (a last admin cannot lock everyone out by mistake).
 */
export function mayManageAccount(caller: Caller, target: AccountTarget): boolean {
  if (caller.kind !== 'staff' || caller.accountId === target.accountId) return false;
  return (caller.role === 'province_admin' || caller.role === 'city_admin') && callerCovers(caller, target.placement);
}

const RISK_REVIEWER_ROLES: ReadonlySet<StaffRole> = new Set(['supervisor', 'province_admin']);

/**
 * Risk findings (scores, reasons, holds) and their review belong to the supervising level: a
 * supervisor or province admin not tied to one org. The org under suspicion, its handlers and any
 * integrator never see them.
 */
export function mayReviewRisk(caller: Caller): boolean {
  return caller.kind === 'staff' && caller.orgId === null && RISK_REVIEWER_ROLES.has(caller.role);
}
