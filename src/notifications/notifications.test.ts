import { beforeAll, expect, it } from 'vitest';
import { createStaffAccount, type NewStaffAccount } from '../auth/staff-accounts.ts';
import type { DB } from '../db/schema.ts';
import { prepareDatabase } from '../system.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeOrg } from '../../test/factories.ts';
import type { Kysely } from 'kysely';
import { notify } from './notifications.ts';

const NOW = new Date('2026-12-01T02:00:00.000Z');
const TICKET = '0190a5b0-0000-7000-8000-0000000000aa';
let serial = 0;

/** A staff account through the real command; e-mail and deactivation set afterwards. */
async function staffAccount(db: Kysely<DB>, scope: Pick<NewStaffAccount, 'role' | 'scopeRegionCode' | 'scopeOrgId'>, extra: { email?: string; active?: boolean } = {}): Promise<string> {
  const n = ++serial;
  const account = await createStaffAccount(db, { username: `notify.${process.pid}.${n}`, password: 'sichuan-2026-good', displayName: `账号${n}`, ...scope }, NOW);
  await db.updateTable('staff_account').set({ email: extra.email ?? null, active: extra.active ?? true }).where('id', '=', account.id).execute();
  return account.id;
}

describeOnEngines('notify: fan-out to accounts', (database) => {
  const a: Record<string, string> = {};
  let orgA: string;

  const notifiedFor = async (kind: string) =>
    (await database().db.selectFrom('notification').select('account_id').where('kind', '=', kind).execute()).map((r) => r.account_id).sort();
  const ids = (...names: string[]) => names.map((name) => a[name]).sort();

  beforeAll(async () => {
    const { db } = database();
    await prepareDatabase(database());
    orgA = (await makeOrg(db, { regionCode: '510104' })).id;
    const orgB = (await makeOrg(db, { regionCode: '510104' })).id;
    const handler = (org: string) => ({ role: 'org_handler' as const, scopeOrgId: org });
    const supervisor = (region: string) => ({ role: 'supervisor' as const, scopeRegionCode: region });
    a.handlerA1 = await staffAccount(db, handler(orgA), { email: 'wang.a1@jinjiang.gov.cn' });
    a.handlerA2 = await staffAccount(db, handler(orgA));
    a.handlerA3 = await staffAccount(db, handler(orgA), { email: 'gone.a3@jinjiang.gov.cn', active: false });
    a.handlerB = await staffAccount(db, handler(orgB), { email: 'li.b@jinjiang.gov.cn' });
    a.province = await staffAccount(db, supervisor('510000'), { email: 'du.sheng@sc.gov.cn' });
    a.chengdu1 = await staffAccount(db, supervisor('510100'));
    a.chengdu2 = await staffAccount(db, supervisor('510100'), { email: 'du.cd@chengdu.gov.cn' });
    a.jinjiangOff = await staffAccount(db, supervisor('510104'), { active: false });
    a.mianyang = await staffAccount(db, supervisor('510700'));
    a.admin = await staffAccount(db, { role: 'province_admin', scopeRegionCode: '510000' });
  });

  it('reaches the active handlers of the org only, in one row each, with a time-ordered id', async () => {
    const params = { receiptNo: 'AB12-CD34-EF56', level: 1 };
    const result = await notify(database().db, { kind: 'ticket_opened', ticketId: TICKET, params, to: { orgHandlersOf: orgA } }, NOW);
    expect(result).toEqual({ accounts: 2, emails: [] });
    const rows = await database().db.selectFrom('notification').selectAll().where('kind', '=', 'ticket_opened').execute();
    expect(rows.map((r) => r.account_id).sort()).toEqual(ids('handlerA1', 'handlerA2'));
    for (const row of rows) {
      expect(row).toMatchObject({ kind: 'ticket_opened', ticket_id: TICKET, params, created_at: NOW, read_at: null });
      // UUIDv7: the first 48 bits are `now` in milliseconds, then version 7 and the RFC variant.
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(row.id.replace(/-/g, '').slice(0, 12), 16)).toBe(NOW.getTime());
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
  });

  it('reaches every active supervisor whose region covers the path, and no other role', async () => {
    const result = await notify(database().db, { kind: 'over_all', ticketId: null, params: {}, to: { supervisorsOver: '510000/510100/510104/' } }, NOW);
    expect(result.accounts).toBe(3);
    expect(await notifiedFor('over_all')).toEqual(ids('province', 'chengdu1', 'chengdu2'));
  });

  it('with nearestOnly, reaches only the nearest level that has active supervisors', async () => {
    const { db } = database();
    // The district's own supervisor is disabled, so Chengdu is the nearest level over Jinjiang.
    await notify(db, { kind: 'near_jinjiang', ticketId: null, params: {}, to: { supervisorsOver: '510000/510100/510104/', nearestOnly: true } }, NOW);
    expect(await notifiedFor('near_jinjiang')).toEqual(ids('chengdu1', 'chengdu2'));
    await notify(db, { kind: 'near_mianyang', ticketId: null, params: {}, to: { supervisorsOver: '510000/510700/510703/', nearestOnly: true } }, NOW);
    expect(await notifiedFor('near_mianyang')).toEqual(ids('mianyang'));
    // Zigong has no supervisor of its own: the province is the supervising level.
    await notify(db, { kind: 'near_zigong', ticketId: null, params: {}, to: { supervisorsOver: '510000/510300/510302/', nearestOnly: true } }, NOW);
    expect(await notifiedFor('near_zigong')).toEqual(ids('province'));
  });

  it('reaches listed accounts that are active, each once', async () => {
    const result = await notify(database().db, { kind: 'listed', ticketId: null, params: {}, to: { accounts: [a.handlerA1 ?? '', a.handlerA3 ?? '', a.mianyang ?? '', a.handlerA1 ?? ''] } }, NOW);
    expect(result.accounts).toBe(2);
    expect(await notifiedFor('listed')).toEqual(ids('handlerA1', 'mianyang'));
    expect(await notify(database().db, { kind: 'nobody', ticketId: null, params: {}, to: { accounts: [] } }, NOW)).toEqual({ accounts: 0, emails: [] });
  });

  it('queues an e-mail for each recipient with an address, and none for the others', async () => {
    const { db } = database();
    const result = await notify(db, { kind: 'deadline_missed', ticketId: TICKET, params: { deadline: 'verify' }, to: { supervisorsOver: '510000/510100/510104/' }, email: true }, NOW);
    expect(result.accounts).toBe(3);
    expect(result.emails).toHaveLength(2);
    const queued = await db.selectFrom('outbound_message').selectAll().where('id', 'in', result.emails).execute();
    expect(queued.map((m) => m.recipient_id).sort()).toEqual(ids('province', 'chengdu2'));
    for (const message of queued) {
      expect(message).toMatchObject({ channel: 'email', recipient_kind: 'account', purpose: 'notification:deadline_missed', status: 'pending', attempts: 0, created_at: NOW });
      expect(message.subject).toBe('【好差评】工单已超过核实时限。');
      expect(message.body).toContain('The ticket has missed its verification deadline.');
      expect(message.body).toContain(TICKET);
    }
    // Without email: true, nothing is queued even for accounts that have an address.
    const before = await db.selectFrom('outbound_message').select('id').execute();
    expect((await notify(db, { kind: 'quiet', ticketId: null, params: {}, to: { orgHandlersOf: orgA } }, NOW)).emails).toEqual([]);
    expect(await db.selectFrom('outbound_message').select('id').execute()).toHaveLength(before.length);
  });

  it('writes nothing when the caller’s transaction rolls back', async () => {
    const { db } = database();
    await expect(
      db.transaction().execute(async (trx) => {
        await notify(trx, { kind: 'rolled_back', ticketId: null, params: {}, to: { orgHandlersOf: orgA }, email: true }, NOW);
        throw new Error('the ticket step failed');
      }),
    ).rejects.toThrow('the ticket step failed');
    expect(await notifiedFor('rolled_back')).toEqual([]);
    expect(await db.selectFrom('outbound_message').select('id').where('purpose', '=', 'notification:rolled_back').execute()).toEqual([]);
  });
});
