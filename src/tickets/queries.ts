// Reading tickets back for the rater's pages and the ticket detail: the evaluation behind a ticket
// (masked), receipts and replies. The desk's filtered lists are in desk-queries.ts.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The evaluation behind a ticket, as its handlers may see it: the rater masked, never unsealed. */
export async function ratedEvaluation(db: Kysely<DB>, evaluationId: string) {
  return db
    .selectFrom('evaluation')
    .select(['id', 'receipt_no', 'project_no', 'service_number', 'assess_number', 'level', 'indicator_version', 'indicator_codes', 'comment', 'channel', 'assessed_at', 'received_at', 'is_anonymous', 'rater_masked'])
    .where('id', '=', evaluationId)
    .executeTakeFirst();
}

/**
 * Receipt numbers are printed grouped ('K7Q2-9XMD-3FPA'); people type them any way: lower case,
 * with spaces or other dashes or none, full-width from a Chinese input method, and with the
 * letters Crockford's base 32 leaves out read as the digits they look like (O → 0, I and L → 1).
 */
export function normalizeReceiptNo(text: string): string | null {
  const compact = text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.·\u2010-\u2015\u2212\u30fc]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(compact)) return null;
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`;
}

export async function findByReceipt(db: Kysely<DB>, receiptNo: string) {
  const evaluation = await db
    .selectFrom('evaluation')
    .select(['id', 'receipt_no', 'level', 'channel', 'assessed_at', 'received_at', 'assess_number'])
    .where('receipt_no', '=', receiptNo)
    .executeTakeFirst();
  if (!evaluation) return undefined;
  const ticket = await db.selectFrom('ticket').selectAll().where('evaluation_id', '=', evaluation.id).executeTakeFirst();
  return { evaluation, ticket };
}

/** The replies of a ticket, oldest first (a reopened ticket is answered again). */
export async function repliesOf(db: Kysely<DB>, ticketId: string): Promise<Array<{ text: string; at: Date }>> {
  const rows = await db.selectFrom('ticket_event').select(['payload', 'at']).where('ticket_id', '=', ticketId).where('type', '=', 'reply').orderBy('seq').execute();
  return rows.map((r) => ({ text: String(r.payload.text ?? ''), at: r.at }));
}
