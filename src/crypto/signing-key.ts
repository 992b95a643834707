// The platform's SM2 key, which signs published snapshots and ledger checkpoints: from configuration
// (PEM), else from a key file, which development and test installations create on first use.
// Production never creates one. Verification trusts only public keys from outside the database
// (this configuration, or a file an auditor was given): a key stored beside what it signed proves
// nothing to anyone who can write that database.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { generateSm2KeyPair, sm2PrivateKeyFromPem } from './sm.ts';

export interface Sm2Signer {
  keyId: string;
  privateKey: KeyObject;
}

/** Key id → public key, of keys trusted from outside the database. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

function configuredPem(config: Config): string | null {
  const settings = config.scoring.signingKey;
  if (settings.pem !== null) return settings.pem;
  return existsSync(settings.file) ? readFileSync(settings.file, 'utf8') : null;
}

function privateKeyOf(pem: string): KeyObject {
  const privateKey = sm2PrivateKeyFromPem(pem);
  if (!privateKey) throw new AppError('SIGNING_KEY_INVALID', { reason: 'the configured key is not an SM2 private key (PKCS#8 PEM)' });
  return privateKey;
}

export function loadSigner(config: Config): Sm2Signer {
  const settings = config.scoring.signingKey;
  let pem = configuredPem(config);
  if (pem === null) {
    if (!settings.mayCreate) throw new AppError('SIGNING_KEY_INVALID', { reason: 'SNAPSHOT_SIGNING_KEY or SNAPSHOT_SIGNING_KEY_FILE must hold an SM2 private key' });
    pem = generateSm2KeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    mkdirSync(dirname(settings.file), { recursive: true });
    writeFileSync(settings.file, pem, { mode: 0o600 });
  }
  return { keyId: settings.id, privateKey: privateKeyOf(pem) };
}

/** The configured key's public half under its id; empty when no key is configured (none is created here). */
export function configuredTrustedKeys(config: Config): TrustedKeys {
  const pem = configuredPem(config);
  return pem === null ? new Map() : new Map([[config.scoring.signingKey.id, createPublicKey(privateKeyOf(pem))]]);
}

/** The public halves of these signers' keys (tests, and a signer checking its own work). */
export function trustedKeysOf(...signers: Sm2Signer[]): TrustedKeys {
  return new Map(signers.map((s) => [s.keyId, createPublicKey(s.privateKey)]));
}

/** A public key from a PEM file (SPKI), or the public half of a private key's PEM. */
export function publicKeyFromPem(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new AppError('SIGNING_KEY_INVALID', { reason: 'not a PEM public (SPKI) or private (PKCS#8) key' });
  }
}

export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}
