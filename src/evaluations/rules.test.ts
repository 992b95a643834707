import { describe, expect, it } from 'vitest';
import { channelFromPf, pfFromChannel } from './channels.ts';
import { nationalToDraft, nativeToDraft, type EvaluationDraft } from './draft.ts';
import type { IndicatorCatalogue, IndicatorOption } from './indicators.ts';
import { checkAgainstStage, checkCaseCodes, checkDraft, type StageFacts } from './rules.ts';
import { requestDigest } from './intake-writer.ts';
import { testConfig } from '../../test/config.ts';

// HMAC-SM3 of the request as drafted (without its key), as intake has stored it since the first release.
const PINNED = '50a0c76ec87819ece387204f23e9489c15dee03fc013f0776b68fbd3f658203c';

const option = (code: string, levels: number[]): IndicatorOption => ({ code, nameZh: code, nameEn: code, scope: 'any', levels });
const catalogue: IndicatorCatalogue = {
  current: '2026.1',
  versions: new Map([['2026.1', new Map([['101', option('101', [4, 5])], ['505', option('505', [1, 2])]])]]),
};
const settings = { ratingWindowDays: 30, clockSkewSeconds: 300, syncGraceDays: 3, commentMaxChars: 10 };
const now = new Date('2026-11-20T02:00:00Z');

function draft(overrides: Partial<EvaluationDraft> = {}): EvaluationDraft {
  return {
    clientId: 'c', derivedKey: false, projectNo: 'P', serviceNumber: 1, assessNumber: 1, level: 5, indicatorVersion: null, indicatorCodes: [],
    comment: null, channel: 'pc', isDefault: false, isAnonymous: false, assessedAt: new Date('2026-11-19T00:00:00Z'), userProp: null, rater: null, ...overrides,
  };
}

const stage: StageFacts = {
  caseStageId: 's', caseId: 'c', projectNo: 'P', serviceNumber: 1, status: 3, completedAt: new Date('2026-11-01T00:00:00Z'),
  orgId: 'o', regionCode: '510104', regionPath: '510000/510100/510104/', itemId: 'i', windowId: null, staffId: null,
};

describe('checkDraft', () => {
  it('accepts a plain good rating and a bad one with its indicator', () => {
    expect(checkDraft(draft(), catalogue, settings, now)).toBeNull();
    expect(checkDraft(draft({ level: 2, indicatorCodes: ['505'] }), catalogue, settings, now)).toBeNull();
  });
  it.each<[Partial<EvaluationDraft>, string]>([
    [{ level: 0 }, 'EVALUATION_LEVEL_INVALID'],
    [{ level: 1 }, 'EVALUATION_INDICATOR_REQUIRED'],
    [{ level: 2 }, 'EVALUATION_INDICATOR_REQUIRED'],
    [{ level: 1, indicatorCodes: ['101'] }, 'EVALUATION_INDICATOR_INVALID'],
    [{ indicatorVersion: '1.0' }, 'INDICATOR_VERSION_UNKNOWN'],
    [{ comment: '一二三四五六七八九十十' }, 'EVALUATION_COMMENT_TOO_LONG'],
    [{ comment: 'a\u0007b' }, 'TEXT_INVALID_CHARACTERS'],
    [{ isAnonymous: true, rater: { phone: '13800000000' } }, 'EVALUATION_ANONYMOUS_WITH_IDENTITY'],
    [{ isDefault: true, comment: '好' }, 'EVALUATION_DEFAULT_NOT_ALLOWED'],
    [{ channel: 'system' }, 'EVALUATION_CHANNEL_INVALID'],
    [{ assessedAt: new Date('2026-11-20T02:06:00Z') }, 'EVALUATION_TIME_INVALID'],
  ])('refuses %o with %s', (overrides, code) => {
    expect(checkDraft(draft(overrides), catalogue, settings, now)?.code).toBe(code);
  });
  it('asks no indicator of a 好评, 基本满意 included', () => {
    for (const level of [3, 4, 5]) expect(checkDraft(draft({ level }), catalogue, settings, now)).toBeNull();
  });
  it('counts comment length in characters, not bytes or UTF-16 units', () => {
    expect(checkDraft(draft({ comment: '😀'.repeat(10) }), catalogue, settings, now)).toBeNull();
  });
  it('tolerates clock skew up to the setting', () => {
    expect(checkDraft(draft({ assessedAt: new Date('2026-11-20T02:04:59Z') }), catalogue, settings, now)).toBeNull();
  });
});

describe('checkAgainstStage', () => {
  it('needs a completed stage, an assessment after completion, within the window plus grace', () => {
    expect(checkAgainstStage(draft(), stage, true, settings, now)).toBeNull();
    expect(checkAgainstStage(draft(), undefined, false, settings, now)?.code).toBe('CASE_NOT_FOUND');
    expect(checkAgainstStage(draft(), undefined, true, settings, now)?.code).toBe('CASE_STAGE_NOT_FOUND');
    expect(checkAgainstStage(draft(), { ...stage, status: 2, completedAt: null }, true, settings, now)?.code).toBe('EVALUATION_STAGE_NOT_COMPLETED');
    expect(checkAgainstStage(draft({ assessedAt: new Date('2026-10-31T23:50:00Z') }), stage, true, settings, now)?.code).toBe('EVALUATION_TIME_INVALID');
    // Assessed on day 30 exactly: inside. A day later: closed.
    const day30 = new Date('2026-12-01T00:00:00Z');
    expect(checkAgainstStage(draft({ assessedAt: day30 }), stage, true, settings, new Date('2026-12-02T00:00:00Z'))).toBeNull();
    expect(checkAgainstStage(draft({ assessedAt: new Date('2026-12-01T00:00:01Z') }), stage, true, settings, new Date('2026-12-02T00:00:00Z'))?.code).toBe('EVALUATION_WINDOW_CLOSED');
    // Rated in time but delivered after the grace: closed.
    expect(checkAgainstStage(draft({ assessedAt: day30 }), stage, true, settings, new Date('2026-12-04T00:00:01Z'))?.code).toBe('EVALUATION_WINDOW_CLOSED');
  });
});

describe('checkCaseCodes', () => {
  const registered = { regionCode: '510104', caseDeptCode: '11510104MB0000001X', stageDeptCode: null };
  it('accepts what is not stated, and codes that are the registered case’s or its rated stage’s', () => {
    expect(checkCaseCodes({}, registered)).toBeNull();
    expect(checkCaseCodes({ areaCode: '510104', deptCode: '11510104MB0000001X' }, registered)).toBeNull();
    expect(checkCaseCodes({ deptCode: '11510105MB0000002Y' }, { ...registered, stageDeptCode: '11510105MB0000002Y' })).toBeNull();
  });
  it('refuses a contradiction, naming the field and the registered code', () => {
    expect(checkCaseCodes({ areaCode: '510105' }, registered)).toEqual({ code: 'EVALUATION_CASE_MISMATCH', details: { field: 'areaCode', given: '510105', registered: '510104' } });
    expect(checkCaseCodes({ areaCode: '510104000000' }, registered)?.code).toBe('EVALUATION_CASE_MISMATCH');
    expect(checkCaseCodes({ areaCode: '510104', deptCode: '11510105MB0000002Y' }, registered)).toEqual({
      code: 'EVALUATION_CASE_MISMATCH',
      details: { field: 'deptCode', given: '11510105MB0000002Y', registered: '11510104MB0000001X' },
    });
  });
});

describe('channel codes per peer', () => {
  it('maps 6 and 7 differently for the two tables, and back', () => {
    expect([channelFromPf('national', '6'), channelFromPf('national', 7)]).toEqual(['hotline', 'sms']);
    expect([channelFromPf('sms-six', 6), channelFromPf('sms-six', '7')]).toEqual(['sms', 'system']);
    expect(channelFromPf('national', '8')).toBeNull();
    expect(pfFromChannel('sms-six', 'sms')).toBe('6');
    expect(pfFromChannel('national', 'system')).toBeNull();
  });
});

describe('wire formats', () => {
  it('reads national field names into the same draft as our own', () => {
    const national = nationalToDraft({ projectNo: 'P', satisfaction: '2', pf: '4', evalDetail: '505，506', writingEvaluation: ' ', assessTime: '2026-11-19 08:00:00', userName: '张三' }, 'national');
    const native = nativeToDraft({ projectNo: 'P', level: 2, channel: 'hall_tablet', indicators: ['505', '506'], assessedAt: '2026-11-19T00:00:00Z', rater: { name: '张三' } });
    if (!('draft' in national) || !('draft' in native)) throw new Error('expected drafts');
    expect(national.draft).toEqual({ ...native.draft, rater: { name: '张三', phone: undefined, certNo: undefined } });
  });
  it('reads a national item’s areaCode and deptCode as stated codes: trimmed, upper case, blank as none', () => {
    const base = { projectNo: 'P', satisfaction: 5, pf: 2, assessTime: '2026-11-19 08:00:00' };
    const parsed = nationalToDraft({ ...base, areaCode: 510104, deptCode: ' 11510104mb0000001x ' }, 'national');
    expect('draft' in parsed && parsed.draft).toMatchObject({ areaCode: '510104', deptCode: '11510104MB0000001X' });
    const blank = nationalToDraft({ ...base, areaCode: ' ', deptCode: '' }, 'national');
    expect('draft' in blank && [blank.draft.areaCode, blank.draft.deptCode]).toEqual([undefined, undefined]);
  });
  it('derives the idempotency key from case, stage and assessment number when none is given', () => {
    const parsed = nativeToDraft({ projectNo: 'P-1', serviceNumber: 2, assessNumber: 2, level: 5, channel: 'pc', assessedAt: '2026-11-19 08:00:00' });
    expect('draft' in parsed && parsed.draft).toMatchObject({ clientId: 'derived:P-1#2#2', derivedKey: true });
  });
});

describe('request digest', () => {
  it('stays the same from version to version, so that a retry of a request stored earlier is still recognised', () => {
    const parsed = nativeToDraft({ clientId: 'c-1', projectNo: 'P-1', level: 2, indicators: ['505'], comment: '排队 "长"', channel: 'pc', assessedAt: '2026-11-20 10:00:00', rater: { name: '张三', phone: '13800001111' } });
    if (!('draft' in parsed)) throw new Error('refused');
    const config = testConfig({ PII_LOOKUP_KEY: '00112233445566778899aabbccddeeff' });
    // The digest covers everything but the key itself: a changed comment changes it.
    expect(requestDigest(config, parsed.draft).toString('hex')).toBe(PINNED);
    expect(requestDigest(config, { ...parsed.draft, clientId: 'c-2' }).toString('hex')).toBe(PINNED);
    expect(requestDigest(config, { ...parsed.draft, comment: '排队' }).toString('hex')).not.toBe(PINNED);
    // Stated case codes are checked, never stored: a retry that states them is the same request.
    expect(requestDigest(config, { ...parsed.draft, areaCode: '510104', deptCode: '11510104MB0000001X' }).toString('hex')).toBe(PINNED);
  });
});
