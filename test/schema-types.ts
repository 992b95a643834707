// src/db/schema.ts is written by hand (its names and narrow types are used across the code); this
// checks it against what kysely-codegen reads from a migrated database, table by table and column
// by column, with the TypeScript compiler: every table and column on both sides, and each column's
// types as hand-written assignable to those generated (narrower is fine: 'a' | 'b' for a text
// column with a CHECK), nullability equal, and nothing optional on insert that the database requires.
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { PostgresDialect, serializeFromMetadata } from 'kysely-codegen';
import ts from 'typescript';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const SCHEMA_FILE = `${REPO}src/db/schema.ts`;
// Beside schema.ts, so that its `import from "kysely"` resolves; never written to disk.
const GENERATED_FILE = `${REPO}src/db/generated-by-kysely-codegen.ts`;

/**
 * kysely-codegen's types of the migrated database, with our drivers' parsers (src/db/database.ts):
 * int8 and numeric as number, date as 'YYYY-MM-DD' text, bytea as bytes, json as whatever it holds.
 */
export async function generatedSchema(db: Kysely<DB>): Promise<string> {
  const dialect = new PostgresDialect({ dateParser: 'string', numericParser: 'number' });
  // kysely-codegen is CommonJS: its Kysely type is the same class from kysely's CommonJS typings.
  const introspected = db as unknown as Parameters<typeof dialect.introspector.introspect>[0]['db'];
  const metadata = await dialect.introspector.introspect({ db: introspected, excludePattern: '(public.)?kysely_migration*' });
  return serializeFromMetadata({ metadata, dialect, typeMapping: { int8: 'number', bytea: 'Uint8Array', json: 'unknown', jsonb: 'unknown' } });
}

/** A column's types as their union members, with ColumnType<S, I, U> members opened. */
interface Sides {
  select: ts.Type[];
  insert: ts.Type[];
}

/** The problems found, one line each naming table and column; empty when schema.ts matches. */
export function compareSchema(generated: string, schemaSource?: string): string[] {
  const options: ts.CompilerOptions = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const virtual = new Map([[GENERATED_FILE, generated], ...(schemaSource === undefined ? [] : ([[SCHEMA_FILE, schemaSource]] as const))]);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => virtual.get(file) ?? readFile(file);
  host.fileExists = (file) => virtual.has(file) || fileExists(file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = virtual.get(file);
    return text === undefined ? getSourceFile(file, language, onError, create) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([SCHEMA_FILE, GENERATED_FILE], options, host);
  const checker = program.getTypeChecker();

  const tablesOf = (file: string): Map<string, ts.Symbol> => {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    const db = module && checker.getExportsOfModule(module).find((s) => s.name === 'DB');
    if (!db) throw new Error(`no exported DB interface in ${file}`);
    return new Map(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(db)).map((p) => [p.name, p]));
  };
  const columnsOf = (table: ts.Symbol) => new Map(checker.getPropertiesOfType(checker.getTypeOfSymbol(table)).map((p) => [p.name, p]));
  // ColumnType<S, I, U> is an interface with phantom __select__ and __insert__ properties; a
  // column may be one, or a union with one in it (Timestamp | null).
  const members = (type: ts.Type): ts.Type[] => (type.isUnion() ? type.types : [type]);
  const sidesOf = (column: ts.Symbol): Sides => {
    const sides: Sides = { select: [], insert: [] };
    for (const member of members(checker.getTypeOfSymbol(column))) {
      const select = member.getProperty('__select__');
      const insert = member.getProperty('__insert__');
      sides.select.push(...members(select ? checker.getTypeOfSymbol(select) : member));
      sides.insert.push(...members(insert ? checker.getTypeOfSymbol(insert) : member));
    }
    return sides;
  };
  const isNull = (t: ts.Type) => (t.flags & ts.TypeFlags.Null) !== 0;
  const isUndefined = (t: ts.Type) => (t.flags & ts.TypeFlags.Undefined) !== 0;
  const within = (ours: ts.Type[], theirs: ts.Type[]) => ours.every((o) => theirs.some((t) => checker.isTypeAssignableTo(o, t)));
  const rank = (name: string) => (name === 'null' ? 2 : name === 'undefined' ? 3 : 1);
  const show = (types: ts.Type[]) =>
    [...new Set(types.map((t) => checker.typeToString(t)))]
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .join(' | ')
      .replace('false | true', 'boolean');

  const ours = tablesOf(SCHEMA_FILE);
  const theirs = tablesOf(GENERATED_FILE);
  const problems: string[] = [];
  for (const name of theirs.keys()) if (!ours.has(name)) problems.push(`${name}: table in the database, missing from DB in src/db/schema.ts`);
  for (const name of ours.keys()) if (!theirs.has(name)) problems.push(`${name}: table in src/db/schema.ts, not in the migrated database`);
  for (const [name, theirTable] of theirs) {
    const ourTable = ours.get(name);
    if (!ourTable) continue;
    const ourColumns = columnsOf(ourTable);
    const theirColumns = columnsOf(theirTable);
    for (const column of theirColumns.keys()) if (!ourColumns.has(column)) problems.push(`${name}.${column}: column in the database, missing from src/db/schema.ts`);
    for (const column of ourColumns.keys()) if (!theirColumns.has(column)) problems.push(`${name}.${column}: column in src/db/schema.ts, not in the migrated database`);
    for (const [column, theirColumn] of theirColumns) {
      const ourColumn = ourColumns.get(column);
      if (!ourColumn) continue;
      const our = sidesOf(ourColumn);
      const their = sidesOf(theirColumn);
      const where = `${name}.${column}`;
      if (!within(our.select, their.select)) problems.push(`${where}: schema.ts reads ${show(our.select)}, the database gives ${show(their.select)}`);
      else if (their.select.some(isNull) && !our.select.some(isNull)) problems.push(`${where}: the column is nullable, schema.ts reads ${show(our.select)} without null`);
      // Kysely lets a nullable column be left out of an insert (it becomes null), as a column with a default.
      else if (!within(our.insert, their.select.some(isNull) ? [...their.insert, ...our.insert.filter(isUndefined)] : their.insert)) {
        problems.push(`${where}: schema.ts inserts ${show(our.insert)}, the database takes ${show(their.insert)}${our.insert.some(isUndefined) ? ' (no default: it may not be left out)' : ''}`);
      }
    }
  }
  return problems;
}

export function schemaMismatchMessage(problems: readonly string[]): string {
  return [
    'src/db/schema.ts 与迁移后的数据库不一致 / src/db/schema.ts does not match the migrated database:',
    ...problems.map((p) => `  - ${p}`),
    '修正 / Fix: edit src/db/schema.ts to match the migrations (they are the truth). `npm run db:types` prints the types kysely-codegen',
    'reads from a freshly migrated database; `npx vitest run src/db/schema.test.ts` checks again.',
  ].join('\n');
}
