// The key a caller pressed after a hotline call (docs/hotline.md §4): an evaluation of the
// hotline's work order (a case registered like any other) through the same intake, channel
// hotline. Idempotent by call id: the evaluation's key is derived from it.
import { AppError } from '../errors.ts';
import type { EvaluationDraft } from '../evaluations/draft.ts';
import type { IntakeWriter } from '../evaluations/intake-writer.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { HOTLINE_BAD_INDICATOR, HOTLINE_SOURCE, type HotlineSource } from './rules.ts';

export interface IvrPress {
  callId: string;
  projectNo: string;
  serviceNumber?: number | undefined;
  /** The key pressed: '1'–'5' rate; anything else is refused. */
  digit: string;
  pressedAt: Date;
  /** The caller's number, when the switch passes it on: kept sealed so that a ticket's answer can reach them. */
  caller?: string | undefined;
}

export interface IvrAnswer {
  status: 'stored' | 'duplicate';
  receiptNo: string;
  level: number;
}

export async function receiveIvrPress(deps: { intake: Pick<IntakeWriter, 'submit'> }, source: HotlineSource, press: IvrPress): Promise<IvrAnswer> {
  if (!/^[1-5]$/.test(press.digit)) throw new AppError('HOTLINE_DIGIT_INVALID', { digit: press.digit });
  const level = Number(press.digit);
  const caller = press.caller?.trim();
  const draft: EvaluationDraft = {
    clientId: `ivr:${source.appId}:${press.callId}`,
    derivedKey: false,
    projectNo: press.projectNo,
    serviceNumber: press.serviceNumber ?? 1,
    assessNumber: 1,
    level,
    indicatorVersion: null,
    indicatorCodes: BAD_LEVELS.has(level) ? [HOTLINE_BAD_INDICATOR] : [],
    comment: null,
    channel: 'hotline',
    isDefault: false,
    isAnonymous: !caller,
    assessedAt: press.pressedAt,
    userProp: null,
    rater: caller ? { phone: caller } : null,
  };
  const [outcome] = await deps.intake.submit([{ draft, sourceApp: HOTLINE_SOURCE, scope: source }]);
  if (!outcome) throw new AppError('INTERNAL_ERROR');
  if (outcome.status === 'refused') throw new AppError(outcome.refusal.code, outcome.refusal.details);
  return { status: outcome.status, receiptNo: outcome.evaluation.receiptNo, level: outcome.evaluation.level };
}
