import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { exclusionStatusCondition } from './exclusion-sql.ts';
import { EXCLUSION_RULES, exclusionOf, isExcluded, type EvaluationFlag, type ExclusionRule, type FlagKind } from './exclusion.ts';

const KINDS: FlagKind[] = ['appeal_upheld', 'fraud_suspected', 'fraud_confirmed', 'fraud_cleared'];
const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, s));
const flag = (id: string, kind: FlagKind, second: number): EvaluationFlag => ({ id, kind, at: at(second) });

// A further kind is one line of data: here a held-for-review rule (as 'risk_held' will be), made of
// kinds the database knows today, to show that TypeScript and SQL both follow it without other change.
const WITH_HELD: readonly ExclusionRule[] = [...EXCLUSION_RULES, { status: 'held', sets: ['fraud_suspected'], lifts: ['fraud_cleared', 'fraud_confirmed'] }];

describe('exclusion rules', () => {
  it('excludes after an upheld appeal for good, and while fraud stands confirmed', () => {
    expect(exclusionOf([])).toBeNull();
    expect(exclusionOf([flag('1', 'fraud_suspected', 1)])).toBeNull();
    expect(exclusionOf([flag('1', 'fraud_confirmed', 1)])).toBe('excluded');
    expect(isExcluded([flag('1', 'fraud_confirmed', 1), flag('2', 'fraud_cleared', 2)])).toBe(false);
    expect(isExcluded([flag('2', 'fraud_cleared', 1), flag('1', 'fraud_confirmed', 2)])).toBe(true);
    // Same instant: the later id decides.
    expect(isExcluded([flag('2', 'fraud_cleared', 1), flag('1', 'fraud_confirmed', 1)])).toBe(false);
    expect(exclusionOf([flag('1', 'appeal_upheld', 1), flag('2', 'fraud_cleared', 2)])).toBe('excluded');
  });

  it('takes a further rule by one line: held for review, counted apart, out of the figures, excluded winning over held', () => {
    expect(exclusionOf([flag('1', 'fraud_suspected', 1)], WITH_HELD)).toBe('held');
    expect(isExcluded([flag('1', 'fraud_suspected', 1)], WITH_HELD)).toBe(true);
    expect(exclusionOf([flag('1', 'fraud_suspected', 1), flag('2', 'fraud_cleared', 2)], WITH_HELD)).toBeNull();
    expect(exclusionOf([flag('1', 'fraud_suspected', 1), flag('2', 'appeal_upheld', 2)], WITH_HELD)).toBe('excluded');
  });
});

describeOnEngines('exclusion rules in SQL', (database) => {
  const statusInSql = async (flags: readonly EvaluationFlag[], rules: readonly ExclusionRule[]) => {
    if (flags.length === 0) return null;
    const rows = sql.join(flags.map((f) => sql`(${f.id}::text, ${f.kind}::text, ${f.at}::timestamptz)`));
    const result = await sql<{ status: string | null }>`SELECT ${sql.raw(exclusionStatusCondition(rules))} AS status FROM (VALUES ${rows}) AS x(id, kind, at)`.execute(database().db);
    return result.rows[0]?.status ?? null;
  };

  it('gives the status the TypeScript rules give, for any flags, with the rules of today and with one more', async () => {
    const flags = fc.array(fc.record({ kind: fc.constantFrom(...KINDS), second: fc.integer({ min: 0, max: 5 }) }), { maxLength: 6 }).map((list) => list.map((f, i) => flag(`0000000${i}`, f.kind, f.second)));
    await fc.assert(
      fc.asyncProperty(flags, async (list) => {
        for (const rules of [EXCLUSION_RULES, WITH_HELD]) expect(await statusInSql(list, rules)).toBe(exclusionOf(list, rules));
      }),
      { numRuns: 150 },
    );
  });
});
