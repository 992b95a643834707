// Scoring schemes in the database: appended, never edited; the version in force on a day is the one
// with the latest effective_from on or before it.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { schemeProblems, type Scheme, type SchemeDefinition } from './scheme.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const toScheme = (row: { version: string; effective_from: string; definition: unknown }): Scheme => ({
  version: row.version,
  effectiveFrom: row.effective_from,
  definition: row.definition as SchemeDefinition,
});

export async function schemeInForce(db: Executor, day: string): Promise<Scheme> {
  const row = await db.selectFrom('scoring_scheme').select(['version', 'effective_from', 'definition']).where('effective_from', '<=', day).orderBy('effective_from', 'desc').limit(1).executeTakeFirst();
  if (!row) throw new AppError('SCHEME_NOT_FOUND', { day });
  return toScheme(row);
}

export async function schemeByVersion(db: Executor, version: string): Promise<Scheme | undefined> {
  const row = await db.selectFrom('scoring_scheme').select(['version', 'effective_from', 'definition']).where('version', '=', version).executeTakeFirst();
  return row ? toScheme(row) : undefined;
}

export async function listSchemes(db: Executor): Promise<Array<Scheme & { note: string | null; createdBy: string; createdAt: Date }>> {
  const rows = await db.selectFrom('scoring_scheme').selectAll().orderBy('effective_from').execute();
  return rows.map((r) => ({ ...toScheme(r), note: r.note, createdBy: r.created_by, createdAt: r.created_at }));
}

export async function addScheme(db: Executor, input: { version: string; effectiveFrom: string; definition: unknown; note: string | null }, actor: string, now: Date): Promise<Scheme> {
  const problems = schemeProblems(input.definition);
  if (problems.length > 0) throw new AppError('SCHEME_INVALID', { problems });
  try {
    await db
      .insertInto('scoring_scheme')
      .values({ version: input.version, effective_from: input.effectiveFrom, definition: JSON.stringify(input.definition), note: input.note, created_by: actor, created_at: now })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('SCHEME_EXISTS', { version: input.version, effectiveFrom: input.effectiveFrom });
    throw error;
  }
  return { version: input.version, effectiveFrom: input.effectiveFrom, definition: input.definition as SchemeDefinition };
}
