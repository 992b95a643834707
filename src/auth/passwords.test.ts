import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, DEFAULT_SCRYPT, hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords.ts';

// Cheap parameters where the test is about the format, not the cost.
const fast = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores the algorithm, parameters, salt and hash, and verifies', async () => {
    const stored = await hashPassword('成都好差评-2026');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('成都好差评-2026', stored)).toBe(true);
    expect(await verifyPassword('成都好差评-2027', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts each hash, so equal passwords give different strings', async () => {
    const a = await hashPassword('correct horse battery', fast);
    const b = await hashPassword('correct horse battery', fast);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse battery', b)).toBe(true);
  });

  it('reads the parameters from the stored string', async () => {
    const stored = await hashPassword('correct horse battery', fast);
    expect(stored.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(needsRehash(stored)).toBe(true);
    expect(needsRehash(await hashPassword('correct horse battery'))).toBe(false);
  });

  it('treats composed and decomposed Unicode as the same password', async () => {
    const stored = await hashPassword('caf\u00e9-password', fast);
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });

  it('refuses malformed or dangerous stored strings instead of throwing', async () => {
    const stored = await hashPassword('correct horse battery', fast);
    const [, , r, p, salt, hash] = stored.split('$');
    for (const bad of ['', 'plain', `bcrypt$1024$${r}$${p}$${salt}$${hash}`, `scrypt$1000$${r}$${p}$${salt}$${hash}`, `scrypt$${2 ** 24}$${r}$${p}$${salt}$${hash}`, `scrypt$1024$0$${p}$${salt}$${hash}`]) {
      expect(await verifyPassword('correct horse battery', bad)).toBe(false);
    }
  });

  it('spends real work on the dummy check and never succeeds', async () => {
    // CPU time, not wall time: the test files run side by side, and the machine's cores are shared.
    const cpuMs = async (work: () => Promise<unknown>) => {
      const before = process.cpuUsage();
      await work();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    let result: boolean | undefined;
    const dummyMs = await cpuMs(async () => (result = await verifyAgainstDummy('anything at all')));
    expect(result).toBe(false);
    const stored = await hashPassword('anything at all', DEFAULT_SCRYPT);
    const realMs = await cpuMs(() => verifyPassword('anything at all', stored));
    // Same parameters, same work: within a generous factor.
    expect(dummyMs).toBeGreaterThan(realMs / 4);
  });
});

describe('password policy', () => {
  it('needs at least 10 characters, counting Chinese characters as one each', () => {
    expect(checkPasswordPolicy('123456789')?.code).toBe('AUTH_PASSWORD_TOO_WEAK');
    expect(checkPasswordPolicy('1234567890')).toBeNull();
    expect(checkPasswordPolicy('四川政务服务好差评平')).toBeNull();
    expect(checkPasswordPolicy('四川政务服务好差评')?.code).toBe('AUTH_PASSWORD_TOO_WEAK');
  });
  it('refuses blank, overlong and username-equal passwords', () => {
    expect(checkPasswordPolicy(' '.repeat(12))?.code).toBe('AUTH_PASSWORD_TOO_WEAK');
    expect(checkPasswordPolicy('x'.repeat(257))?.code).toBe('AUTH_PASSWORD_TOO_WEAK');
    expect(checkPasswordPolicy('Chengdu.Admin', 'chengdu.admin')?.code).toBe('AUTH_PASSWORD_TOO_WEAK');
    expect(checkPasswordPolicy('another-password', 'chengdu.admin')).toBeNull();
  });
});
