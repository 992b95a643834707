// The rules of one evaluation, as pure functions of the draft, the facts, the settings and `now`.
import { addDays } from '../clock.ts';
import type { Refusal } from '../errors.ts';
import type { EvaluationDraft } from './draft.ts';
import type { IndicatorCatalogue } from './indicators.ts';
import { BAD_LEVELS } from './levels.ts';

export interface RuleSettings {
  ratingWindowDays: number;
  clockSkewSeconds: number;
  syncGraceDays: number;
  commentMaxChars: number;
}

/** What the ledger knows about the case stage being rated. */
export interface StageFacts {
  caseStageId: string;
  caseId: string;
  projectNo: string;
  serviceNumber: number;
  status: number;
  completedAt: Date | null;
  orgId: string;
  regionCode: string;
  regionPath: string;
  itemId: string;
  windowId: string | null;
  staffId: string | null;
}

/** The registered codes of a rated case: its region, its department, and the rated stage's department when another. */
export interface CaseCodes {
  regionCode: string;
  caseDeptCode: string;
  stageDeptCode: string | null;
}

// Control characters other than tab, newline and carriage return have no place in a comment.
const FORBIDDEN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/;

/** Checks that need nothing but the draft itself (and the immutable indicator sets). */
export function checkDraft(draft: EvaluationDraft, catalogue: IndicatorCatalogue, settings: RuleSettings, now: Date): Refusal | null {
  if (!Number.isInteger(draft.level) || draft.level < 1 || draft.level > 5) return { code: 'EVALUATION_LEVEL_INVALID' };
  if (draft.comment !== null) {
    if (FORBIDDEN_TEXT.test(draft.comment)) return { code: 'TEXT_INVALID_CHARACTERS', details: { field: 'comment' } };
    const length = [...draft.comment].length;
    if (length > settings.commentMaxChars) return { code: 'EVALUATION_COMMENT_TOO_LONG', details: { length, max: settings.commentMaxChars } };
  }
  if (draft.rater?.name !== undefined && FORBIDDEN_TEXT.test(draft.rater.name)) return { code: 'TEXT_INVALID_CHARACTERS', details: { field: 'rater.name' } };
  if (draft.isAnonymous && draft.rater !== null) return { code: 'EVALUATION_ANONYMOUS_WITH_IDENTITY' };
  if (draft.isDefault) {
    // A default rating is filled in by a system when nobody rated: no content, no identity, first rating only.
    if (draft.indicatorCodes.length > 0 || draft.comment !== null || draft.rater !== null || draft.assessNumber !== 1) {
      return { code: 'EVALUATION_DEFAULT_NOT_ALLOWED', details: { reason: 'a default rating carries no indicators, comment or identity and is never a follow-up' } };
    }
  } else if (draft.channel === 'system') {
    return { code: 'EVALUATION_CHANNEL_INVALID', details: { reason: 'the system channel is for default ratings only' } };
  }
  const version = draft.indicatorVersion ?? catalogue.current;
  const options = catalogue.versions.get(version);
  if (!options) return { code: 'INDICATOR_VERSION_UNKNOWN', details: { version } };
  if (BAD_LEVELS.has(draft.level) && draft.indicatorCodes.length === 0 && !draft.isDefault) return { code: 'EVALUATION_INDICATOR_REQUIRED' };
  const invalid = draft.indicatorCodes.filter((code) => !options.get(code)?.levels.includes(draft.level));
  if (invalid.length > 0) return { code: 'EVALUATION_INDICATOR_INVALID', details: { codes: invalid, version, level: draft.level } };
  if (draft.assessedAt.getTime() > now.getTime() + settings.clockSkewSeconds * 1000) {
    return { code: 'EVALUATION_TIME_INVALID', details: { reason: 'assessment time is in the future' } };
  }
  return null;
}

/**
 * Checks against the case stage. The window is measured on the assessment time (when the person
 * rated), and the record must arrive within the window plus a grace for delayed platform pushes.
 */
export function checkAgainstStage(draft: EvaluationDraft, stage: StageFacts | undefined, caseExists: boolean, settings: RuleSettings, now: Date): Refusal | null {
  if (!stage) return caseExists ? { code: 'CASE_STAGE_NOT_FOUND', details: { projectNo: draft.projectNo, serviceNumber: draft.serviceNumber } } : { code: 'CASE_NOT_FOUND', details: { projectNo: draft.projectNo } };
  if (stage.status !== 3 || stage.completedAt === null) return { code: 'EVALUATION_STAGE_NOT_COMPLETED' };
  const skewMs = settings.clockSkewSeconds * 1000;
  if (draft.assessedAt.getTime() < stage.completedAt.getTime() - skewMs) {
    return { code: 'EVALUATION_TIME_INVALID', details: { reason: 'assessment time is before the stage was completed' } };
  }
  const closes = addDays(stage.completedAt, settings.ratingWindowDays);
  if (draft.assessedAt.getTime() > closes.getTime() || now.getTime() > addDays(closes, settings.syncGraceDays).getTime()) {
    return { code: 'EVALUATION_WINDOW_CLOSED', details: { closedAt: closes.toISOString() } };
  }
  return null;
}

/**
 * The codes an item states about its case (national areaCode, deptCode) must be the registered
 * ones: an item that contradicts its case was meant for another case, or its case was registered
 * wrongly, and either way it must not be counted for the registered region and department. A
 * deptCode may name the case's department or the rated stage's.
 */
export function checkCaseCodes(draft: Pick<EvaluationDraft, 'areaCode' | 'deptCode'>, registered: CaseCodes): Refusal | null {
  if (draft.areaCode !== undefined && draft.areaCode !== registered.regionCode) {
    return { code: 'EVALUATION_CASE_MISMATCH', details: { field: 'areaCode', given: draft.areaCode, registered: registered.regionCode } };
  }
  if (draft.deptCode !== undefined && draft.deptCode !== registered.caseDeptCode && draft.deptCode !== registered.stageDeptCode) {
    return { code: 'EVALUATION_CASE_MISMATCH', details: { field: 'deptCode', given: draft.deptCode, registered: registered.caseDeptCode } };
  }
  return null;
}
