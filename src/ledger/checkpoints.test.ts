import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyLedgerCommand } from '../cli/verify-commands.ts';
import type { Config } from '../config/config.ts';
import { configuredTrustedKeys, loadSigner } from '../crypto/signing-key.ts';
import { generateSm2KeyPair, sm2Sign } from '../crypto/sm.ts';
import { runDueJobs } from '../jobs/scheduled-jobs.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { checkpointText, CHECKPOINT_SUBJECT, LEDGER_CHECKPOINT, scheduleCheckpoints } from './checkpoints.ts';
import { verifyLedger } from './verify.ts';

describeOnEngines('signed checkpoints of the chain heads', (database) => {
  const clock = testClock('2026-11-20T02:00:00Z');
  let config: Config;
  let system: System;
  const db = () => database().db;
  const checkpoints = () => db().selectFrom('ledger_checkpoint').select(['id', 'reason', 'document', 'key_id']).orderBy('id').execute();
  const runJobs = () => runDueJobs(db(), system.jobHandlers, clock());

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', INTAKE_WRITERS: '1', LEDGER_CHECKPOINT_EVERY_MINUTES: '10' });
    system = await startSystem(config, { database: database(), clock });
    const org = await makeOrg(db());
    const item = await makeItem(db(), { id: org.id, region_code: '510104' });
    const projects: string[] = [];
    for (let i = 0; i < 6; i++) projects.push(await makeCompletedCase(db(), config, item, '2026-11-18 10:00:00'));
    const outcomes = await submitDrafts(system.intake, projects.map((p) => draft(p)));
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
  });
  afterAll(async () => {
    await system?.close();
  });

  it('the recurring job signs the heads when one moved, and books its next run', async () => {
    await db().transaction().execute((trx) => scheduleCheckpoints(trx, clock()));
    expect((await runJobs()).failed).toBe(0);
    const [first, ...others] = await checkpoints();
    expect(others).toEqual([]);
    const chain = await db().selectFrom('ledger_chain').select(['chain_id', 'head_seq', 'head_hash']).where('head_seq', '>', 0).executeTakeFirstOrThrow();
    expect(chain.head_seq).toBe(6);
    expect(first).toMatchObject({ reason: 'scheduled', key_id: config.scoring.signingKey.id });
    expect(JSON.parse(first?.document ?? '').heads).toContainEqual({ chainId: chain.chain_id, seq: 6, hash: Buffer.from(chain.head_hash).toString('hex') });
    const next = await db().selectFrom('scheduled_job').select('due_at').where('kind', '=', LEDGER_CHECKPOINT).where('subject_id', '=', CHECKPOINT_SUBJECT).where('done_at', 'is', null).executeTakeFirstOrThrow();
    expect(next.due_at.toISOString()).toBe('2026-11-20T02:10:00.000Z');
    // Nothing moved since: the next run writes nothing.
    clock.advance(10 * 60_000);
    expect((await runJobs()).done).toBe(1);
    expect(await checkpoints()).toHaveLength(1);

    const report = await verifyLedger(db(), { trustedKeys: configuredTrustedKeys(config) });
    expect(report.checkpoints).toEqual({ ok: true, checkpoints: 1, signaturesChecked: true, problems: [] });
    expect(report.ok).toBe(true);
  });

  it('cannot be changed or removed (append-only, like the ledger)', async () => {
    for (const statement of [sql`UPDATE ledger_checkpoint SET reason = 'scheduled'`, sql`DELETE FROM ledger_checkpoint`, sql`TRUNCATE ledger_checkpoint`]) {
      await expect(statement.execute(db())).rejects.toThrow(/LEDGER_APPEND_ONLY/);
    }
    expect(await checkpoints()).toHaveLength(1);
  });

  it('names a truncation: the last rows deleted and ledger_chain moved back pass the chain check, not the checkpoints', async () => {
    const chain = await db().selectFrom('ledger_chain').select(['chain_id', 'head_seq']).where('head_seq', '>', 0).executeTakeFirstOrThrow();
    const keep = await db().selectFrom('evaluation').select(['seq', 'hash']).where('chain_id', '=', chain.chain_id).where('seq', '=', 4).executeTakeFirstOrThrow();
    // Exactly the tamper: rows 5 and 6 deleted (triggers bypassed, as a superuser could), and the
    // head table, which the application must be able to write, moved back to row 4.
    await db().transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`DELETE FROM evaluation WHERE chain_id = ${chain.chain_id} AND seq > 4`.execute(trx);
    });
    await db().updateTable('ledger_chain').set({ head_seq: 4, head_hash: keep.hash }).where('chain_id', '=', chain.chain_id).execute();

    const report = await verifyLedger(db(), { trustedKeys: configuredTrustedKeys(config) });
    // The chains alone are consistent: this is what went unnoticed before checkpoints.
    expect(report.chains.every((c) => c.ok)).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.checkpoints.problems).toEqual([
      expect.objectContaining({ reason: 'truncated', chainId: chain.chain_id, seq: 4, detail: expect.stringContaining(`chain ${chain.chain_id} truncated after seq 4`) }),
    ]);

    // The command names it too, and exits 1.
    const lines: string[] = [];
    expect(await verifyLedgerCommand(db(), config, {}, (line) => lines.push(line))).toBe(1);
    expect(lines.join('\n')).toContain(`chain ${chain.chain_id} truncated after seq 4: checkpoint of`);
    expect(lines.at(-1)).toContain('LEDGER BROKEN');
  });

  it('checks every signature against the configured key, not against anything in the database', async () => {
    // A checkpoint that claims to be the platform's, signed with another key.
    const forged = checkpointText(clock(), 'scheduled', []);
    await db()
      .insertInto('ledger_checkpoint')
      .values({ id: '01930000-0000-7000-8000-000000000001', taken_at: clock(), reason: 'scheduled', document: forged, signature: sm2Sign(generateSm2KeyPair().privateKey, forged), key_id: config.scoring.signingKey.id })
      .execute();
    const report = await verifyLedger(db(), { trustedKeys: configuredTrustedKeys(config) });
    expect(report.checkpoints.problems.map((p) => p.reason).sort()).toEqual(['signature_invalid', 'truncated']);
    // Without trusted keys nothing is said about the signatures, and the report says so.
    const unchecked = await verifyLedger(db());
    expect(unchecked.checkpoints.signaturesChecked).toBe(false);
    expect(unchecked.checkpoints.problems.map((p) => p.reason)).toEqual(['truncated']);
    // The key that signs is the configured one.
    expect(configuredTrustedKeys(config).get(loadSigner(config).keyId)).toBeDefined();
  });
});
