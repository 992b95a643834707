// Who may write and read catalog data, turned into what commands and queries take: a guard that
// each write calls with the placement it is about to touch, and a read scope that queries filter by.
// The rules themselves stay in src/auth/policy.ts.
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { mayWriteCatalog, type Placement } from '../auth/policy.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../http/caller.ts';
import { regionPath } from './regions.ts';

/** Called by a command with each placement it writes to (and, on update, the one it moves from); throws to refuse. */
export type WriteGuard = (place: Placement) => void;

export function catalogWriteGuard(caller: Caller): WriteGuard {
  // A caller refused even inside its own scope lacks the right altogether (e.g. a supervisor);
  // any other refusal is about where, not what.
  const own: Placement = { regionPath: caller.regionPath ?? '', orgId: caller.orgId };
  if (!mayWriteCatalog(caller, own)) throw new AppError('AUTH_FORBIDDEN');
  return (place) => {
    if (!mayWriteCatalog(caller, place)) throw new AppError('AUTH_OUT_OF_SCOPE', { regionPath: place.regionPath });
  };
}

/** What a reader may see: everything, one org, one region subtree (path prefix), or nothing. */
export type ReadScope = { kind: 'all' } | { kind: 'org'; orgId: string } | { kind: 'region'; regionPath: string } | { kind: 'none' };

export const readAll: ReadScope = { kind: 'all' };

export function catalogReadScope(caller: Caller): ReadScope {
  // Mirrors callerCovers: an org-bound caller sees its org, otherwise its region subtree.
  if (caller.orgId !== null) return { kind: 'org', orgId: caller.orgId };
  if (caller.regionPath !== null) return { kind: 'region', regionPath: caller.regionPath };
  return { kind: 'none' };
}

/** A LIKE pattern matching every path that starts with `prefix`. */
export function pathPrefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The condition a read scope puts on a catalog query that joins `region` (where the record sits)
 * and has the record's org in `orgColumn`; null when the scope sees nothing.
 */
export function scopeCondition(scope: ReadScope, orgColumn: string): RawBuilder<SqlBool> | null {
  switch (scope.kind) {
    case 'all':
      return sql<SqlBool>`true`;
    case 'none':
      return null;
    case 'org':
      return sql<SqlBool>`${sql.ref(orgColumn)} = ${scope.orgId}`;
    case 'region':
      return sql<SqlBool>`region.path LIKE ${pathPrefixPattern(scope.regionPath)}`;
  }
}

/** The `areaCode` filter of a list: undefined when not asked for, null when the region is unknown (nothing matches). */
export async function areaCondition(db: Kysely<DB>, areaCode: string | undefined): Promise<RawBuilder<SqlBool> | null | undefined> {
  if (areaCode === undefined) return undefined;
  const path = await regionPath(db, areaCode);
  return path === null ? null : sql<SqlBool>`region.path LIKE ${pathPrefixPattern(path)}`;
}
