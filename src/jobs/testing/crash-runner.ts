// A runner process for the crash test in src/jobs/jobs.test.ts: it takes the due 'crash-test'
// job, writes the job's effect in the job's transaction, reports its database session on stdout
// and then hangs with the transaction open until it is killed.
// Usage: node --import tsx src/jobs/testing/crash-runner.ts <database url> <now, ISO 8601>
import { sql } from 'kysely';
import { openDatabase } from '../../db/database.ts';
import { runDueJobs } from '../scheduled-jobs.ts';

const [url, nowText] = process.argv.slice(2);
if (!url || !nowText) {
  process.stderr.write('usage: crash-runner.ts <database url> <now>\n');
  process.exit(2);
}
const database = await openDatabase({ url, poolSize: 1 });
const counts = await runDueJobs(
  database.db,
  {
    async 'crash-test'(trx, job) {
      await sql`INSERT INTO job_effect (job_id, note) VALUES (${job.id}, 'child')`.execute(trx);
      const session = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
      process.stdout.write(`effect-written ${session.rows[0]?.pid ?? ''}\n`);
      // Never returns. The timeout ends an orphan whose parent did not kill it.
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      process.exit(3);
    },
  },
  new Date(nowText),
  { limit: 1 },
);
// Only reached when there was no job to take.
process.stdout.write(`no-job ${JSON.stringify(counts)}\n`);
await database.close();
