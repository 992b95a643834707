// How a ticket is shown: its deadlines with their SLA status, its events, and the evaluation behind
// it with the rater masked. Nothing here unseals personal data.
import { Type, type Static } from 'typebox';
import { LEVEL_NAMES } from '../evaluations/presenter.ts';
import { deadlineOf, deadlineStatus, type DeadlineName } from './state-machine.ts';
import type { ratedEvaluation } from './queries.ts';
import { ticketFromRow, type TicketEventRow, type TicketRow } from './store.ts';

const Instant = Type.String({ format: 'date-time' });
const MaybeInstant = Type.Union([Instant, Type.Null()]);

const DeadlineView = Type.Object({
  dueAt: Instant,
  doneAt: MaybeInstant,
  status: Type.Union([Type.Literal('active'), Type.Literal('met'), Type.Literal('missed')], { description: 'active 进行中 / met 按时 / missed 超期' }),
  provisional: Type.Boolean({
    description:
      '暂定：时限跨入尚无国务院节假日安排的年份，只按法定节假日计算，录入该年通知后自动重算 / provisional: counted into a year with no holiday notice yet, on the statutory holidays only; recomputed once the notice is entered',
  }),
});

/** A file kept elsewhere, by reference: what inspections and bulletins take, and steps before evidence files. */
export const ReferenceAttachment = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    uri: Type.String({ minLength: 1, maxLength: 1000, description: '附件存储位置（本系统只存引用）/ where the file is stored; we keep the reference' }),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);

const EvidenceDigest = Type.String({ pattern: '^[0-9a-f]{64}$', description: '佐证材料的 SM3 摘要（POST /api/v1/evidence 返回）/ SM3 digest of an evidence file (from POST /api/v1/evidence)' });

/** A step's attachment as sent: a reference, or an evidence file uploaded by POST /api/v1/evidence. */
export const Attachment = Type.Union([
  ReferenceAttachment,
  Type.Object({ evidence: EvidenceDigest, name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
]);

/** A step's attachment as its event records it: an evidence file with its type and size as stored. */
export const EventAttachment = Type.Union([
  ReferenceAttachment,
  Type.Object(
    {
      name: Type.String(),
      evidence: EvidenceDigest,
      mediaType: Type.String({ description: 'image/jpeg、image/png 或 application/pdf（按内容识别）/ found in the bytes' }),
      size: Type.Integer({ description: '字节数 / bytes' }),
    },
    { additionalProperties: false, description: '读取：GET /api/v1/tickets/{id}/evidence/{evidence} / read it there' },
  ),
]);

export const TicketView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    evaluationId: Type.String({ format: 'uuid' }),
    receiptNo: Type.String(),
    orgId: Type.String({ format: 'uuid', description: '责任单位（谁办理、谁负责）/ the org responsible' }),
    regionCode: Type.String(),
    level: Type.Integer(),
    levelName: Type.Object({ zh: Type.String(), en: Type.String() }),
    channel: Type.String(),
    state: Type.String({ description: 'open 待签收 / verifying 核实中 / rectifying 整改中 / appealing 申诉中 / cannot_fix_requested 申请无法整改 / cannot_fix_approved 无法整改已批准待答复 / replied 已答复待回访 / cannot_fix_replied 无法整改已答复待回访 / closed 已办结 / closed_invalid 申诉成立 / closed_cannot_fix 无法整改已批准' }),
    version: Type.Integer({ description: '操作时带回此版本号以防并发冲突 / send it back with a step to detect conflicts' }),
    openedAt: Instant,
    deadlines: Type.Object({ verify: DeadlineView, reply: DeadlineView, appeal: Type.Union([DeadlineView, Type.Null()]) }),
    provisional: Type.Boolean({ description: '有暂定时限（见各时限的 provisional）/ some deadline is provisional (see each deadline)' }),
    overdue: Type.Boolean({ description: '答复已超期（申诉成立的除外）/ the reply deadline is missed (not after an upheld appeal)' }),
    escalated: Type.Array(Type.String()),
    extension: Type.Union([Type.Object({ state: Type.String(), days: Type.Integer() }), Type.Null()]),
    appeal: Type.Union([Type.Object({ kind: Type.String(), state: Type.String() }), Type.Null()]),
    reopenCount: Type.Integer(),
    lastCallback: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Ticket', title: 'Ticket' },
);

export const TicketEventView = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  actor: Type.Object({ role: Type.String(), id: Type.String() }),
  at: Instant,
  note: Type.Union([Type.String(), Type.Null()]),
  attachments: Type.Array(EventAttachment),
});

export const RatedEvaluationView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  projectNo: Type.Union([Type.String(), Type.Null()]),
  serviceNumber: Type.Union([Type.Integer(), Type.Null()]),
  assessNumber: Type.Integer(),
  level: Type.Integer(),
  indicatorVersion: Type.String(),
  indicatorCodes: Type.Array(Type.String()),
  comment: Type.Union([Type.String(), Type.Null()]),
  channel: Type.String(),
  assessedAt: Instant,
  anonymous: Type.Boolean(),
  rater: Type.Union([Type.Object({ name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), certNo: Type.Optional(Type.String()) }), Type.Null()], { description: '评价人（脱敏）/ rater, masked' }),
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function presentTicket(row: TicketRow, now: Date): Static<typeof TicketView> {
  const ticket = ticketFromRow(row);
  const view = (name: DeadlineName) => {
    const deadline = deadlineOf(ticket, name);
    const provisional = name !== 'reply' && row.provisional_deadlines.includes(name);
    return deadline && { dueAt: deadline.dueAt.toISOString(), doneAt: iso(deadline.doneAt), status: deadlineStatus(deadline, now), provisional };
  };
  const verify = view('verify');
  const reply = view('reply');
  if (!verify || !reply) throw new Error('a ticket always has verify and reply deadlines');
  return {
    id: row.id,
    evaluationId: row.evaluation_id,
    receiptNo: row.receipt_no,
    orgId: row.org_id,
    regionCode: row.region_code,
    level: row.level,
    levelName: LEVEL_NAMES[row.level] ?? { zh: '', en: '' },
    channel: row.channel,
    state: row.state,
    version: row.version,
    openedAt: row.evaluated_at.toISOString(),
    deadlines: { verify, reply, appeal: view('appeal') },
    provisional: row.provisional_deadlines.length > 0,
    // An upheld appeal ends the duty to reply.
    overdue: reply.status === 'missed' && row.state !== 'closed_invalid',
    escalated: row.escalated,
    extension: ticket.extension,
    appeal: row.appeal_kind === null ? null : { kind: row.appeal_kind, state: row.appeal_state ?? 'pending' },
    reopenCount: row.reopen_count,
    lastCallback: row.last_callback,
  };
}

export function presentTicketEvent(row: TicketEventRow): Static<typeof TicketEventView> {
  return { seq: row.seq, type: row.type, payload: row.payload, actor: { role: row.actor_role, id: row.actor_id }, at: row.at.toISOString(), note: row.note, attachments: row.attachments };
}

export function presentRatedEvaluation(row: NonNullable<Awaited<ReturnType<typeof ratedEvaluation>>>): Static<typeof RatedEvaluationView> {
  return {
    id: row.id,
    projectNo: row.project_no,
    serviceNumber: row.service_number,
    assessNumber: row.assess_number,
    level: row.level,
    indicatorVersion: row.indicator_version,
    indicatorCodes: row.indicator_codes,
    comment: row.comment,
    channel: row.channel,
    assessedAt: row.assessed_at.toISOString(),
    anonymous: row.is_anonymous,
    rater: row.is_anonymous ? null : row.rater_masked,
  };
}
