// Evidence files in the database: stored once per content (the SM3 digest is the key), remembered
// per uploader, resolved into a ticket step's attachments, and read back for whoever may see them.
import { sql, type Kysely, type Transaction } from 'kysely';
import { sm3 } from '../crypto/sm.ts';
import type { AttachmentRef, DB, EvidenceAttachmentRef, EvidenceMediaType, TicketAttachmentRef } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { sanitiseFilename } from './rules.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface StoredEvidence {
  digest: string;
  mediaType: EvidenceMediaType;
  size: number;
  name: string;
}

export interface EvidenceBytes {
  mediaType: EvidenceMediaType;
  size: number;
  bytes: Buffer;
  name: string;
}

export const digestOf = (bytes: Uint8Array): string => sm3(bytes).toString('hex');

/** PGlite gives a Uint8Array, pg a Buffer: one Buffer over the same memory either way. */
const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * Keep an upload (already checked by checkUpload): the bytes once per content, and the uploader's
 * name for it. The same bytes again, by anyone, add no second copy.
 */
export async function storeEvidence(db: Kysely<DB>, upload: { bytes: Uint8Array; mediaType: EvidenceMediaType; name: string; accountId: string }, now: Date): Promise<StoredEvidence> {
  const digest = digestOf(upload.bytes);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('evidence_file')
      .values({ digest, media_type: upload.mediaType, size: upload.bytes.length, bytes: upload.bytes, uploaded_by: upload.accountId, uploaded_at: now })
      .onConflict((oc) => oc.column('digest').doNothing())
      .execute();
    await trx
      .insertInto('evidence_upload')
      .values({ account_id: upload.accountId, digest, name: upload.name, uploaded_at: now })
      .onConflict((oc) => oc.columns(['account_id', 'digest']).doUpdateSet({ name: upload.name, uploaded_at: now }))
      .execute();
  });
  return { digest, mediaType: upload.mediaType, size: upload.bytes.length, name: upload.name };
}

/** A file its uploader may look at before any ticket names it; undefined for anybody else. */
export async function uploadedEvidence(db: Db, digest: string, accountId: string): Promise<EvidenceBytes | undefined> {
  const row = await db
    .selectFrom('evidence_upload as u')
    .innerJoin('evidence_file as f', 'f.digest', 'u.digest')
    .select(['f.media_type', 'f.size', 'f.bytes', 'u.name'])
    .where('u.account_id', '=', accountId)
    .where('u.digest', '=', digest)
    .executeTakeFirst();
  return row && { mediaType: row.media_type, size: row.size, bytes: asBuffer(row.bytes), name: row.name };
}

/** Events of the ticket whose attachments name the digest (jsonb containment). */
const namedBy = (ticketId: string, digest: string) => sql<boolean>`exists (
  select 1 from ticket_event e
  where e.ticket_id = ${ticketId} and e.attachments @> ${JSON.stringify([{ evidence: digest }])}::jsonb
)`;

/**
 * A file as attached to a ticket: only if an event of that ticket names the digest, under the name
 * of its first such attachment. The caller has checked that it may see the ticket.
 */
export async function ticketEvidence(db: Db, ticketId: string, digest: string): Promise<EvidenceBytes | undefined> {
  const row = await db
    .selectFrom('evidence_file as f')
    .select(['f.media_type', 'f.size', 'f.bytes'])
    .select(
      sql<string>`(select a->>'name' from ticket_event e, jsonb_array_elements(e.attachments) a
        where e.ticket_id = ${ticketId} and a->>'evidence' = ${digest} order by e.seq limit 1)`.as('name'),
    )
    .where('f.digest', '=', digest)
    .where(namedBy(ticketId, digest))
    .executeTakeFirst();
  return row && { mediaType: row.media_type, size: row.size, bytes: asBuffer(row.bytes), name: row.name };
}

/** A step's attachment as the API takes it: a reference to a file kept elsewhere, or an uploaded file. */
export type AttachmentInput = AttachmentRef | { evidence: string; name: string };

/**
 * The attachments of a step as its event records them: each uploaded file checked and described by
 * its stored type and size. A file may be attached by the account that uploaded it, or again on a
 * ticket that names it already; anything else is EVIDENCE_NOT_FOUND, whether or not the digest
 * exists (a digest seen somewhere is no key to the file). Runs in the step's transaction.
 */
export async function resolveAttachments(trx: Transaction<DB>, accountId: string, ticketId: string, inputs: readonly AttachmentInput[]): Promise<TicketAttachmentRef[]> {
  const digests = [...new Set(inputs.flatMap((a) => ('evidence' in a ? [a.evidence] : [])))];
  const rows = digests.length === 0 ? [] : await trx
    .selectFrom('evidence_file as f')
    .select(['f.digest', 'f.media_type', 'f.size'])
    .where('f.digest', 'in', digests)
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('evidence_upload as u').select(sql`1`.as('one')).where('u.digest', '=', eb.ref('f.digest')).where('u.account_id', '=', accountId)),
        eb.exists(
          eb
            .selectFrom('ticket_event as e')
            .select(sql`1`.as('one'))
            .where('e.ticket_id', '=', ticketId)
            .where(sql<boolean>`e.attachments @> jsonb_build_array(jsonb_build_object('evidence', f.digest))`),
        ),
      ]),
    )
    .execute();
  const found = new Map(rows.map((r) => [r.digest, r]));
  return inputs.map((input): TicketAttachmentRef => {
    if (!('evidence' in input)) return input;
    const file = found.get(input.evidence);
    if (!file) throw new AppError('EVIDENCE_NOT_FOUND', { evidence: input.evidence });
    const attachment: EvidenceAttachmentRef = { name: sanitiseFilename(input.name, file.media_type), evidence: input.evidence, mediaType: file.media_type, size: file.size };
    return attachment;
  });
}
