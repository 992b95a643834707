// PGlite is a single in-process connection. Kysely's PostgreSQL dialect wants a pool; this one
// hands out the one connection to one holder at a time, so a transaction never interleaves.
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

type Command = PostgresQueryResult<unknown>['command'];
const COMMANDS = new Set(['UPDATE', 'DELETE', 'INSERT', 'SELECT', 'MERGE']);

function commandOf(sqlText: string): Command {
  const word = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase() ?? 'SELECT';
  return (COMMANDS.has(word) ? word : 'SELECT') as Command;
}

export function pglitePool(pglite: PGlite): PostgresPool {
  let holder: Promise<void> = Promise.resolve();

  const client = (release: () => void): PostgresPoolClient => ({
    async query<R>(sqlText: unknown, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
      if (typeof sqlText !== 'string') throw new Error('PGlite pool: cursors are not supported');
      if (!parameters || parameters.length === 0) {
        // No parameters: the simple protocol, which also runs several statements (migrations).
        const results = await pglite.exec(sqlText);
        const last = results[results.length - 1];
        return { command: commandOf(sqlText), rowCount: last?.affectedRows ?? 0, rows: (last?.rows ?? []) as R[] };
      }
      const result = await pglite.query<R>(sqlText, [...parameters]);
      return { command: commandOf(sqlText), rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
    },
    release,
  }) as PostgresPoolClient;

  return {
    async connect() {
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const previous = holder;
      holder = previous.then(() => mine);
      await previous;
      return client(release);
    },
    async end() {
      await holder;
    },
  };
}
