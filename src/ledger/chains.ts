// Writer chains. Each intake writer appends to its own chain so that writers stay parallel; the
// chain row is locked FOR UPDATE in every append, so even two writers on one chain stay consistent.
// A lease only spreads processes over chains; correctness never depends on it.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { GENESIS_HASH } from './canonical.ts';

const LEASE_SECONDS = 60;

/** Take a chain whose lease has lapsed, or open a new one. */
export async function claimChain(db: Kysely<DB>, owner: string, now: Date): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const claimed = await db.transaction().execute(async (trx) => {
      const free = await trx
        .selectFrom('ledger_chain')
        .select('chain_id')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('chain_id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (free) {
        await trx.updateTable('ledger_chain').set({ lease_owner: owner, lease_until: leaseEnd(now) }).where('chain_id', '=', free.chain_id).execute();
        return free.chain_id;
      }
      const next = await trx.selectFrom('ledger_chain').select(sql<number>`coalesce(max(chain_id), 0) + 1`.as('id')).executeTakeFirstOrThrow();
      const inserted = await trx
        .insertInto('ledger_chain')
        .values({ chain_id: next.id, head_seq: 0, head_hash: GENESIS_HASH, created_at: now, lease_owner: owner, lease_until: leaseEnd(now) })
        .onConflict((oc) => oc.doNothing())
        .returning('chain_id')
        .executeTakeFirst();
      return inserted?.chain_id ?? null;
    });
    if (claimed !== null) return claimed;
  }
  throw new Error('could not claim a ledger chain');
}

function leaseEnd(now: Date): Date {
  return new Date(now.getTime() + LEASE_SECONDS * 1000);
}

export async function renewLease(db: Kysely<DB>, chainId: number, owner: string, now: Date): Promise<void> {
  await db.updateTable('ledger_chain').set({ lease_owner: owner, lease_until: leaseEnd(now) }).where('chain_id', '=', chainId).execute();
}

export async function releaseChain(db: Kysely<DB>, chainId: number, owner: string): Promise<void> {
  await db.updateTable('ledger_chain').set({ lease_owner: null, lease_until: null }).where('chain_id', '=', chainId).where('lease_owner', '=', owner).execute();
}
