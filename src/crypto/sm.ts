// 国密 primitives on Node's OpenSSL 3: SM3 (hash), HMAC-SM3, SM4 (block cipher).
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export function sm3(...parts: Array<string | Uint8Array>): Buffer {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function hmacSm3(key: Uint8Array, ...parts: Array<string | Uint8Array>): Buffer {
  const mac = createHmac('sm3', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const VERSION = 1;
const IV_BYTES = 16;
const MAC_BYTES = 32;

// Sub-keys: one for SM4, one for the MAC, derived from the configured 128-bit key. Keys are few
// and long-lived, so the derivation is remembered per key.
const derived = new WeakMap<Uint8Array, { encryption: Buffer; authentication: Buffer }>();

function subKeys(key: Uint8Array): { encryption: Buffer; authentication: Buffer } {
  let keys = derived.get(key);
  if (!keys) {
    keys = { encryption: hmacSm3(key, 'hcp-sm4-encryption').subarray(0, 16), authentication: hmacSm3(key, 'hcp-sm4-authentication') };
    derived.set(key, keys);
  }
  return keys;
}

/**
 * SM4-CBC then HMAC-SM3 over version, IV and ciphertext (encrypt-then-MAC), since the bundled
 * OpenSSL offers no SM4-GCM. Layout: version (1) ‖ IV (16) ‖ ciphertext ‖ MAC (32).
 */
export function sm4Seal(key: Uint8Array, plaintext: string | Uint8Array, associated = ''): Buffer {
  const { encryption, authentication } = subKeys(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('sm4-cbc', encryption, iv);
  const body = Buffer.concat([Buffer.from([VERSION]), iv, cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([body, hmacSm3(authentication, body, associated)]);
}

export class DecryptionError extends Error {}

export function sm4Open(key: Uint8Array, sealed: Uint8Array, associated = ''): Buffer {
  const data = Buffer.from(sealed);
  if (data.length < 1 + IV_BYTES + 16 + MAC_BYTES || data[0] !== VERSION) throw new DecryptionError('sealed data is malformed');
  const { encryption, authentication } = subKeys(key);
  const body = data.subarray(0, data.length - MAC_BYTES);
  if (!equalBytes(hmacSm3(authentication, body, associated), data.subarray(data.length - MAC_BYTES))) {
    throw new DecryptionError('sealed data failed authentication (wrong key or altered)');
  }
  const decipher = createDecipheriv('sm4-cbc', encryption, body.subarray(1, 1 + IV_BYTES));
  return Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]);
}

/** SM2 (GB/T 32918) signature with SM3 over `data`, DER-encoded, by OpenSSL's default distinguishing id. */
export function sm2Sign(privateKey: KeyObject, data: string | Uint8Array): Buffer {
  return sign('sm3', typeof data === 'string' ? Buffer.from(data) : data, privateKey);
}

export function sm2Verify(publicKey: KeyObject, data: string | Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sm3', typeof data === 'string' ? Buffer.from(data) : data, publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * A new SM2 key pair. Keys are re-read from PEM: OpenSSL marks a key loaded from PEM as SM2 (signing
 * with the SM2 scheme and its Z value), while a freshly generated one would sign as plain ECDSA.
 */
export function generateSm2KeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  const generated = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const privateKey = createPrivateKey(generated.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { privateKey, publicKey: createPublicKey(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' })) };
}

/** An SM2 private key from PEM (PKCS#8), or null when it is not one. */
export function sm2PrivateKeyFromPem(pem: string): KeyObject | null {
  try {
    const key = createPrivateKey(pem);
    // Node 20 reports no type for a PEM-loaded SM2 key (OpenSSL 3 gives it its own); any other
    // elliptic curve shows as 'ec'. The probe proves it signs and verifies.
    if (key.asymmetricKeyType !== undefined) return null;
    const probe = sm2Sign(key, 'hcp-sm2-probe');
    return sm2Verify(createPublicKey(key), 'hcp-sm2-probe', probe) ? key : null;
  } catch {
    return null;
  }
}
