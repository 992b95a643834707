// Rules of a service case record (pure).
import type { Refusal } from '../errors.ts';

export interface StageState {
  serviceNumber: number;
  status: number;
  completedAt: Date | null;
}

export interface CaseDates {
  proStatus: number;
  acceptAt: Date | null;
  resultAt: Date | null;
}

export function checkCaseDates(input: CaseDates, now: Date, skewSeconds: number): Refusal | null {
  const future = now.getTime() + skewSeconds * 1000;
  if (input.proStatus === 3 && input.resultAt === null) return { code: 'CASE_DATES_INVALID', details: { reason: 'a completed case (proStatus 3) needs resultDate' } };
  if (input.acceptAt && input.acceptAt.getTime() > future) return { code: 'CASE_DATES_INVALID', details: { reason: 'acceptDate is in the future' } };
  if (input.resultAt && input.resultAt.getTime() > future) return { code: 'CASE_DATES_INVALID', details: { reason: 'resultDate is in the future' } };
  if (input.acceptAt && input.resultAt && input.resultAt < input.acceptAt) return { code: 'CASE_DATES_INVALID', details: { reason: 'resultDate is before acceptDate' } };
  return null;
}

/**
 * How a stage may change: status moves forward only, and a completion, once recorded, is fixed
 * (it opened the rating window). Returns the state to store, or a refusal.
 */
export function nextStageState(current: StageState | undefined, incoming: StageState): StageState | Refusal {
  if (incoming.status === 3 && incoming.completedAt === null) return { code: 'CASE_DATES_INVALID', details: { reason: 'a completed stage needs its completion time', serviceNumber: incoming.serviceNumber } };
  if (incoming.status !== 3 && incoming.completedAt !== null) return { code: 'CASE_STATUS_INVALID', details: { reason: 'only a completed stage has a completion time', serviceNumber: incoming.serviceNumber } };
  if (!current) return incoming;
  if (incoming.status < current.status) return { code: 'CASE_STATUS_INVALID', details: { reason: 'status cannot move backwards', serviceNumber: incoming.serviceNumber, from: current.status, to: incoming.status } };
  if (current.status === 3 && current.completedAt && incoming.completedAt && current.completedAt.getTime() !== incoming.completedAt.getTime()) {
    return { code: 'CASE_STATUS_INVALID', details: { reason: 'a recorded completion time cannot change', serviceNumber: incoming.serviceNumber } };
  }
  return incoming;
}

export function isRefusal(value: StageState | Refusal): value is Refusal {
  return 'code' in value;
}
