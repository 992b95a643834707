import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { checkTimestamp } from '../auth/signature.ts';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { places, seedPlaces } from '../auth/testing.ts';
import type { DB } from '../db/schema.ts';
import { bookRecurringJobs, createLogger, jobHandlersFor } from '../system.ts';
import { PRUNE, PRUNE_RULES, PRUNE_SUBJECT, pruneJob, schedulePruning } from './pruning.ts';
import { runDueJobs, scheduleJob } from './scheduled-jobs.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const config = testConfig({ SIGNATURE_MAX_AGE_SECONDS: '300', RETENTION_FINISHED_JOBS_DAYS: '30', RETENTION_FRAUD_SIGNALS_DAYS: '7', PRUNE_EVERY_MINUTES: '60', PRUNE_BATCH_ROWS: '3' });
const handlers = { [PRUNE]: pruneJob({ config }) };
const silentLog = createLogger(config);
const NONCE_KEEP_MS = 2 * 300_000 + MINUTE;

const count = async (db: Kysely<DB>, table: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0]?.n);
const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);

describeOnEngines('pruning old rows', (database) => {
  const clock = testClock('2026-12-07T04:00:00Z');
  let accountId = '';

  beforeAll(async () => {
    const { db } = database();
    await seedPlaces(db);
    accountId = (await createStaffAccount(db, { username: 'prune.me', password: 'sichuan-2026-good', displayName: 'P', role: 'supervisor', scopeRegionCode: places.province }, clock())).id;
  });
  beforeEach(async () => {
    const { db } = database();
    clock.set('2026-12-07T04:00:00Z');
    for (const rule of PRUNE_RULES) await sql`DELETE FROM ${sql.table(rule.table)}`.execute(db);
  });

  /** Rows on either side of each rule's cut-off at `now`: the old ones must go, the young ones stay. */
  async function seed(db: Kysely<DB>, now: Date, copies = 1): Promise<void> {
    for (let i = 0; i < copies; i++) {
      await db
        .insertInto('staff_session')
        .values([
          { token_hash: Buffer.from(`expired-${i}`), account_id: accountId, created_at: ago(now, 13 * 3600_000), expires_at: ago(now, 1000) },
          { token_hash: Buffer.from(`live-${i}`), account_id: accountId, created_at: ago(now, 3600_000), expires_at: new Date(now.getTime() + 1000) },
        ])
        .execute();
      await db
        .insertInto('request_nonce')
        .values([
          { app_id: 'prune-app', nonce: `old-nonce-${i}`, seen_at: ago(now, NONCE_KEEP_MS + 1000) },
          { app_id: 'prune-app', nonce: `young-nonce-${i}`, seen_at: ago(now, NONCE_KEEP_MS - 1000) },
        ])
        .execute();
      // The pending one is not due yet: there is no handler for it here.
      const job = (doneAt: Date | null, kind: string) => ({ id: randomUUID(), kind, subject_id: randomUUID(), due_at: doneAt ?? ago(now, -DAY), payload: '{}', created_at: ago(now, 40 * DAY), done_at: doneAt });
      await db
        .insertInto('scheduled_job')
        .values([job(ago(now, 31 * DAY), 'old-done'), job(ago(now, 29 * DAY), 'young-done'), job(null, 'long-pending')])
        .execute();
      await db
        .insertInto('rating_context')
        .values([
          { evaluation_id: randomUUID(), install_key: null, network_key: Buffer.from(`old-${i}`), recorded_at: ago(now, 7 * DAY + 10 * MINUTE) },
          { evaluation_id: randomUUID(), install_key: null, network_key: Buffer.from(`young-${i}`), recorded_at: ago(now, 7 * DAY - 10 * MINUTE) },
        ])
        .execute();
      const challenge = (expiresAt: Date) => ({
        id: randomUUID(),
        place_kind: 'window' as const,
        place_id: randomUUID(),
        phone_lookup: Buffer.from(`phone-${i}`),
        code_hash: Buffer.from('code'),
        case_stage_ids: [],
        message_id: null,
        created_at: ago(expiresAt, 10 * MINUTE),
        expires_at: expiresAt,
        used_at: null,
      });
      await db
        .insertInto('applicant_challenge')
        .values([challenge(ago(now, 7 * DAY + MINUTE)), challenge(ago(now, 7 * DAY - MINUTE))])
        .execute();
      await db
        .insertInto('proof_failure')
        .values([
          { source_hash: Buffer.from(`old-failure-${i}`), bucket: ago(now, 7 * DAY + 60 * MINUTE), count: 2 },
          { source_hash: Buffer.from(`young-failure-${i}`), bucket: ago(now, 7 * DAY - 60 * MINUTE), count: 2 },
        ])
        .execute();
      // Default limits: 15 minutes' window and 15 minutes' lock on either rule.
      await db
        .insertInto('sign_in_attempt')
        .values([
          { id: randomUUID(), account_hash: Buffer.from(`old-attempt-${i}`), address_hash: Buffer.from('a'), at: ago(now, 30 * MINUTE + 1000) },
          { id: randomUUID(), account_hash: Buffer.from(`young-attempt-${i}`), address_hash: Buffer.from('a'), at: ago(now, 30 * MINUTE - 1000) },
        ])
        .execute();
    }
  }

  it('deletes what is past its retention in every table and keeps the rest', async () => {
    const { db } = database();
    await seed(db, clock());
    await schedulePruning(db, clock());
    expect(await runDueJobs(db, handlers, clock())).toEqual({ done: 1, failed: 0 });

    const tokens = (await db.selectFrom('staff_session').select('token_hash').execute()).map((r) => Buffer.from(r.token_hash).toString());
    expect(tokens).toEqual(['live-0']);
    expect((await db.selectFrom('request_nonce').select('nonce').execute()).map((r) => r.nonce)).toEqual(['young-nonce-0']);
    // The prune job's own rows (the finished run and the next one) are young.
    const jobs = await db.selectFrom('scheduled_job').select('kind').where('kind', '!=', PRUNE).orderBy('kind').execute();
    expect(jobs.map((r) => r.kind)).toEqual(['long-pending', 'young-done']);
    expect((await db.selectFrom('rating_context').select('recorded_at').execute()).map((r) => r.recorded_at)).toEqual([ago(clock(), 7 * DAY - 10 * MINUTE)]);
    expect((await db.selectFrom('applicant_challenge').select('expires_at').execute()).map((r) => r.expires_at)).toEqual([ago(clock(), 7 * DAY - MINUTE)]);
    expect((await db.selectFrom('proof_failure').select('source_hash').execute()).map((r) => Buffer.from(r.source_hash).toString())).toEqual(['young-failure-0']);
    expect((await db.selectFrom('sign_in_attempt').select('account_hash').execute()).map((r) => Buffer.from(r.account_hash).toString())).toEqual(['young-attempt-0']);
  });

  it('books the next run a period later, saying what this one deleted', async () => {
    const { db } = database();
    await seed(db, clock());
    await schedulePruning(db, clock());
    await runDueJobs(db, handlers, clock());
    const next = await db.selectFrom('scheduled_job').select(['due_at', 'payload']).where('kind', '=', PRUNE).where('done_at', 'is', null).executeTakeFirstOrThrow();
    expect(next.due_at).toEqual(new Date(clock().getTime() + 60 * MINUTE));
    expect(next.payload).toEqual({ previous: { at: clock().toISOString(), pruned: { staff_session: 1, request_nonce: 1, scheduled_job: 1, rating_context: 1, applicant_challenge: 1, proof_failure: 1, sign_in_attempt: 1 } } });
    // Nothing else is due until then; an hour later it runs again.
    expect(await runDueJobs(db, handlers, new Date(clock().getTime() + 59 * MINUTE))).toEqual({ done: 0, failed: 0 });
    expect(await runDueJobs(db, handlers, new Date(clock().getTime() + 60 * MINUTE))).toEqual({ done: 1, failed: 0 });
  });

  it('deletes at most a batch per table in one transaction, and comes back at once while more is left', async () => {
    const { db } = database();
    await seed(db, clock(), 7);
    await schedulePruning(db, clock());
    // One run: three rows (PRUNE_BATCH_ROWS) of each table, and the next run due now.
    expect(await runDueJobs(db, handlers, clock(), { limit: 1 })).toEqual({ done: 1, failed: 0 });
    expect(await count(db, 'request_nonce')).toBe(14 - 3);
    expect(await count(db, 'rating_context')).toBe(14 - 3);
    const next = await db.selectFrom('scheduled_job').select('due_at').where('kind', '=', PRUNE).where('done_at', 'is', null).executeTakeFirstOrThrow();
    expect(next.due_at).toEqual(clock());
    // The runner takes the following runs until the backlog is gone: 7 old rows, 3 at a time.
    expect(await runDueJobs(db, handlers, clock())).toEqual({ done: 2, failed: 0 });
    for (const table of ['staff_session', 'request_nonce', 'rating_context', 'applicant_challenge', 'proof_failure', 'sign_in_attempt']) expect(await count(db, table)).toBe(7);
    expect(await count(db, 'scheduled_job')).toBe(7 * 2 + 4);
  });

  it('keeps a nonce as long as a replay of its request could pass the timestamp check', async () => {
    const { db } = database();
    const maxAgeSeconds = config.auth.signatureMaxAgeSeconds;
    // A client whose clock runs W ahead: its request, stamped T, is first seen at T − W.
    const timestamp = new Date('2026-12-07T04:00:00Z').getTime();
    const seenAt = new Date(timestamp - maxAgeSeconds * 1000);
    await db.insertInto('request_nonce').values({ app_id: 'replay-app', nonce: 'replayed-nonce-000001', seen_at: seenAt }).execute();
    // The last moment a replay passes the timestamp check: T + W, that is seenAt + 2W.
    const lastAccepted = new Date(timestamp + maxAgeSeconds * 1000);
    expect(() => checkTimestamp(String(timestamp), lastAccepted, maxAgeSeconds)).not.toThrow();
    await scheduleJob(db, { kind: PRUNE, subjectId: PRUNE_SUBJECT, dueAt: lastAccepted }, lastAccepted);
    await runDueJobs(db, handlers, lastAccepted);
    expect(await count(db, 'request_nonce')).toBe(1);
    // Once no replay can pass, the nonce goes.
    const later = new Date(seenAt.getTime() + NONCE_KEEP_MS + 1);
    expect(() => checkTimestamp(String(timestamp), later, maxAgeSeconds)).toThrow();
    await scheduleJob(db, { kind: PRUNE, subjectId: PRUNE_SUBJECT, dueAt: later }, later);
    await runDueJobs(db, handlers, later);
    expect(await count(db, 'request_nonce')).toBe(0);
  });

  it('books the first run once, whatever the number of starts', async () => {
    const { db } = database();
    await db.deleteFrom('scheduled_job').execute();
    await schedulePruning(db, clock());
    await schedulePruning(db, new Date(clock().getTime() + DAY));
    const pending = await db.selectFrom('scheduled_job').select('due_at').where('kind', '=', PRUNE).where('done_at', 'is', null).execute();
    expect(pending.map((r) => r.due_at)).toEqual([clock()]);
  });

  it('is booked at start and run with the system\'s job handlers', async () => {
    const { db } = database();
    await db.deleteFrom('scheduled_job').execute();
    await seed(db, clock());
    await db.transaction().execute((trx) => bookRecurringJobs(trx, clock()));
    await runDueJobs(db, jobHandlersFor(config, silentLog), clock());
    const runs = await db.selectFrom('scheduled_job').select(['done_at', 'due_at']).where('kind', '=', PRUNE).orderBy('created_at').execute();
    expect(runs).toEqual([
      { done_at: clock(), due_at: clock() },
      { done_at: null, due_at: new Date(clock().getTime() + 60 * MINUTE) },
    ]);
    expect(await count(db, 'request_nonce')).toBe(1);
  });
});
