// Throw-away databases on a PostgreSQL server, for the tests and the benchmarks: the URL of
// another database on the same server, the URL for printing, and dropping one safely.
import pg from 'pg';

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** For printing: the password hidden. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * Drops database `name` through `serverUrl` (another database on the server). pg's pool.end()
 * resolves before its clients' sockets have closed; dropping WITH (FORCE) at once can kill a
 * backend still saying goodbye, and its client then throws an unhandled "terminating connection
 * due to administrator command". So this waits for the database's sessions (up to 2 s) first.
 */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const left = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if ((left.rows[0]?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
