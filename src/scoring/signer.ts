// The SM2 key that signs snapshots: from configuration (PEM), else from a key file, which development
// and test installations create on first use. Production never creates one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/config.ts';
import { generateSm2KeyPair, sm2PrivateKeyFromPem } from '../crypto/sm.ts';
import { AppError } from '../errors.ts';
import type { SnapshotSigner } from './snapshots.ts';

export function loadSigner(config: Config): SnapshotSigner {
  const settings = config.scoring.signingKey;
  let pem = settings.pem;
  if (pem === null && existsSync(settings.file)) pem = readFileSync(settings.file, 'utf8');
  if (pem === null) {
    if (!settings.mayCreate) throw new AppError('SIGNING_KEY_INVALID', { reason: 'SNAPSHOT_SIGNING_KEY or SNAPSHOT_SIGNING_KEY_FILE must hold an SM2 private key' });
    pem = generateSm2KeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    mkdirSync(dirname(settings.file), { recursive: true });
    writeFileSync(settings.file, pem, { mode: 0o600 });
  }
  const privateKey = sm2PrivateKeyFromPem(pem);
  if (!privateKey) throw new AppError('SIGNING_KEY_INVALID', { reason: 'the configured key is not an SM2 private key (PKCS#8 PEM)' });
  return { keyId: settings.id, privateKey };
}
