import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { generateSm2KeyPair, hmacSm3, sm2PrivateKeyFromPem, sm2Sign, sm2Verify, sm3, sm4Open, sm4Seal } from './sm.ts';

describe('SM3', () => {
  it('matches the GB/T 32905 example "abc"', () => {
    expect(sm3('abc').toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('matches the GB/T 32905 512-bit example', () => {
    expect(sm3('abcd'.repeat(16)).toString('hex')).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('HMAC-SM3 depends on the key', () => {
    expect(hmacSm3(Buffer.from('k1'), 'm').equals(hmacSm3(Buffer.from('k2'), 'm'))).toBe(false);
    expect(hmacSm3(Buffer.from('k1'), 'm')).toHaveLength(32);
  });
});

describe('SM4 sealing', () => {
  const key = Buffer.alloc(16, 7);
  it('round-trips Chinese text with a fresh IV each time', () => {
    const a = sm4Seal(key, '张三 13812341234');
    const b = sm4Seal(key, '张三 13812341234');
    expect(a.equals(b)).toBe(false);
    expect(sm4Open(key, a).toString('utf8')).toBe('张三 13812341234');
  });
  it('refuses an altered ciphertext, a wrong key and a wrong associated value', () => {
    const sealed = sm4Seal(key, 'secret', 'row-1');
    const altered = Buffer.from(sealed);
    altered[20] = (altered[20] ?? 0) ^ 1;
    expect(() => sm4Open(key, altered, 'row-1')).toThrow(/authentication/);
    expect(() => sm4Open(Buffer.alloc(16, 8), sealed, 'row-1')).toThrow(/authentication/);
    expect(() => sm4Open(key, sealed, 'row-2')).toThrow(/authentication/);
  });
});

describe('SM2', () => {
  it('signs and verifies, through PEM too, and refuses other keys and altered data', () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    const signature = sm2Sign(privateKey, '文件');
    expect(sm2Verify(publicKey, '文件', signature)).toBe(true);
    expect(sm2Verify(publicKey, '文件!', signature)).toBe(false);
    const reloaded = sm2PrivateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(reloaded).not.toBeNull();
    expect(sm2Verify(publicKey, 'x', sm2Sign(reloaded as never, 'x'))).toBe(true);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(sm2PrivateKeyFromPem(p256)).toBeNull();
    expect(sm2PrivateKeyFromPem('not a key')).toBeNull();
  });
});
