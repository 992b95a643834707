// Sealing personal information at rest (SM4), finding it again without decrypting (keyed SM3),
// and opening it only with an access-log entry written first.
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Config, PiiKey } from '../config/config.ts';
import { hmacSm3, sm4Open, sm4Seal } from '../crypto/sm.ts';
import type { DB, MaskedPerson } from '../db/schema.ts';
import { maskPerson, type Person } from './person.ts';

export interface SealedPerson {
  sealed: Buffer;
  keyId: string;
  masked: MaskedPerson;
  phoneLookup: Buffer | null;
  certLookup: Buffer | null;
}

export function lookupHash(config: Config, kind: 'phone' | 'certNo', value: string): Buffer {
  return hmacSm3(config.pii.lookupKey, kind, '\u0000', value);
}

function activeKey(config: Config): PiiKey {
  const key = config.pii.keys[0];
  if (!key) throw new Error('no PII key configured');
  return key;
}

/** Seal a person for the row `rowId` (bound as associated data, so ciphertexts cannot be swapped between rows). */
export function sealPerson(config: Config, person: Person, rowId: string): SealedPerson {
  const key = activeKey(config);
  const plain = JSON.stringify([person.name ?? null, person.phone ?? null, person.certNo ?? null]);
  return {
    sealed: sm4Seal(key.key, plain, rowId),
    keyId: key.id,
    masked: maskPerson(person),
    phoneLookup: person.phone ? lookupHash(config, 'phone', person.phone) : null,
    certLookup: person.certNo ? lookupHash(config, 'certNo', person.certNo) : null,
  };
}

export interface RevealRequest {
  table: 'evaluation' | 'service_case';
  rowId: string;
  sealed: Uint8Array;
  keyId: string;
  actor: string;
  actorRole: string;
  purpose: string;
}

/** Decrypt a sealed person. The access is logged (append-only) before the plaintext is returned. */
export async function revealPerson(db: Kysely<DB>, config: Config, request: RevealRequest, now: Date): Promise<Person> {
  const key = config.pii.keys.find((k) => k.id === request.keyId);
  if (!key) throw new Error(`PII key ${request.keyId} is not configured; it is needed to read old rows`);
  const [name, phone, certNo] = JSON.parse(sm4Open(key.key, request.sealed, request.rowId).toString('utf8')) as Array<string | null>;
  const person: Person = { name: name ?? undefined, phone: phone ?? undefined, certNo: certNo ?? undefined };
  await db
    .insertInto('pii_access_log')
    .values({
      id: uuidv7(),
      at: now,
      actor: request.actor,
      actor_role: request.actorRole,
      purpose: request.purpose,
      subject_table: request.table,
      subject_id: request.rowId,
      fields: Object.entries(person).filter(([, v]) => v !== undefined).map(([k]) => k),
    })
    .execute();
  return person;
}
