// What the API shows of bulletins: the stored row as a summary, and each named unit's response
// folded from its events (the current state is the latest).
import { Type, type Static } from 'typebox';
import type { AttachmentRef, BulletinResponseState } from '../db/schema.ts';
import { ReferenceAttachment } from '../tickets/presenter.ts';
import { PeriodKindSchema, RESPONSE_STATE_NAMES, UnitClassSchema, UnitKindSchema, type BulletinDocument } from './document.ts';
import type { BulletinListItem, BulletinRow, ResponseRow } from './queries.ts';

const Instant = Type.String({ format: 'date-time' });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export const BulletinSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    periodKind: PeriodKindSchema,
    periodKey: Type.String(),
    unitClass: UnitClassSchema,
    bottomN: Type.Integer(),
    consecutivePeriods: Type.Integer(),
    namedCount: Type.Integer({ description: '被通报单位数 / units named' }),
    snapshotIds: Type.Array(Type.String({ format: 'uuid' }), { description: '所依据的统计快照，由近及远 / the snapshots used, newest first' }),
    digest: Type.String({ description: '通报文件（存储的 JSON 原文）的 SM3 摘要，十六进制 / SM3 of the stored document text, hex' }),
    issuedBy: Type.String(),
    issuedAt: Instant,
  },
  { $id: 'BulletinSummary', title: 'BulletinSummary' },
);
export type BulletinSummary = Static<typeof BulletinSummary>;

export function presentSummary(row: Omit<BulletinRow, 'document'>, title: string, namedCount: number): BulletinSummary {
  return {
    id: row.id,
    title,
    periodKind: row.period_kind,
    periodKey: row.period_key,
    unitClass: unitClassOf(row.unit_class),
    bottomN: row.bottom_n,
    consecutivePeriods: row.consecutive,
    namedCount,
    snapshotIds: row.snapshot_ids,
    digest: hex(row.digest),
    issuedBy: row.issued_by,
    issuedAt: row.issued_at.toISOString(),
  };
}

export const presentListItem = (item: BulletinListItem): BulletinSummary => presentSummary(item.row, item.titleZh, item.namedCount);
export const presentBulletin = (row: BulletinRow, document: BulletinDocument): BulletinSummary => presentSummary(row, document.title.zh, document.named.length);

function unitClassOf(value: string): BulletinSummary['unitClass'] {
  if (value === 'prefecture' || value === 'county' || value === 'provincial_department') return value;
  throw new Error(`bulletin with an unknown unit class ${value}`);
}

const ResponseStateSchema = Type.Union([Type.Literal('pending'), Type.Literal('submitted'), Type.Literal('returned'), Type.Literal('accepted')], {
  description: 'pending 待反馈 / submitted 已反馈待审核 / returned 已退回 / accepted 已通过',
});

export const ResponseEventView = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  state: ResponseStateSchema,
  text: Type.Union([Type.String(), Type.Null()]),
  attachments: Type.Array(ReferenceAttachment),
  actor: Type.String(),
  at: Instant,
});

export const ResponseView = Type.Object(
  {
    unitKind: UnitKindSchema,
    unitId: Type.String(),
    name: Type.String(),
    state: ResponseStateSchema,
    stateName: Type.Object({ zh: Type.String(), en: Type.String() }),
    updatedAt: Instant,
    submissions: Type.Integer({ description: '提交整改反馈的次数 / how many times the unit has reported' }),
    events: Type.Array(ResponseEventView, { description: '全部操作记录，依次 / every step, in order' }),
  },
  { $id: 'BulletinResponse', title: 'BulletinResponse' },
);
export type ResponseView = Static<typeof ResponseView>;

export interface ResponseStatus extends ResponseView {
  /** The latest report (整改情况) the unit submitted, if any. */
  latestSubmission: { text: string | null; attachments: AttachmentRef[]; at: string } | null;
  /** The supervisor's word on it (returned or accepted), if given since. */
  review: { state: BulletinResponseState; text: string | null; at: string } | null;
}

export function presentEvent(row: ResponseRow): Static<typeof ResponseEventView> {
  return { seq: row.seq, state: row.state, text: row.text, attachments: row.attachments, actor: row.actor, at: row.at.toISOString() };
}

/** Each named unit's response, in the bulletin's order (worst first), folded from its events. */
export function responseStatuses(document: BulletinDocument, events: readonly ResponseRow[]): ResponseStatus[] {
  const statuses: ResponseStatus[] = [];
  for (const unit of document.named) {
    const own = events.filter((e) => e.unit_kind === unit.unitKind && e.unit_id === unit.unitId).sort((a, b) => a.seq - b.seq);
    const latest = own.at(-1);
    if (!latest) continue;
    const submissions = own.filter((e) => e.state === 'submitted');
    const lastSubmission = submissions.at(-1);
    const review = latest.state === 'returned' || latest.state === 'accepted' ? latest : undefined;
    statuses.push({
      unitKind: unit.unitKind,
      unitId: unit.unitId,
      name: unit.name,
      state: latest.state,
      stateName: RESPONSE_STATE_NAMES[latest.state],
      updatedAt: latest.at.toISOString(),
      submissions: submissions.length,
      events: own.map(presentEvent),
      latestSubmission: lastSubmission ? { text: lastSubmission.text, attachments: lastSubmission.attachments, at: lastSubmission.at.toISOString() } : null,
      review: review ? { state: review.state, text: review.text, at: review.at.toISOString() } : null,
    });
  }
  return statuses;
}
