// Inspection commands: a new version of a checklist template, and a recorded inspection, which
// enters the live score tallies of its region, org and window in the same transaction as its row.
// Both tables are append-only in the database: nothing here is ever edited afterwards.
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { beijingDay, type Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { AttachmentRef, DB, InspectionMethod } from '../db/schema.ts';
import { AppError, type Refusal } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import { inspectionContribution } from '../scoring/tally.ts';
import { applyContribution } from '../scoring/tally-store.ts';
import { mayRecordInspectionAt } from './access.ts';
import { INSPECTION_RECORDERS } from './recorders.ts';
import { findTemplate, type InspectionRecord, type TemplateRow } from './queries.ts';
import { checkFindings, checkInspectedAt, checkTemplate, scoreResults, templateItemsOf, type ResultInput, type Result, type TemplateInput } from './rules.ts';

export interface InspectionDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
}

function valueOrThrow<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const refusal: Refusal = result.refusal;
  throw new AppError(refusal.code, refusal.details);
}

function requireRecorder(caller: StaffCaller): void {
  if (!INSPECTION_RECORDERS.includes(caller.role)) throw new AppError('AUTH_FORBIDDEN', { role: caller.role, allowed: INSPECTION_RECORDERS });
}

/**
 * Writers adding versions of one code at once: each round one wins and the others try again with the
 * next number, so n simultaneous writers need up to n attempts. Templates are written by hand, rarely.
 */
const VERSION_ATTEMPTS = 10;

/**
 * Add a checklist template: version 1 of a new code, or the next version of an existing one.
 * Templates are never edited; inspections keep pointing at the version they were scored by.
 */
export async function createTemplateVersion(deps: Pick<InspectionDeps, 'db' | 'clock'>, caller: StaffCaller, input: TemplateInput): Promise<TemplateRow> {
  requireRecorder(caller);
  const draft = valueOrThrow(checkTemplate(input));
  const now = deps.clock();
  for (let attempt = 1; ; attempt++) {
    try {
      // One statement, so that the version is max + 1 of what it sees; the UNIQUE (code, version)
      // constraint decides between two concurrent writers, and the loser tries again.
      const { rows } = await sql<TemplateRow>`INSERT INTO inspection_template (id, code, version, name, items, created_by, created_at)
        SELECT ${uuidv7()}, ${draft.code}, coalesce(max(version), 0) + 1, ${draft.name}, ${JSON.stringify(draft.items)}::jsonb, ${caller.username}, ${now}
        FROM inspection_template WHERE code = ${draft.code}
        RETURNING *`.execute(deps.db);
      const row = rows[0];
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return row;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= VERSION_ATTEMPTS) throw error;
    }
  }
}

export interface InspectionInput {
  templateCode: string;
  /** The version scored by; the latest when absent. */
  templateVersion?: number | undefined;
  orgId: string;
  windowId?: string | null | undefined;
  method: InspectionMethod;
  /** ISO 8601 with an offset, or `yyyy-MM-dd HH:mm:ss` in Beijing time. */
  inspectedAt: string;
  results: readonly ResultInput[];
  findings?: string | null | undefined;
  attachments?: readonly AttachmentRef[] | undefined;
}

/**
 * Record an inspection of an org (and, optionally, one of its windows) by the caller: scored against
 * its template, placed in the org's region and the Beijing day it took place, and counted in the live
 * score tallies in the same transaction.
 */
export async function recordInspection(deps: InspectionDeps, caller: StaffCaller, input: InspectionInput): Promise<InspectionRecord> {
  requireRecorder(caller);
  const now = deps.clock();
  const inspectedAt = valueOrThrow(checkInspectedAt(input.inspectedAt, now, deps.config.rules.clockSkewSeconds));
  const findings = valueOrThrow(checkFindings(input.findings));
  return deps.db.transaction().execute(async (trx) => {
    const org = await trx
      .selectFrom('org')
      .innerJoin('region', 'region.code', 'org.region_code')
      .select(['org.id', 'org.name', 'org.region_code', 'region.path'])
      .where('org.id', '=', input.orgId)
      .executeTakeFirst();
    if (!org) throw new AppError('ORG_UNKNOWN', { orgId: input.orgId });
    if (!mayRecordInspectionAt(caller, { regionPath: org.path, orgId: org.id })) throw new AppError('AUTH_OUT_OF_SCOPE', { orgId: org.id });
    const windowId = input.windowId ?? null;
    if (windowId !== null) {
      const window = await trx.selectFrom('service_window').select('id').where('id', '=', windowId).where('org_id', '=', org.id).executeTakeFirst();
      if (!window) throw new AppError('WINDOW_UNKNOWN', { windowId, orgId: org.id, reason: 'no such window at this org' });
    }
    const template = await findTemplate(trx, input.templateCode, input.templateVersion);
    if (!template) throw new AppError('INSPECTION_TEMPLATE_NOT_FOUND', { code: input.templateCode, version: input.templateVersion ?? 'latest' });
    const scored = valueOrThrow(scoreResults(templateItemsOf(template.items), input.results));

    const inspectedDay = beijingDay(inspectedAt);
    const row = await trx
      .insertInto('inspection')
      .values({
        id: uuidv7(),
        template_id: template.id,
        org_id: org.id,
        region_code: org.region_code,
        window_id: windowId,
        method: input.method,
        inspected_at: inspectedAt,
        inspected_day: inspectedDay,
        score_points: scored.scorePoints,
        results: JSON.stringify(scored.results),
        findings,
        attachments: JSON.stringify(input.attachments ?? []),
        inspector: caller.username,
        recorded_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await applyContribution(trx, inspectionContribution({ region_code: row.region_code, org_id: row.org_id, window_id: row.window_id, inspected_day: inspectedDay, score_points: row.score_points }));
    return {
      ...row,
      template_code: template.code,
      template_version: template.version,
      template_name: template.name,
      template_items: template.items,
      org_name: org.name,
      region_path: org.path,
    };
  });
}
