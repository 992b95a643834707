// The ticket desk's pure rules: the list's filters as they live in the address bar and as the API
// takes them, the state tabs and their counts, and how a deadline reads. Types come from the
// OpenAPI document (schema.d.ts), never retyped. No React, no requests: tested in model.test.ts.
import type { UploadFile } from 'antd';
import type { components, paths } from '../api/schema';

export type ListQuery = NonNullable<paths['/api/v1/tickets']['get']['parameters']['query']>;
export type CountsQuery = NonNullable<paths['/api/v1/tickets/counts']['get']['parameters']['query']>;
export type Counts = paths['/api/v1/tickets/counts']['get']['responses'][200]['content']['application/json'];
export type TicketListItem = components['schemas']['TicketListItem'];
export type TicketDetail = paths['/api/v1/tickets/{id}']['get']['responses'][200]['content']['application/json'];
export type TicketEvent = TicketDetail['events'][number];
export type EventAttachment = TicketEvent['attachments'][number];
export type StepBody = paths['/api/v1/tickets/{id}/steps']['post']['requestBody']['content']['application/json'];
export type StepName = TicketDetail['allowedSteps'][number];
export type StepAttachment = NonNullable<StepBody['attachments']>[number];
export type Sort = NonNullable<ListQuery['sort']>;
export type NextDeadline = NonNullable<TicketListItem['nextDeadline']>;

export const TICKET_STATES = [
  'open',
  'verifying',
  'rectifying',
  'appealing',
  'cannot_fix_requested',
  'cannot_fix_approved',
  'replied',
  'cannot_fix_replied',
  'closed',
  'closed_invalid',
  'closed_cannot_fix',
  'voided',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export function isTicketState(value: string): value is TicketState {
  return (TICKET_STATES as readonly string[]).includes(value);
}

/** The list's tabs: one per state, but the callback wait and the closed ends each in one tab. */
export const STATE_TABS: ReadonlyArray<{ key: string; states: readonly TicketState[] }> = [
  { key: '', states: [] },
  { key: 'open', states: ['open'] },
  { key: 'verifying', states: ['verifying'] },
  { key: 'rectifying', states: ['rectifying'] },
  { key: 'appealing', states: ['appealing'] },
  { key: 'cannot_fix_requested', states: ['cannot_fix_requested'] },
  { key: 'cannot_fix_approved', states: ['cannot_fix_approved'] },
  { key: 'replied,cannot_fix_replied', states: ['replied', 'cannot_fix_replied'] },
  { key: 'closed,closed_invalid,closed_cannot_fix', states: ['closed', 'closed_invalid', 'closed_cannot_fix'] },
  { key: 'voided', states: ['voided'] },
];

/** How many tickets a tab holds by the counts (all of them for the first tab). */
export function tabCount(tab: { states: readonly TicketState[] }, counts: Counts | undefined): number | null {
  if (!counts) return null;
  if (tab.states.length === 0) return counts.total;
  return tab.states.reduce((sum, state) => sum + (counts.byState[state] ?? 0), 0);
}

export const SORTS: readonly Sort[] = ['-openedAt', 'deadline', 'openedAt'];

/** Everything the list is filtered and sorted by: what the address bar keeps. */
export interface DeskFilters {
  state?: string;
  due?: 'overdue' | 'due_soon';
  needsDecision?: boolean;
  regionCode?: string;
  orgId?: string;
  taskCode?: string;
  channel?: string;
  level?: number;
  from?: string;
  to?: string;
  q?: string;
  sort?: Sort;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const REGION = /^[0-9]{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (value: string | null, max: number) => {
  const trimmed = value?.trim() ?? '';
  return trimmed.length > 0 ? trimmed.slice(0, max) : undefined;
};

/** The filters from the address bar's query; anything malformed (a hand-edited link) is dropped, not sent. */
export function filtersFromSearch(params: URLSearchParams): DeskFilters {
  const filters: DeskFilters = {};
  const state = params.get('state');
  if (state) {
    const states = state.split(',').filter(isTicketState);
    if (states.length > 0) filters.state = states.join(',');
  }
  const due = params.get('due');
  if (due === 'overdue' || due === 'due_soon') filters.due = due;
  if (params.get('needsDecision') === 'true') filters.needsDecision = true;
  const region = params.get('regionCode');
  if (region && REGION.test(region)) filters.regionCode = region;
  const org = params.get('orgId');
  if (org && UUID.test(org)) filters.orgId = org;
  const taskCode = text(params.get('taskCode'), 64);
  if (taskCode) filters.taskCode = taskCode;
  const channel = text(params.get('channel'), 32);
  if (channel) filters.channel = channel;
  const level = Number(params.get('level'));
  if (Number.isInteger(level) && level >= 1 && level <= 5) filters.level = level;
  const from = params.get('from');
  if (from && DAY.test(from)) filters.from = from;
  const to = params.get('to');
  if (to && DAY.test(to)) filters.to = to;
  const q = text(params.get('q'), 100);
  if (q) filters.q = q;
  const sort = params.get('sort');
  if (sort !== null && (SORTS as readonly string[]).includes(sort)) filters.sort = sort as Sort;
  return filters;
}

/** The address bar's query for the filters (the default sort left out). */
export function searchFromFilters(filters: DeskFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters) as Array<[keyof DeskFilters, DeskFilters[keyof DeskFilters]]>) {
    if (value === undefined || value === '' || value === false) continue;
    if (key === 'sort' && value === '-openedAt') continue;
    params.set(key, String(value));
  }
  return params;
}

/** One filter changed (undefined removes it); the rest kept. */
export function withFilter<K extends keyof DeskFilters>(filters: DeskFilters, key: K, value: DeskFilters[K] | undefined): DeskFilters {
  const next = { ...filters };
  if (value === undefined || value === '' || value === false) delete next[key];
  else next[key] = value;
  return next;
}

/** The counts' query: the same filters but the state tab and the sort (a tab shows its own count). */
export function countsQuery(filters: DeskFilters): CountsQuery {
  const { state: _state, sort: _sort, ...rest } = filters;
  return rest;
}

/** The list's query, one page. */
export function listQuery(filters: DeskFilters, cursor: string | undefined, limit: number): ListQuery {
  return { ...filters, ...(cursor ? { cursor } : {}), limit };
}

/** The export's address: the same filters, as query parameters of the workbook route. */
export function exportPath(filters: DeskFilters): string {
  const params = searchFromFilters(filters);
  const query = params.toString();
  return `/api/v1/tickets/export.xlsx${query ? `?${query}` : ''}`;
}

export type Tone = 'success' | 'warning' | 'error' | 'processing' | 'default';

/** The colour that goes with a deadline's urgency; a text label always goes with it. */
export function urgencyTone(status: NextDeadline['status']): Tone {
  return status === 'overdue' ? 'error' : status === 'warning' ? 'warning' : 'success';
}

/** The colour of a state tag: waiting on the org, waiting on a supervisor, answered, ended. */
export function stateTone(state: string): Tone {
  if (state === 'open' || state === 'verifying' || state === 'rectifying' || state === 'cannot_fix_approved') return 'processing';
  if (state === 'appealing' || state === 'cannot_fix_requested') return 'warning';
  if (state === 'replied' || state === 'cannot_fix_replied') return 'success';
  return 'default';
}

/** The days part of a deadline as words: left, due today, or overdue by. */
export function daysLeftText(deadline: Pick<NextDeadline, 'workingDaysLeft' | 'status'>, t: { daysLeft: string; dueToday: string; daysOver: string }): string {
  const fill = (template: string, days: number) => template.replace('{days}', String(days));
  if (deadline.status === 'overdue') return fill(t.daysOver, Math.max(1, -deadline.workingDaysLeft));
  if (deadline.workingDaysLeft <= 0) return t.dueToday;
  return fill(t.daysLeft, deadline.workingDaysLeft);
}

/** Where an event's attachment is read: stored evidence through the ticket (scope-checked), else its own address. */
export function attachmentHref(ticketId: string, attachment: EventAttachment): string | null {
  const stored = attachment as EventAttachment & { evidence?: unknown; uri?: unknown };
  if (typeof stored.evidence === 'string' && /^[0-9a-f]{64}$/.test(stored.evidence)) return `/api/v1/tickets/${ticketId}/evidence/${stored.evidence}`;
  if (typeof stored.uri === 'string' && /^(https?:\/\/|\/)/.test(stored.uri)) return stored.uri;
  return null;
}

/** Whether a refusal is the optimistic-concurrency one (someone acted on the version first). */
export const CONFLICT_CODE = 'TICKET_CONFLICT';

// ---------------------------------------------------------------------------------------------
// A step's form → its request body

/** What POST /api/v1/evidence answered for an uploaded file (its digest, and the name kept). */
interface Stored {
  digest: string;
  name: string;
}

function isStored(value: unknown): value is Stored {
  return typeof value === 'object' && value !== null && typeof (value as Stored).digest === 'string' && typeof (value as Stored).name === 'string';
}

/** The uploaded files as a step's attachments (files still uploading or failed are left out). */
export function attachmentsOf(files: UploadFile[] | undefined): StepAttachment[] {
  return (files ?? []).flatMap((file) => (file.status === 'done' && isStored(file.response) ? [{ evidence: file.response.digest, name: file.response.name }] : []));
}

/** What a step's form holds. */
export interface StepValues {
  note?: string;
  text?: string;
  kind?: 'mistaken' | 'malicious';
  reason?: string;
  days?: number;
  decision?: 'yes' | 'no';
  outcome?: 'satisfied' | 'basically_satisfied' | 'unsatisfied';
  files?: UploadFile[];
}

/** The request body of a step from its form's values and the version the ticket was read at. */
export function bodyOf(step: StepName, values: StepValues, version: number): StepBody {
  const note = values.note?.trim() ? { note: values.note.trim() } : {};
  const attachments = attachmentsOf(values.files);
  const common = { version, ...note, ...(attachments.length > 0 ? { attachments } : {}) };
  const yes = values.decision === 'yes';
  switch (step) {
    case 'accept':
    case 'verified':
      return { step, ...common };
    case 'reply':
      return { step, text: values.text?.trim() ?? '', ...common };
    case 'callback':
      return { step, outcome: values.outcome ?? 'satisfied', ...common };
    case 'judge_invalid':
      return { step, kind: values.kind ?? 'mistaken', reason: values.reason?.trim() ?? '', ...common };
    case 'request_extension':
      return { step, days: values.days ?? 1, reason: values.reason?.trim() ?? '', ...common };
    case 'request_cannot_fix':
      return { step, reason: values.reason?.trim() ?? '', ...common };
    case 'decide_appeal':
      return { step, upheld: yes, ...common };
    case 'decide_extension':
      return { step, granted: yes, ...common };
    case 'decide_cannot_fix':
      return { step, approved: yes, ...common };
  }
}

