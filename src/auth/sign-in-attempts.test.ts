import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { attemptSucceeded, beginSignInAttempt } from './sign-in-attempts.ts';
import { testConfig } from './testing.ts';

const MINUTE = 60_000;
const config = testConfig({
  SIGN_IN_ACCOUNT_MAX_FAILURES: '3',
  SIGN_IN_ACCOUNT_WINDOW_MINUTES: '15',
  SIGN_IN_ACCOUNT_LOCK_MINUTES: '10',
  SIGN_IN_ADDRESS_MAX_FAILURES: '5',
  SIGN_IN_ADDRESS_WINDOW_MINUTES: '15',
  SIGN_IN_ADDRESS_LOCK_MINUTES: '20',
});
const start = new Date('2026-12-08T02:00:00Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);

describeOnEngines('sign-in attempts in the database', (database) => {
  beforeEach(async () => {
    await sql`DELETE FROM sign_in_attempt`.execute(database().db);
  });
  const begin = (username: string, address: string, minutes: number) => beginSignInAttempt(database().db, config, { username, address }, at(minutes));
  const lockOf = async (attempt: Promise<unknown>) => {
    try {
      await attempt;
      return null;
    } catch (error) {
      return error as { code: string; details: { retryAfterSeconds: number } };
    }
  };

  it('locks an account name after N failures within the window, for the lock time, from any address', async () => {
    await begin('cd.admin', '203.0.113.1', 0);
    await begin('CD.Admin ', '203.0.113.2', 1);
    await begin('cd.admin', '203.0.113.3', 2);
    const locked = await lockOf(begin('cd.admin', '198.51.100.9', 3));
    expect(locked).toMatchObject({ code: 'AUTH_SIGN_IN_LOCKED', details: { retryAfterSeconds: 9 * 60 } });
    // Refused attempts are not recorded: the lock ends on time.
    expect(await lockOf(begin('cd.admin', '198.51.100.9', 11.99))).toMatchObject({ code: 'AUTH_SIGN_IN_LOCKED' });
    expect(await lockOf(begin('cd.admin', '198.51.100.9', 12))).toBeNull();
    // Another name is not touched.
    expect(await lockOf(begin('jj.handler', '203.0.113.1', 3))).toBeNull();
  });

  it('counts a name nobody has exactly like an existing one', async () => {
    for (const minute of [0, 1, 2]) await begin('no.such.user', '203.0.113.1', minute);
    expect(await lockOf(begin('no.such.user', '203.0.113.9', 3))).toMatchObject({ code: 'AUTH_SIGN_IN_LOCKED', details: { retryAfterSeconds: 9 * 60 } });
  });

  it('locks an address after its own threshold, whichever names it tries', async () => {
    for (let i = 0; i < 5; i++) await begin(`guess.${i}`, '2001:db8:1:2::1', i);
    // Another address in the same IPv6 /64 is the same client.
    const locked = await lockOf(begin('guess.9', '2001:db8:1:2::ffff', 5));
    expect(locked).toMatchObject({ code: 'AUTH_SIGN_IN_LOCKED', details: { retryAfterSeconds: 19 * 60 } });
    expect(await lockOf(begin('guess.9', '2001:db8:1:3::1', 5))).toBeNull();
  });

  it('forgives the name its failures once the password was right, but not the address', async () => {
    await begin('cd.admin', '203.0.113.1', 0);
    await begin('cd.admin', '203.0.113.1', 1);
    await begin('other.name', '203.0.113.1', 1);
    const right = await begin('cd.admin', '203.0.113.1', 2);
    await attemptSucceeded(database().db, config, 'CD.admin', right);
    const left = await database().db.selectFrom('sign_in_attempt').select('at').execute();
    expect(left.map((row) => row.at)).toEqual([at(1)]);
    // Three more failures of the name are needed again.
    await begin('cd.admin', '203.0.113.1', 3);
    await begin('cd.admin', '203.0.113.1', 4);
    expect(await lockOf(begin('cd.admin', '203.0.113.1', 5))).toBeNull();
  });

  it('lets exactly N parallel attempts through to the password check', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => lockOf(begin('burst.target', `203.0.113.${10 + i}`, 0))));
    expect(results.filter((result) => result === null)).toHaveLength(3);
    expect(results.filter((result) => result?.code === 'AUTH_SIGN_IN_LOCKED')).toHaveLength(5);
  });

  it('keeps neither the name nor the address in the clear', async () => {
    await begin('cd.admin', '203.0.113.1', 0);
    const row = await database().db.selectFrom('sign_in_attempt').selectAll().executeTakeFirstOrThrow();
    const stored = Buffer.concat([Buffer.from(row.account_hash), Buffer.from(row.address_hash)]).toString('latin1');
    expect(stored).not.toContain('cd.admin');
    expect(stored).not.toContain('203.0.113.1');
    expect(row.account_hash).toHaveLength(32);
  });
});
