// The two wire shapes an evaluation arrives in (our own, and the national field names) and the
// one normalised draft the rules work on.
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { parseAssessTime } from '../clock.ts';
import type { Refusal } from '../errors.ts';
import { CHANNELS, channelFromPf, type Channel, type ChannelProfile } from './channels.ts';

const ClientId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:#-]+$', description: '接入方请求编号（幂等键）/ client request id, the idempotency key' });
const ProjectNo = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: '办件编号 projectNo' });
const Time = Type.String({ minLength: 10, maxLength: 40, description: 'yyyy-MM-dd HH:mm:ss（北京时间）或 ISO 8601 / Beijing time or ISO 8601' });

export const NativeEvaluation = Type.Object(
  {
    clientId: Type.Optional(ClientId),
    projectNo: ProjectNo,
    serviceNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 999, description: '办件环节 / case stage, default 1' })),
    assessNumber: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: '1 首次评价, 2 追评 / follow-up' })),
    level: Type.Integer({ minimum: 1, maximum: 5, description: '1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意' }),
    indicatorVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    indicators: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 20, uniqueItems: true })),
    comment: Type.Optional(Type.String({ maxLength: 5000 })),
    channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))),
    anonymous: Type.Optional(Type.Boolean()),
    isDefault: Type.Optional(Type.Boolean({ description: '系统默认评价 / system default rating' })),
    assessedAt: Time,
    rater: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 100 })),
          phone: Type.Optional(Type.String({ maxLength: 20 })),
          certNo: Type.Optional(Type.String({ maxLength: 64 })),
          userProp: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'NativeEvaluation', title: 'NativeEvaluation' },
);
export type NativeEvaluation = Static<typeof NativeEvaluation>;

const IntOrText = (min: number, max: number) => Type.Union([Type.Integer({ minimum: min, maximum: max }), Type.String({ pattern: `^[${min}-${max}]$` })]);

// National field names. Extra fields that city platforms send along (taskName, deptName …) are
// allowed and ignored: the case record, not the evaluation, is the source of those facts.
export const NationalEvaluation = Type.Object(
  {
    clientId: Type.Optional(ClientId),
    projectNo: ProjectNo,
    serviceNumber: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 999 }), Type.String({ pattern: '^[1-9][0-9]{0,2}$' })])),
    satisfaction: IntOrText(1, 5),
    pf: Type.Union([Type.Integer({ minimum: 0, maximum: 99 }), Type.String({ pattern: '^[0-9]{1,2}$' })], { description: '评价渠道代码，按接入方代码表映射 / channel code, mapped by the peer’s table' }),
    evalDetail: Type.Optional(Type.String({ maxLength: 400, description: '逗号分隔的评价内容代码 / comma-separated indicator codes' })),
    evalVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    writingEvaluation: Type.Optional(Type.String({ maxLength: 5000 })),
    assessTime: Time,
    assessNumber: Type.Optional(IntOrText(1, 2)),
    userProp: Type.Optional(IntOrText(1, 9)),
    userName: Type.Optional(Type.String({ maxLength: 100 })),
    certKey: Type.Optional(Type.String({ maxLength: 64 })),
    mobile: Type.Optional(Type.String({ maxLength: 20 })),
    isDefault: Type.Optional(Type.Boolean()),
    areaCode: Type.Optional(
      Type.Union([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0 })], { description: '办件所属行政区划代码，须与登记的办件一致 / the case’s region code; must be the registered case’s (EVALUATION_CASE_MISMATCH)' }),
    ),
    deptCode: Type.Optional(Type.String({ maxLength: 64, description: '办件所属（或所评环节的办理）部门统一社会信用代码，须与登记的办件一致 / the case’s (or the rated stage’s) deptCode; must be the registered one' })),
  },
  { additionalProperties: true, $id: 'NationalEvaluation', title: 'NationalEvaluation' },
);
export type NationalEvaluation = Static<typeof NationalEvaluation>;

export interface EvaluationDraft {
  clientId: string;
  /** True when the caller gave no client id and the key was derived from case, stage and assessment number. */
  derivedKey: boolean;
  projectNo: string;
  serviceNumber: number;
  assessNumber: 1 | 2;
  level: number;
  indicatorVersion: string | null;
  indicatorCodes: string[];
  comment: string | null;
  channel: Channel;
  isDefault: boolean;
  isAnonymous: boolean;
  assessedAt: Date;
  userProp: number | null;
  rater: { name?: string | undefined; phone?: string | undefined; certNo?: string | undefined } | null;
  /**
   * A rating of a window or a staff member itself (a poster's QR code), not of a case stage: then
   * projectNo is '' and serviceNumber 0, no slot is claimed and no rating window applies.
   */
  place?: { kind: 'window' | 'staff'; id: string } | undefined;
  /**
   * What the item states about its case (national areaCode, deptCode), trimmed, deptCode in upper
   * case; undefined when not stated. Checked against the registered case, never stored, and left
   * out of the request digest (digests stored before these fields were read stay comparable).
   */
  areaCode?: string | undefined;
  deptCode?: string | undefined;
}

/**
 * Which stage is rated, and the idempotency key: the caller's, or derived from case, stage and
 * assessment number. The drafts add their fields to it with Object.assign: properties written
 * after a spread (`{ ...subject, level }`) take V8's slow path, about 8 µs a draft here.
 */
function subjectOf(clientId: string | undefined, projectNo: string, serviceNumber: number, assessNumber: 1 | 2) {
  return {
    clientId: clientId ?? `derived:${projectNo}#${serviceNumber}#${assessNumber}`,
    derivedKey: clientId === undefined,
    projectNo,
    serviceNumber,
    assessNumber,
  };
}

const textOrNull = (text: string | undefined): string | null => (text === undefined || text.trim() === '' ? null : text);
/** A stated code, trimmed; blank counts as not stated. */
const statedCode = (code: string | number | undefined): string | undefined => {
  const text = code === undefined ? '' : String(code).trim();
  return text === '' ? undefined : text;
};

const nativeCheck = Compile(NativeEvaluation);
const nationalCheck = Compile(NationalEvaluation);

type Parsed = { draft: EvaluationDraft } | { refusal: Refusal };

function schemaRefusal(problems: Array<{ instancePath: string; message: string }>): Refusal {
  return { code: 'VALIDATION_FAILED', details: { problems: problems.slice(0, 10).map((p) => ({ path: p.instancePath, message: p.message })) } };
}

export function nativeToDraft(input: unknown): Parsed {
  if (!nativeCheck.Check(input)) return { refusal: schemaRefusal([...nativeCheck.Errors(input)]) };
  return draftFromNative(input);
}

/** For input the HTTP layer has already validated against NativeEvaluation. */
export function draftFromNative(input: NativeEvaluation): Parsed {
  const assessedAt = parseAssessTime(input.assessedAt);
  if (!assessedAt) return { refusal: { code: 'EVALUATION_TIME_INVALID', details: { field: 'assessedAt' } } };
  const serviceNumber = input.serviceNumber ?? 1;
  const assessNumber = input.assessNumber ?? 1;
  const rater = input.rater && (input.rater.name || input.rater.phone || input.rater.certNo) ? { name: input.rater.name, phone: input.rater.phone, certNo: input.rater.certNo } : null;
  return {
    draft: Object.assign(subjectOf(input.clientId, input.projectNo, serviceNumber, assessNumber), {
      level: input.level,
      indicatorVersion: input.indicatorVersion ?? null,
      indicatorCodes: input.indicators ?? [],
      comment: textOrNull(input.comment),
      channel: input.channel,
      isDefault: input.isDefault ?? false,
      isAnonymous: input.anonymous ?? false,
      assessedAt,
      userProp: input.rater?.userProp ?? null,
      rater,
    }),
  };
}

export function nationalToDraft(input: unknown, profile: ChannelProfile): Parsed {
  if (!nationalCheck.Check(input)) return { refusal: schemaRefusal([...nationalCheck.Errors(input)]) };
  const channel = channelFromPf(profile, input.pf);
  if (!channel) return { refusal: { code: 'EVALUATION_CHANNEL_INVALID', details: { pf: input.pf, profile } } };
  const assessedAt = parseAssessTime(input.assessTime);
  if (!assessedAt) return { refusal: { code: 'EVALUATION_TIME_INVALID', details: { field: 'assessTime' } } };
  const serviceNumber = input.serviceNumber === undefined ? 1 : Number(input.serviceNumber);
  const assessNumber = input.assessNumber === undefined ? 1 : (Number(input.assessNumber) as 1 | 2);
  const hasIdentity = Boolean(input.userName || input.certKey || input.mobile);
  const codes = (input.evalDetail ?? '').split(/[,，]/).map((c) => c.trim()).filter((c) => c !== '');
  return {
    draft: Object.assign(subjectOf(input.clientId, input.projectNo, serviceNumber, assessNumber), {
      level: Number(input.satisfaction),
      indicatorVersion: input.evalVersion ?? null,
      indicatorCodes: [...new Set(codes)],
      comment: textOrNull(input.writingEvaluation),
      channel,
      // In the 'sms-six' table pf 7 means a system default rating.
      isDefault: (input.isDefault ?? false) || channel === 'system',
      // The national format has no anonymous flag: a rating without identity is anonymous.
      isAnonymous: !hasIdentity,
      assessedAt,
      userProp: input.userProp === undefined ? null : Number(input.userProp),
      rater: hasIdentity ? { name: input.userName, phone: input.mobile, certNo: input.certKey } : null,
      areaCode: statedCode(input.areaCode),
      deptCode: statedCode(input.deptCode)?.toUpperCase(),
    }),
  };
}
