import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Run `work` in a transaction, or in the caller's one if `db` already is a transaction: a
 * command is atomic on its own and joins an import's all-or-nothing transaction when inside one.
 */
export async function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
