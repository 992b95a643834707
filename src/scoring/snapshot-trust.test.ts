import { createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifySnapshotCommand } from '../cli/verify-commands.ts';
import type { Config } from '../config/config.ts';
import { loadSigner } from '../crypto/signing-key.ts';
import { generateSm2KeyPair, sm2Sign } from '../crypto/sm.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { parsePeriod, type Period } from './periods.ts';
import { closePeriod, verifySnapshot, type SnapshotSigner } from './snapshots.ts';

describeOnEngines('verify-snapshot trusts the configured key, not the one stored in the database', (database) => {
  const clock = testClock('2026-11-25T00:00:00Z');
  const october = parsePeriod('2026-10') as Period;
  let config: Config;
  let system: System;
  let signer: SnapshotSigner;
  const db = () => database().db;
  const verify = async (options: { publicKeyFile?: string } = {}, withConfig = config) => {
    const lines: string[] = [];
    const exitCode = await verifySnapshotCommand(db(), withConfig, { kind: 'month', key: '2026-10' }, options, (line) => lines.push(line));
    return { exitCode, output: lines.join('\n') };
  };

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false' });
    system = await startSystem(config, { database: database(), clock });
    signer = loadSigner(config);
  });
  afterAll(async () => {
    await system?.close();
  });

  it('closing signs with the configured key, also as a ledger checkpoint, and verifies by default', async () => {
    const snapshot = await closePeriod(db(), signer, october, 'test', clock());
    const checkpoint = await db().selectFrom('ledger_checkpoint').select(['document', 'key_id']).where('reason', '=', 'period_close').executeTakeFirstOrThrow();
    expect(checkpoint.key_id).toBe(signer.keyId);
    expect(JSON.parse(checkpoint.document).heads).toEqual(snapshot.document.checkpoint.chains);
    expect(await verify()).toEqual({ exitCode: 0, output: expect.stringContaining('核验通过 / verified') });
  });

  it('a snapshot re-signed with another key, whose public key is swapped into the database, fails with the reason named', async () => {
    const intruder = generateSm2KeyPair();
    const row = await db().selectFrom('score_snapshot').select(['id', 'document']).where('period_key', '=', '2026-10').executeTakeFirstOrThrow();
    await db().transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await trx.updateTable('score_snapshot').set({ signature: sm2Sign(intruder.privateKey, row.document) }).where('id', '=', row.id).execute();
      await trx.updateTable('signing_key').set({ public_key_pem: intruder.publicKey.export({ type: 'spki', format: 'pem' }).toString() }).where('key_id', '=', signer.keyId).execute();
    });
    // Trusting what the database holds, as verification did before, the forgery passes.
    const stored = await db().selectFrom('signing_key').select('public_key_pem').where('key_id', '=', signer.keyId).executeTakeFirstOrThrow();
    expect((await verifySnapshot(db(), 'month', '2026-10', new Map([[signer.keyId, createPublicKey(stored.public_key_pem)]]))).ok).toBe(true);

    // By default the configured key decides.
    const byDefault = await verify();
    expect(byDefault.exitCode).toBe(1);
    expect(byDefault.output).toContain('核验不通过 / NOT verified');
    expect(byDefault.output).toMatch(/signature_invalid: .*trusted key hcp-sm2-1/);
    expect(byDefault.output).toMatch(/key_mismatch: the public key stored in the database for key id hcp-sm2-1 is not the trusted one/);

    // So does a public key file an auditor was given.
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-key-')), 'public.pem');
    writeFileSync(file, createPublicKey(signer.privateKey).export({ type: 'spki', format: 'pem' }).toString());
    const byFile = await verify({ publicKeyFile: file });
    expect(byFile.exitCode).toBe(1);
    expect(byFile.output).toContain('signature_invalid');

    // With no key configured and none given, nothing is trusted: the snapshot is not verified.
    const unconfigured = await verify({}, testConfig({ SNAPSHOT_SIGNING_KEY_FILE: join(tmpdir(), 'hcp-no-such-key.pem') }));
    expect(unconfigured.exitCode).toBe(1);
    expect(unconfigured.output).toContain('unknown_key: no trusted public key for key id hcp-sm2-1');
  });
});
