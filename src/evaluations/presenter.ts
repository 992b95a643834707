// How an evaluation is shown: personal data masked, unless revealed (and logged) by the caller's role.
import type { Selectable } from 'kysely';
import type { EvaluationTable } from '../db/schema.ts';
import { Type, type Static } from 'typebox';

export const LEVEL_NAMES: Record<number, { zh: string; en: string }> = {
  1: { zh: '非常不满意', en: 'Very dissatisfied' },
  2: { zh: '不满意', en: 'Dissatisfied' },
  3: { zh: '基本满意', en: 'Basically satisfied' },
  4: { zh: '满意', en: 'Satisfied' },
  5: { zh: '非常满意', en: 'Very satisfied' },
};

const Person = Type.Object({ name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), certNo: Type.Optional(Type.String()) });

export const LedgerPosition = Type.Object({ chainId: Type.Integer(), seq: Type.Integer(), hash: Type.String({ description: 'SM3 链式哈希 / chain hash, hex' }) });

export const StoredEvaluationView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    receiptNo: Type.String({ description: '评价回执号 / receipt number the rater can quote' }),
    projectNo: Type.Union([Type.String(), Type.Null()]),
    serviceNumber: Type.Union([Type.Integer(), Type.Null()]),
    assessNumber: Type.Integer(),
    level: Type.Integer(),
    channel: Type.String(),
    isDefault: Type.Boolean(),
    receivedAt: Type.String({ format: 'date-time' }),
    ledger: LedgerPosition,
  },
  { $id: 'StoredEvaluation', title: 'StoredEvaluation' },
);

export const EvaluationView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    receiptNo: Type.String(),
    subject: Type.String(),
    projectNo: Type.Union([Type.String(), Type.Null()]),
    serviceNumber: Type.Union([Type.Integer(), Type.Null()]),
    assessNumber: Type.Integer(),
    level: Type.Integer(),
    levelName: Type.String(),
    levelNameEn: Type.String(),
    indicatorVersion: Type.String(),
    indicators: Type.Array(Type.String()),
    comment: Type.Union([Type.String(), Type.Null()]),
    channel: Type.String(),
    isDefault: Type.Boolean(),
    anonymous: Type.Boolean(),
    assessedAt: Type.String({ format: 'date-time' }),
    receivedAt: Type.String({ format: 'date-time' }),
    regionCode: Type.String(),
    orgId: Type.String(),
    itemId: Type.Union([Type.String(), Type.Null()]),
    windowId: Type.Union([Type.String(), Type.Null()]),
    staffId: Type.Union([Type.String(), Type.Null()]),
    userProp: Type.Union([Type.Integer(), Type.Null()]),
    rater: Type.Union([Person, Type.Null()], { description: '默认脱敏；有权角色以 reveal=true 查看原文并记入访问日志 / masked unless revealed (logged)' }),
    raterRevealed: Type.Boolean(),
    flags: Type.Array(Type.Object({ kind: Type.String(), reason: Type.String(), at: Type.String({ format: 'date-time' }) })),
    ledger: LedgerPosition,
  },
  { $id: 'Evaluation', title: 'Evaluation' },
);
export type EvaluationView = Static<typeof EvaluationView>;

export type EvaluationRowForView = Omit<Selectable<EvaluationTable>, 'case_stage_id' | 'case_id' | 'assessed_day' | 'rater_pii' | 'rater_pii_key_id' | 'rater_phone_lookup' | 'rater_cert_lookup' | 'source_app' | 'client_id'>;

export function presentEvaluation(
  row: EvaluationRowForView,
  flags: Array<{ kind: string; reason: string; at: Date }>,
  revealed: { name?: string | undefined; phone?: string | undefined; certNo?: string | undefined } | null,
): EvaluationView {
  const level = LEVEL_NAMES[row.level] ?? { zh: String(row.level), en: String(row.level) };
  return {
    id: row.id,
    receiptNo: row.receipt_no,
    subject: row.subject,
    projectNo: row.project_no,
    serviceNumber: row.service_number,
    assessNumber: row.assess_number,
    level: row.level,
    levelName: level.zh,
    levelNameEn: level.en,
    indicatorVersion: row.indicator_version,
    indicators: row.indicator_codes,
    comment: row.comment,
    channel: row.channel,
    isDefault: row.is_default,
    anonymous: row.is_anonymous,
    assessedAt: row.assessed_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    regionCode: row.region_code,
    orgId: row.org_id,
    itemId: row.item_id,
    windowId: row.window_id,
    staffId: row.staff_id,
    userProp: row.user_prop,
    rater: revealed ? { ...revealed } : row.rater_masked,
    raterRevealed: revealed !== null,
    flags: flags.map((f) => ({ kind: f.kind, reason: f.reason, at: f.at.toISOString() })),
    ledger: { chainId: row.chain_id, seq: row.seq, hash: Buffer.from(row.hash).toString('hex') },
  };
}
