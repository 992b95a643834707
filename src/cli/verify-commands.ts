// `verify` and `verify-snapshot`: both trust only keys from outside the database, the configured
// signing key by default or a public key file given with --public-key (an auditor's copy).
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import { configuredTrustedKeys, publicKeyFromPem, type TrustedKeys } from '../crypto/signing-key.ts';
import type { DB, PeriodKind } from '../db/schema.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { readSnapshot, verifySnapshot } from '../scoring/snapshots.ts';
import { printVerifyReport } from './print.ts';

type Print = (line: string) => void;

function fileKey(file: string): ReturnType<typeof publicKeyFromPem> {
  return publicKeyFromPem(readFileSync(file, 'utf8'));
}

/** Exit code 0 when every chain and every checkpoint holds, else 1. */
export async function verifyLedgerCommand(db: Kysely<DB>, config: Config, options: { publicKeyFile?: string | undefined }, print: Print): Promise<number> {
  const trustedKeys: TrustedKeys = options.publicKeyFile ? new Map([[config.scoring.signingKey.id, fileKey(options.publicKeyFile)]]) : configuredTrustedKeys(config);
  const report = await verifyLedger(db, { trustedKeys });
  printVerifyReport(report, print);
  return report.ok ? 0 : 1;
}

export async function verifySnapshotCommand(db: Kysely<DB>, config: Config, period: { kind: PeriodKind; key: string }, options: { publicKeyFile?: string | undefined }, print: Print): Promise<number> {
  // A key file stands for the key the snapshot names; otherwise only the configured key is trusted.
  const trustedKeys: TrustedKeys = options.publicKeyFile
    ? new Map([[(await readSnapshot(db, period.kind, period.key))?.keyId ?? '', fileKey(options.publicKeyFile)]])
    : configuredTrustedKeys(config);
  const report = await verifySnapshot(db, period.kind, period.key, trustedKeys);
  print(`${report.ok ? '核验通过 / verified' : '核验不通过 / NOT verified'}: ${report.period}, ${report.unitsCompared} units recomputed`);
  for (const problem of report.problems) print(`  ${problem.code}: ${problem.detail}`);
  return report.ok ? 0 : 1;
}
