import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { compareSchema, generatedSchema, SCHEMA_FILE, schemaMismatchMessage } from '../../test/schema-types.ts';

describeOnEngines('src/db/schema.ts against the migrated database', (database) => {
  let generated = '';
  beforeAll(async () => {
    generated = await generatedSchema(database().db);
  });

  it('has every table and column the migrations make, with their types and nullability', () => {
    const problems = compareSchema(generated);
    if (problems.length > 0) expect.fail(schemaMismatchMessage(problems));
  });

  it('names the table and column of each difference', () => {
    const schema = readFileSync(SCHEMA_FILE, 'utf8');
    // Five ways to drift: a wrong type, a lost null, a column too many, a missing table, an insert
    // that may leave out a column the database requires (the first created_at is the org's).
    const drifted = schema
      .replace('  assessed_day: string;\n', '  assessed_day: number;\n')
      .replace('  verify_done_at: Timestamp | null;\n', '  verify_done_at: Timestamp;\n')
      .replace('export interface RequestNonceTable {\n', 'export interface RequestNonceTable {\n  retired: boolean;\n')
      .replace('  sms_opt_out: SmsOptOutTable;\n', '')
      .replace('  created_at: Timestamp;\n', '  created_at: ColumnType<Date, Date | undefined, Date>;\n');
    expect(drifted).not.toBe(schema);
    expect(compareSchema(generated, drifted).sort()).toEqual(
      [
        'sms_opt_out: table in the database, missing from DB in src/db/schema.ts',
        'request_nonce.retired: column in src/db/schema.ts, not in the migrated database',
        'evaluation.assessed_day: schema.ts reads number, the database gives string',
        'ticket.verify_done_at: the column is nullable, schema.ts reads Date without null',
        'org.created_at: schema.ts inserts Date | undefined, the database takes Date | string (no default: it may not be left out)',
      ].sort(),
    );
  });
});

