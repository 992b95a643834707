// The supervisor's queues, each a filter of GET /api/v1/tickets (contract B): what waits for their
// decision (appeals, extension and cannot-fix requests: `needsDecision` with the state telling them
// apart), and what has gone wrong (overdue, escalated). The server limits every list to the caller's scope.
import type { paths } from '../api/schema';
import { ACTIVE_STATES } from '../ticket-rows/open-states';

type TicketQuery = NonNullable<paths['/api/v1/tickets']['get']['parameters']['query']>;

export type QueueKey = 'appeals' | 'extensions' | 'cannotFix' | 'overdue' | 'escalated';

export const QUEUE_LIMIT = 100;

/** Before a decision on an extension the ticket is still being worked on. */
const WORKING_STATES = ['open', 'verifying', 'rectifying'];

export const QUEUES: Record<QueueKey, TicketQuery> = {
  appeals: { needsDecision: true, state: 'appealing' },
  extensions: { needsDecision: true, state: WORKING_STATES.join(',') },
  cannotFix: { needsDecision: true, state: 'cannot_fix_requested' },
  overdue: { due: 'overdue', state: ACTIVE_STATES.join(',') },
  escalated: { escalated: true, state: ACTIVE_STATES.join(',') },
};

export const QUEUE_KEYS = Object.keys(QUEUES) as QueueKey[];

export function isQueueKey(value: string | null): value is QueueKey {
  return value !== null && value in QUEUES;
}

export function queueQuery(key: QueueKey): TicketQuery {
  return { ...QUEUES[key], sort: 'deadline', limit: QUEUE_LIMIT };
}
