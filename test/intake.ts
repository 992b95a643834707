// Driving the intake writer directly, for storage tests that need many evaluations fast.
import type { EvaluationDraft } from '../src/evaluations/draft.ts';
import type { IntakeOutcome } from '../src/evaluations/intake-request.ts';
import type { IntakeWriter } from '../src/evaluations/intake-writer.ts';
import { BAD_LEVELS } from '../src/evaluations/levels.ts';

const PROVINCE = { regionPath: '510000/', orgId: null };

export function draft(projectNo: string, overrides: Partial<EvaluationDraft> = {}): EvaluationDraft {
  const level = overrides.level ?? 5;
  return {
    clientId: `c-${projectNo}-${overrides.assessNumber ?? 1}`,
    derivedKey: false,
    projectNo,
    serviceNumber: 1,
    assessNumber: 1,
    level,
    indicatorVersion: null,
    indicatorCodes: BAD_LEVELS.has(level) ? ['509'] : [],
    comment: null,
    channel: 'mobile',
    isDefault: false,
    isAnonymous: true,
    assessedAt: new Date('2026-11-19T01:00:00Z'),
    userProp: null,
    rater: null,
    ...overrides,
  };
}

export async function submitDrafts(writer: IntakeWriter, drafts: EvaluationDraft[], sourceApp = 'test'): Promise<IntakeOutcome[]> {
  return writer.submit(drafts.map((d) => ({ draft: d, sourceApp, scope: PROVINCE })));
}
