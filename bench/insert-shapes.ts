// Investigation aid for the intake writer: how fast can 1,000 evaluation rows go into a table
// like `evaluation` (same columns and indexes, no triggers) by each way of writing them?
//   kysely-values  Kysely insertInto().values(objects) — what the intake writer does today
//   pg-values      the same multi-row VALUES statement (35,000 parameters) sent by pg directly
//   pg-unnest      INSERT … SELECT FROM unnest($1::uuid[], …): one array parameter per column
//   jsonb          INSERT … SELECT FROM jsonb_populate_recordset(…, $1): the rows as one JSON
//                  parameter of objects, what the intake writer did until it sent arrays
//   jsonb arrays   INSERT … SELECT r->>0, … FROM jsonb_array_elements($1): one JSON array per row,
//                  read by position, what the intake writer does (src/ledger/canonical.ts)
//   copy           COPY … FROM STDIN (pg-copy-streams)
// and, for reference, pg-values and copy into a bare table (no indexes). Methods take turns,
// round after round, so that other load on the machine spreads over all of them alike.
// PostgreSQL only. `npx tsx bench/insert-shapes.ts [rounds]`; DATABASE_URL as for bench/intake.ts.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { dropDatabase, withDatabase } from '../test/server-database.ts';
import { from as copyFrom } from 'pg-copy-streams';
import { uuidv7 } from 'uuidv7';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { copyText, createBareTable, evaluationColumns, evaluationLikeRows, type Column, type RawValue } from './raw-rows.ts';

const ROUNDS = Number(process.argv[2] ?? 15);
const BATCH = 1000;
const base = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const name = `hcp_bench_shapes_${process.pid}`;


async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(query);
  await client.end();
}

type Method = (rows: RawValue[][]) => Promise<void>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  await admin(`CREATE DATABASE ${name}`);
  const database = await openDatabase({ url: withDatabase(base, name), poolSize: 2 });
  try {
    if (database.raw.engine !== 'postgres') throw new Error('PostgreSQL only');
    await migrateToLatest(database.db);
    const columns = await evaluationColumns(database.db);
    const names = columns.map((c) => c.name).join(', ');
    const tables = ['shape_kysely', 'shape_values', 'shape_unnest', 'shape_jsonb', 'shape_arrays', 'shape_copy'];
    const positional = columns
      .map((c, i) =>
        c.type === 'bytea' ? `decode(r->>${i}, 'hex')` : c.type === 'text[]' ? `ARRAY(SELECT jsonb_array_elements_text(r->${i}))` : c.type === 'jsonb' ? `r->${i}` : `(r->>${i})::${c.type}`,
      )
      .join(', ');
    // LIKE … INCLUDING ALL: columns, NOT NULL/CHECK/UNIQUE constraints and indexes; no triggers.
    for (const table of tables) await sql.raw(`CREATE TABLE ${table} (LIKE evaluation INCLUDING ALL)`).execute(database.db);
    await createBareTable(database.db, 'shape_bare_values');
    await createBareTable(database.db, 'shape_bare_copy');

    const client = await database.raw.pool.connect();
    const loose = database.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const values = (table: string) => `INSERT INTO ${table} (${names}) VALUES ${Array.from({ length: BATCH }, (_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ')}`;
    const unnestSql = (table: string, cols: Column[]) => {
      // Arrays of arrays and of jsonb do not unnest per row: those columns travel as text and are cast back.
      const passAsText = (c: Column) => c.type.endsWith('[]') || c.type === 'jsonb';
      const params = cols.map((c, i) => `$${i + 1}::${passAsText(c) ? 'text' : c.type}[]`).join(', ');
      const select = cols.map((c) => (passAsText(c) ? `${c.name}::${c.type}` : c.name)).join(', ');
      return `INSERT INTO ${table} (${names}) SELECT ${select} FROM unnest(${params}) AS u(${names})`;
    };
    const toArrayText = (v: RawValue) => (Array.isArray(v) ? `{${v.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}` : v);
    const copyInto = async (table: string, rows: RawValue[][]) => {
      await pipeline(Readable.from(copyText(rows)), client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN`)));
    };
    const methods: Record<string, Method> = {
      'kysely-values': async (rows) => {
        await loose.insertInto('shape_kysely').values(rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null])))).execute();
      },
      'pg-values': async (rows) => {
        await client.query(values('shape_values'), rows.flat());
      },
      'pg-unnest': async (rows) => {
        const arrays = columns.map((c, i) => rows.map((row) => (c.type.endsWith('[]') ? toArrayText(row[i] ?? null) : (row[i] ?? null))));
        await client.query(unnestSql('shape_unnest', columns), arrays);
      },
      jsonb: async (rows) => {
        // bytea as '\x…' text, as the intake writer sends it.
        const json = JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, Buffer.isBuffer(row[i]) ? `\\x${(row[i] as Buffer).toString('hex')}` : (row[i] ?? null)]))));
        await client.query('INSERT INTO shape_jsonb SELECT * FROM jsonb_populate_recordset(NULL::shape_jsonb, $1::jsonb)', [json]);
      },
      'jsonb arrays': async (rows) => {
        // Each row a JSON array in column order, read by position: no key names to send or parse.
        const json = JSON.stringify(rows.map((row) => row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v))));
        await client.query(`INSERT INTO shape_arrays (${names}) SELECT ${positional} FROM jsonb_array_elements($1::jsonb) AS r(r)`, [json]);
      },
      copy: (rows) => copyInto('shape_copy', rows),
      'bare pg-values': async (rows) => {
        await client.query(values('shape_bare_values'), rows.flat());
      },
      'bare copy': (rows) => copyInto('shape_bare_copy', rows),
    };
    const times = new Map<string, number[]>(Object.keys(methods).map((m) => [m, []]));
    const source = { projectPrefix: 'SHAPE-', orgId: uuidv7(), itemId: uuidv7(), appId: 'bench-shapes' };
    const order = Object.keys(methods);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) {
        const method = order[(round + k) % order.length] ?? '';
        // Fresh rows each time (distinct keys); building them is not timed.
        const rows = evaluationLikeRows(columns, BATCH, source, round * BATCH + 1);
        const started = performance.now();
        await methods[method]?.(rows);
        times.get(method)?.push(performance.now() - started);
      }
    }
    client.release();
    console.log(`${ROUNDS} rounds × ${BATCH} rows per method, PostgreSQL, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`${'method'.padEnd(16)} ${'median ms'.padStart(10)} ${'rows/s'.padStart(10)}`);
    for (const [method, ms] of times) console.log(`${method.padEnd(16)} ${median(ms).toFixed(1).padStart(10)} ${Math.round((BATCH * 1000) / median(ms)).toLocaleString('en-US').padStart(10)}`);
  } finally {
    await database.close();
    await dropDatabase(base, name);
  }
}

await main();
