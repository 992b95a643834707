import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely, type Transaction } from 'kysely';
import { beforeAll, beforeEach, describe, expect, expectTypeOf, inject, it, vi } from 'vitest';
import type { DB } from '../db/schema.ts';
import { testClock } from '../../test/clock.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { withDatabase } from '../../test/server-database.ts';
import { startJobRunner, type JobRunnerLog } from './job-runner.ts';
import { cancelJob, retryDelayMs, runDueJobs, scheduleJob, scheduleJobs, type Job, type JobHandler } from './scheduled-jobs.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CRASH_RUNNER = fileURLToPath(new URL('./testing/crash-runner.ts', import.meta.url));

/** A handler's effect: a row in the job's own transaction, so it exists only if the job committed. */
async function writeEffect(trx: Transaction<DB>, job: Job, note = job.kind): Promise<void> {
  await sql`INSERT INTO job_effect (job_id, note) VALUES (${job.id}, ${note})`.execute(trx);
}

const record: JobHandler = (trx, job) => writeEffect(trx, job);

async function effects(db: Kysely<DB>): Promise<Array<{ job_id: string; note: string }>> {
  return (await sql<{ job_id: string; note: string }>`SELECT job_id, note FROM job_effect ORDER BY seq`.execute(db)).rows;
}

function jobsOf(db: Kysely<DB>, subjectId: string) {
  return db.selectFrom('scheduled_job').selectAll().where('subject_id', '=', subjectId).orderBy('created_at').orderBy('id').execute();
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('retry delay', () => {
  it('doubles from 30 s and stops at an hour', () => {
    expect([1, 2, 3, 7, 8, 500].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('fits a pino or Fastify logger', () => {
    expectTypeOf<FastifyBaseLogger>().toExtend<JobRunnerLog>();
  });
});

describeOnEngines('scheduled jobs', (database, engine) => {
  const clock = testClock('2026-12-01T02:00:00Z');
  const minutes = (n: number) => new Date(clock().getTime() + n * 60_000);

  beforeAll(async () => {
    await sql`CREATE TABLE job_effect (seq serial PRIMARY KEY, job_id uuid NOT NULL, note text NOT NULL)`.execute(database().db);
  });
  beforeEach(async () => {
    const { db } = database();
    clock.set('2026-12-01T02:00:00Z');
    await db.deleteFrom('scheduled_job').execute();
    await sql`DELETE FROM job_effect`.execute(db);
  });

  it('runs due jobs earliest first and leaves the others pending', async () => {
    const { db } = database();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    // Scheduled out of order, in one statement.
    await scheduleJobs(
      db,
      [
        { kind: 'ordered', subjectId: b, dueAt: minutes(2), payload: { name: 'b' } },
        { kind: 'ordered', subjectId: c, dueAt: minutes(10), payload: { name: 'c' } },
        { kind: 'ordered', subjectId: a, dueAt: minutes(1), payload: { name: 'a' } },
      ],
      clock(),
    );
    const seen: Job[] = [];
    const ordered: JobHandler = async (trx, job) => {
      seen.push(job);
      await writeEffect(trx, job, String(job.payload.name));
    };
    const handlers = { ordered };
    expect(await runDueJobs(db, handlers, minutes(0))).toEqual({ done: 0, failed: 0 });
    expect(await runDueJobs(db, handlers, minutes(3))).toEqual({ done: 2, failed: 0 });
    expect((await effects(db)).map((e) => e.note)).toEqual(['a', 'b']);
    expect(seen[0]).toMatchObject({ kind: 'ordered', subjectId: a, dueAt: minutes(1), payload: { name: 'a' }, attempts: 0 });
    const [doneA] = await jobsOf(db, a);
    expect(doneA).toMatchObject({ done_at: minutes(3), attempts: 1, last_error: null });
    expect((await jobsOf(db, c))[0]?.done_at).toBeNull();
    expect(await runDueJobs(db, handlers, minutes(10))).toEqual({ done: 1, failed: 0 });
  });

  it('stops after the limit', async () => {
    const { db } = database();
    await scheduleJobs(db, [1, 2, 3].map((n) => ({ kind: 'limited', subjectId: randomUUID(), dueAt: minutes(-n) })), clock());
    expect(await runDueJobs(db, { limited: record }, clock(), { limit: 2 })).toEqual({ done: 2, failed: 0 });
    expect(await runDueJobs(db, { limited: record }, clock(), { limit: 2 })).toEqual({ done: 1, failed: 0 });
  });

  it('moves the pending job when the same kind and subject is scheduled again', async () => {
    const { db } = database();
    const subject = randomUUID();
    await scheduleJob(db, { kind: 'deadline', subjectId: subject, dueAt: minutes(5), payload: { round: 1 } }, clock());
    await db.transaction().execute((trx) => scheduleJob(trx, { kind: 'deadline', subjectId: subject, dueAt: minutes(20), payload: { round: 2 } }, minutes(1)));
    // Scheduling again counts tries afresh; within one call, the last request for a pair wins.
    await db.updateTable('scheduled_job').set({ attempts: 3 }).where('subject_id', '=', subject).execute();
    await scheduleJobs(
      db,
      [
        { kind: 'deadline', subjectId: subject, dueAt: minutes(30), payload: { round: 3 } },
        { kind: 'deadline', subjectId: subject, dueAt: minutes(20), payload: { round: 2 } },
      ],
      minutes(1),
    );
    // Another kind for the same subject is a job of its own.
    await scheduleJob(db, { kind: 'reminder', subjectId: subject, dueAt: minutes(5) }, clock());
    const rows = await jobsOf(db, subject);
    expect(rows.map((r) => [r.kind, r.due_at, r.payload, r.attempts, r.created_at])).toEqual([
      ['deadline', minutes(20), { round: 2 }, 0, minutes(0)],
      ['reminder', minutes(5), {}, 0, minutes(0)],
    ]);
    expect(await runDueJobs(db, { deadline: record, reminder: record }, minutes(10))).toEqual({ done: 1, failed: 0 });
    expect((await effects(db)).map((e) => e.note)).toEqual(['reminder']);
  });

  it('lets a handler schedule its own kind and subject again', async () => {
    const { db } = database();
    const subject = randomUUID();
    const repeat: JobHandler = async (trx, job, now) => {
      await writeEffect(trx, job, `round ${String(job.payload.round)}`);
      const round = Number(job.payload.round);
      if (round < 3) await scheduleJob(trx, { kind: 'repeat', subjectId: job.subjectId, dueAt: new Date(now.getTime() + 3600_000), payload: { round: round + 1 } }, now);
    };
    await scheduleJob(db, { kind: 'repeat', subjectId: subject, dueAt: clock(), payload: { round: 1 } }, clock());
    expect(await runDueJobs(db, { repeat }, clock())).toEqual({ done: 1, failed: 0 });
    clock.advance(3600_000);
    expect(await runDueJobs(db, { repeat }, clock())).toEqual({ done: 1, failed: 0 });
    clock.advance(3600_000);
    expect(await runDueJobs(db, { repeat }, clock())).toEqual({ done: 1, failed: 0 });
    expect((await effects(db)).map((e) => e.note)).toEqual(['round 1', 'round 2', 'round 3']);
    const rows = await jobsOf(db, subject);
    expect(rows.map((r) => r.payload)).toEqual([{ round: 1 }, { round: 2 }, { round: 3 }]);
    expect(rows.every((r) => r.done_at !== null)).toBe(true);
  });

  it('cancels the pending job, which then never runs', async () => {
    const { db } = database();
    const subject = randomUUID();
    await scheduleJob(db, { kind: 'deadline', subjectId: subject, dueAt: minutes(5) }, clock());
    expect(await cancelJob(db, 'deadline', subject, minutes(1))).toBe(true);
    expect(await cancelJob(db, 'deadline', subject, minutes(1))).toBe(false);
    expect(await runDueJobs(db, { deadline: record }, minutes(10))).toEqual({ done: 0, failed: 0 });
    expect(await jobsOf(db, subject)).toMatchObject([{ done_at: minutes(1), attempts: 0 }]);
    // Cancelled is done: scheduling again makes a new pending job.
    await scheduleJob(db, { kind: 'deadline', subjectId: subject, dueAt: minutes(30) }, minutes(2));
    expect(await jobsOf(db, subject)).toHaveLength(2);
    expect(await effects(db)).toEqual([]);
  });

  it('keeps nothing of a failed job and retries it after the back-off', async () => {
    const { db } = database();
    const subject = randomUUID();
    let failures = 1;
    const flaky: JobHandler = async (trx, job) => {
      await writeEffect(trx, job);
      if (failures-- > 0) throw new Error('gateway unreachable');
    };
    const failed = vi.fn();
    await scheduleJob(db, { kind: 'flaky', subjectId: subject, dueAt: clock() }, clock());
    expect(await runDueJobs(db, { flaky }, clock(), { onFailure: failed })).toEqual({ done: 0, failed: 1 });
    expect(await effects(db)).toEqual([]);
    const [row] = await jobsOf(db, subject);
    expect(row).toMatchObject({ done_at: null, attempts: 1, last_error: 'Error: gateway unreachable', due_at: new Date(clock().getTime() + 30_000) });
    expect(failed).toHaveBeenCalledWith(expect.objectContaining({ id: row?.id, attempts: 0 }), expect.any(Error), row?.due_at);
    clock.advance(29_999);
    expect(await runDueJobs(db, { flaky }, clock())).toEqual({ done: 0, failed: 0 });
    clock.advance(1);
    expect(await runDueJobs(db, { flaky }, clock())).toEqual({ done: 1, failed: 0 });
    expect(await effects(db)).toHaveLength(1);
    // Done after two tries; the failure stays on record.
    expect(await jobsOf(db, subject)).toMatchObject([{ done_at: clock(), attempts: 2, last_error: 'Error: gateway unreachable' }]);
  });

  it('records a failed SQL statement in the handler, and a job of unknown kind, as failures', async () => {
    const { db } = database();
    const broken = randomUUID();
    const unknown = randomUUID();
    await scheduleJob(db, { kind: 'broken', subjectId: broken, dueAt: minutes(-2) }, clock());
    await scheduleJob(db, { kind: 'nobody-handles-this', subjectId: unknown, dueAt: minutes(-1) }, clock());
    // Every object has a toString: a kind must be the handlers' own key.
    await scheduleJob(db, { kind: 'toString', subjectId: unknown, dueAt: minutes(-1) }, clock());
    const handlers = {
      broken: async (trx: Transaction<DB>, job: Job) => {
        await writeEffect(trx, job);
        // Aborts the whole transaction on PostgreSQL: only the savepoint makes recording possible.
        await sql`SELECT 1 / 0`.execute(trx);
      },
    };
    expect(await runDueJobs(db, handlers, clock())).toEqual({ done: 0, failed: 3 });
    expect(await effects(db)).toEqual([]);
    expect((await jobsOf(db, broken))[0]).toMatchObject({ attempts: 1, done_at: null, last_error: expect.stringMatching(/^\[22012\] .*division by zero/) });
    expect((await jobsOf(db, unknown)).map((r) => [r.attempts, r.done_at, r.last_error]).sort()).toEqual([
      [1, null, 'Error: no handler for job kind "nobody-handles-this"'],
      [1, null, 'Error: no handler for job kind "toString"'],
    ]);
  });

  it('records a job whose transaction fails at commit as failed, so that it does not block the queue', async () => {
    const { db } = database();
    await sql`CREATE TABLE IF NOT EXISTS job_deferred (id int, CONSTRAINT job_deferred_once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)`.execute(db);
    const [late, next] = [randomUUID(), randomUUID()];
    await scheduleJob(db, { kind: 'late', subjectId: late, dueAt: minutes(-2) }, clock());
    await scheduleJob(db, { kind: 'next', subjectId: next, dueAt: minutes(-1) }, clock());
    const lateHandler: JobHandler = async (trx, job) => {
      await writeEffect(trx, job);
      // Checked only at COMMIT, after the handler has returned.
      await sql`INSERT INTO job_deferred (id) VALUES (1), (1)`.execute(trx);
    };
    expect(await runDueJobs(db, { late: lateHandler, next: record }, clock())).toEqual({ done: 1, failed: 1 });
    expect((await effects(db)).map((e) => e.note)).toEqual(['next']);
    expect(await jobsOf(db, late)).toMatchObject([{ attempts: 1, done_at: null, last_error: expect.stringMatching(/^\[23505\] /) }]);
  });

  it('retries a failing job ever later, and cuts a long error message short', async () => {
    const { db } = database();
    const subject = randomUUID();
    const long: JobHandler = () => Promise.reject(new Error('错'.repeat(5000)));
    await scheduleJob(db, { kind: 'long', subjectId: subject, dueAt: clock() }, clock());
    const dueTimes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [row] = await jobsOf(db, subject);
      if (!row) throw new Error('job missing');
      clock.set(row.due_at);
      expect(await runDueJobs(db, { long }, clock())).toEqual({ done: 0, failed: 1 });
      dueTimes.push((await jobsOf(db, subject))[0]?.due_at.getTime() ?? 0);
    }
    const gaps = dueTimes.map((t, i) => t - (i === 0 ? new Date('2026-12-01T02:00:00Z').getTime() : (dueTimes[i - 1] ?? 0)));
    expect(gaps).toEqual([30_000, 60_000, 120_000, 240_000]);
    const [row] = await jobsOf(db, subject);
    expect(row?.attempts).toBe(4);
    expect(row?.last_error).toHaveLength(2000);
    expect(row?.last_error?.endsWith('错…')).toBe(true);
  });

  if (engine === 'pglite') {
    it('finishes exactly once the work of a runner that stopped in the middle of it (simulated)', async () => {
      // One process holds the one PGlite connection: the stop is a handler dying after its effect.
      const { db } = database();
      const subject = randomUUID();
      await scheduleJob(db, { kind: 'crash-test', subjectId: subject, dueAt: clock() }, clock());
      const dying: JobHandler = async (trx, job) => {
        await writeEffect(trx, job, 'dying');
        throw new Error('process died');
      };
      expect(await runDueJobs(db, { 'crash-test': dying }, clock())).toEqual({ done: 0, failed: 1 });
      expect(await effects(db)).toEqual([]);
      expect(await jobsOf(db, subject)).toMatchObject([{ done_at: null }]);
      clock.advance(retryDelayMs(1));
      expect(await runDueJobs(db, { 'crash-test': record }, clock())).toEqual({ done: 1, failed: 0 });
      expect(await runDueJobs(db, { 'crash-test': record }, clock())).toEqual({ done: 0, failed: 0 });
      expect((await effects(db)).map((e) => e.note)).toEqual(['crash-test']);
    });
  }

  if (engine === 'postgres') {
    it('finishes exactly once the work of a runner process killed in the middle of it', async () => {
      const { db } = database();
      const postgresUrl = inject('postgresUrl');
      if (!postgresUrl) throw new Error('no PostgreSQL url');
      const name = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(db)).rows[0]?.name ?? '';
      const subject = randomUUID();
      await scheduleJob(db, { kind: 'crash-test', subjectId: subject, dueAt: clock() }, clock());

      const child = spawn(process.execPath, ['--import', 'tsx', CRASH_RUNNER, withDatabase(postgresUrl, name), clock().toISOString()], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const backendPid = await new Promise<number>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /effect-written (\d+)/.exec(out);
            if (match) resolve(Number(match[1]));
          });
          child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
          child.on('exit', (code) => reject(new Error(`crash runner exited (${code}) before its effect: ${out} ${err}`)));
        });
        // The child holds the job: another runner passes it by and sees none of its effect.
        expect(await runDueJobs(db, { 'crash-test': record }, clock())).toEqual({ done: 0, failed: 0 });
        expect(await effects(db)).toEqual([]);

        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        // The server ends the session (rolling back) once it sees the socket closed.
        await vi.waitFor(
          async () => {
            const alive = await sql`SELECT 1 FROM pg_stat_activity WHERE pid = ${backendPid}`.execute(db);
            if (alive.rows.length > 0) throw new Error('session still alive');
          },
          { timeout: 5000, interval: 20 },
        );
        expect(await jobsOf(db, subject)).toMatchObject([{ done_at: null, attempts: 0 }]);
        expect(await effects(db)).toEqual([]);

        expect(await runDueJobs(db, { 'crash-test': (trx, job) => writeEffect(trx, job, 'parent') }, clock())).toEqual({ done: 1, failed: 0 });
        expect(await runDueJobs(db, { 'crash-test': record }, clock())).toEqual({ done: 0, failed: 0 });
        expect((await effects(db)).map((e) => e.note)).toEqual(['parent']);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('does every job exactly once with three runners racing', async () => {
      const { db } = database();
      const jobs = Array.from({ length: 200 }, (_, i) => ({ kind: 'race', subjectId: randomUUID(), dueAt: new Date(clock().getTime() - i * 1000) }));
      await scheduleJobs(db, jobs, clock());
      const runners = ['r1', 'r2', 'r3'].map((name) => runDueJobs(db, { race: (trx, job) => writeEffect(trx, job, name) }, clock(), { limit: 1000 }));
      const counts = await Promise.all(runners);
      expect(counts.reduce((sum, c) => sum + c.done, 0)).toBe(200);
      expect(counts.every((c) => c.failed === 0)).toBe(true);
      const summary = await sql<{ total: number; distinct_jobs: number; runners: number }>`
        SELECT count(*)::int AS total, count(DISTINCT job_id)::int AS distinct_jobs, count(DISTINCT note)::int AS runners FROM job_effect`.execute(db);
      // Exactly once each, and the runners really did share the work.
      expect(summary.rows[0]).toMatchObject({ total: 200, distinct_jobs: 200 });
      expect(summary.rows[0]?.runners).toBeGreaterThanOrEqual(2);
      const pending = await db.selectFrom('scheduled_job').select((eb) => eb.fn.countAll<number>().as('n')).where('done_at', 'is', null).executeTakeFirstOrThrow();
      expect(Number(pending.n)).toBe(0);
    });
  }

  describe('the runner loop', () => {
    const log = () => ({ warn: vi.fn(), error: vi.fn() });

    it('runs a round on demand and by itself, and logs failures', async () => {
      const { db } = database();
      const warnings = log();
      const bad = randomUUID();
      await scheduleJob(db, { kind: 'quick', subjectId: randomUUID(), dueAt: minutes(-1) }, clock());
      await scheduleJob(db, { kind: 'bad', subjectId: bad, dueAt: minutes(-1) }, clock());
      const handlers = { quick: record, bad: () => Promise.reject(new Error('boom')) };
      const idle = startJobRunner({ db, clock, handlers, pollMs: 60_000, log: warnings });
      try {
        expect(await idle.runNow()).toEqual({ done: 1, failed: 1 });
        const [row] = await jobsOf(db, bad);
        expect(warnings.warn).toHaveBeenCalledWith(expect.objectContaining({ code: 'JOB_FAILED', kind: 'bad', jobId: row?.id, attempts: 1 }), expect.any(String));
      } finally {
        await idle.stop();
      }
      expect(await idle.runNow()).toEqual({ done: 0, failed: 0 });

      const polling = startJobRunner({ db, clock, handlers: { quick: record }, pollMs: 5, log: log() });
      try {
        await scheduleJob(db, { kind: 'quick', subjectId: randomUUID(), dueAt: clock() }, clock());
        await vi.waitFor(async () => expect(await effects(db)).toHaveLength(2), { timeout: 2000, interval: 10 });
      } finally {
        await polling.stop();
      }
    });

    it('never runs two rounds at once; a call during a round gets a fresh round after it', async () => {
      const { db } = database();
      const gate = deferred();
      const entered = deferred();
      const handlers = {
        slow: async (trx: Transaction<DB>, job: Job) => {
          entered.resolve();
          await gate.promise;
          await writeEffect(trx, job);
        },
        quick: record,
      };
      await scheduleJob(db, { kind: 'slow', subjectId: randomUUID(), dueAt: clock() }, clock());
      await scheduleJob(db, { kind: 'quick', subjectId: randomUUID(), dueAt: minutes(1) }, clock());
      let reads = 0;
      const counted = () => (reads++, clock());
      const runner = startJobRunner({ db, clock: counted, handlers, pollMs: 2, log: log() });
      try {
        const first = runner.runNow();
        await entered.promise;
        // 'quick' becomes due while the round is held up; no database access here (PGlite's one
        // connection is in the round's transaction).
        clock.advance(120_000);
        const second = runner.runNow();
        const third = runner.runNow();
        await sleep(40);
        expect(reads).toBe(1);
        gate.resolve();
        expect(await first).toEqual({ done: 1, failed: 0 });
        expect(await second).toEqual({ done: 1, failed: 0 });
        expect(await third).toEqual({ done: 1, failed: 0 });
        expect((await effects(db)).map((e) => e.note).sort()).toEqual(['quick', 'slow']);
      } finally {
        gate.resolve();
        await runner.stop();
      }
    });

    it('stop() lets the job in hand finish and takes no other', async () => {
      const { db } = database();
      const gate = deferred();
      const entered = deferred();
      const handlers = {
        slow: async (trx: Transaction<DB>, job: Job) => {
          entered.resolve();
          await gate.promise;
          await writeEffect(trx, job);
        },
        quick: record,
      };
      await scheduleJob(db, { kind: 'slow', subjectId: randomUUID(), dueAt: minutes(-1) }, clock());
      const quick = randomUUID();
      await scheduleJob(db, { kind: 'quick', subjectId: quick, dueAt: clock() }, clock());
      const runner = startJobRunner({ db, clock, handlers, pollMs: 60_000, log: log() });
      const round = runner.runNow();
      await entered.promise;
      let stopped = false;
      const stopping = runner.stop().then(() => (stopped = true));
      try {
        await sleep(30);
        expect(stopped).toBe(false);
      } finally {
        // Whatever happened, let the held transaction end, or the database cannot be closed.
        gate.resolve();
      }
      await stopping;
      expect(await round).toEqual({ done: 1, failed: 0 });
      expect((await effects(db)).map((e) => e.note)).toEqual(['slow']);
      expect(await jobsOf(db, quick)).toMatchObject([{ done_at: null }]);
    });
  });
});
