// The facts a flush needs from the catalog (the stages of the cases being rated, or the rated
// windows and staff) and the rules applied to them, which also fill in what each ledger row takes
// from its case or place.
import { sql, type Kysely, type Transaction } from 'kysely';
import { callerCovers } from '../auth/policy.ts';
import { prepared } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import type { Outcomes, Pending } from './intake-request.ts';
import { checkAgainstStage, checkCaseCodes, type CaseCodes, type RuleSettings, type StageFacts } from './rules.ts';

// Run at every fast flush: planned once per connection (src/db/database.ts).
const PREPARE_STAGES = sql.raw(prepared('intake_stages'));

/** The stages of a batch, read ahead of its fast-path write. */
export async function readStages(db: Kysely<DB>, batch: Pending[]): Promise<CaseStageRow[]> {
  const projectNos = [...new Set(batch.map((p) => p.request.draft.projectNo))];
  return (await sql<CaseStageRow>`${PREPARE_STAGES}${stagesOf(projectNos)}`.execute(db)).rows;
}

/**
 * The stages of the cases being rated: one row per stage, or one row with null stage columns for a
 * case without stages. Each case and its stages are probes of a unique index (OFFSET 0 keeps the
 * planner from turning them into a scan of every case, which it does for a long list, or when the
 * tables grew faster than their statistics), so the read costs the same at 10 thousand cases or
 * at 10 million.
 */
export function stagesOf(projectNos: string[]) {
  return sql<CaseStageRow>`
    SELECT s.id AS "caseStageId", c.id AS "caseId", c.project_no AS "projectNo", s.service_number AS "serviceNumber",
      s.status, s.completed_at AS "completedAt", s.org_id AS "orgId", c.region_code AS "regionCode", r.path AS "regionPath",
      c.item_id AS "itemId", s.window_id AS "windowId", s.staff_id AS "staffId",
      (SELECT dept_code FROM org WHERE id = c.org_id) AS "caseDeptCode",
      CASE WHEN s.org_id <> c.org_id THEN (SELECT dept_code FROM org WHERE id = s.org_id) END AS "stageDeptCode"
    FROM unnest(${projectNos}::text[]) AS p(project_no)
    JOIN LATERAL (SELECT id, project_no, region_code, item_id, org_id FROM service_case WHERE project_no = p.project_no OFFSET 0) c ON true
    LEFT JOIN LATERAL (SELECT id, service_number, status, completed_at, org_id, window_id, staff_id FROM case_stage WHERE case_id = c.id OFFSET 0) s ON true
    JOIN region r ON r.code = c.region_code`;
}

/** A row of stagesOf: the stage columns are null for a case without stages. */
export type CaseStageRow = Omit<StageFacts, 'caseStageId'> & { caseStageId: string | null } & Omit<CaseCodes, 'regionCode'>;

/** Known cases and their stages by `projectNo#serviceNumber`; rows without a case (the full path's head alone) are skipped. */
export function indexStages(rows: ReadonlyArray<Omit<CaseStageRow, 'projectNo'> & { projectNo: string | null }>) {
  const stages = new Map<string, StageFacts & CaseCodes>();
  const knownCases = new Set<string>();
  for (const row of rows) {
    if (row.projectNo === null) continue;
    knownCases.add(row.projectNo);
    if (row.caseStageId !== null) stages.set(`${row.projectNo}#${row.serviceNumber}`, row as StageFacts & CaseCodes);
  }
  return { stages, knownCases };
}

/** What a window or staff rating takes from the catalog. */
interface PlaceFacts {
  orgId: string;
  regionCode: string;
  regionPath: string;
  windowId: string | null;
  staffId: string | null;
}

/** Windows and staff members being rated in a batch, by id. */
export async function readPlaces(db: Kysely<DB> | Transaction<DB>, batch: Pending[]): Promise<Map<string, PlaceFacts>> {
  const places = batch.flatMap((p) => p.request.draft.place ?? []);
  const facts = new Map<string, PlaceFacts>();
  if (places.length === 0) return facts;
  const windowIds = places.filter((p) => p.kind === 'window').map((p) => p.id);
  const staffIds = places.filter((p) => p.kind === 'staff').map((p) => p.id);
  const rows = (
    await sql<PlaceFacts & { key: string }>`
      SELECT 'window:' || w.id AS key, w.org_id AS "orgId", o.region_code AS "regionCode", r.path AS "regionPath", w.id AS "windowId", NULL::uuid AS "staffId"
        FROM service_window w JOIN org o ON o.id = w.org_id JOIN region r ON r.code = o.region_code WHERE w.id = ANY(${windowIds}::uuid[])
      UNION ALL
      SELECT 'staff:' || st.id, st.org_id, o.region_code, r.path, st.window_id, st.id
        FROM staff st JOIN org o ON o.id = st.org_id JOIN region r ON r.code = o.region_code WHERE st.id = ANY(${staffIds}::uuid[])`.execute(db)
  ).rows;
  for (const { key, ...place } of rows) facts.set(key, place);
  return facts;
}

/** Rules against the stage (or the rated place); fills in what the ledger row takes from it. Returns the indexes that pass. */
export function applyStageRules(batch: Pending[], stages: Map<string, StageFacts & CaseCodes>, knownCases: Set<string>, settings: RuleSettings, now: Date, outcomes: Outcomes, places: Map<string, PlaceFacts> = new Map()): number[] {
  const passed: number[] = [];
  batch.forEach((pending, i) => {
    const { draft, scope } = pending.request;
    if (draft.place) {
      const place = places.get(`${draft.place.kind}:${draft.place.id}`);
      if (!place) {
        outcomes[i] = { status: 'refused', refusal: { code: draft.place.kind === 'window' ? 'WINDOW_UNKNOWN' : 'STAFF_UNKNOWN' } };
      } else if (!callerCovers(scope, { regionPath: place.regionPath, orgId: place.orgId })) {
        outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_OUT_OF_SCOPE' } };
      } else if (draft.assessedAt.getTime() < now.getTime() - settings.syncGraceDays * 86_400_000) {
        // No case, no rating window: only a plausible, recent assessment time.
        outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_TIME_INVALID', details: { reason: 'older than the sync grace' } } };
      } else {
        Object.assign(pending.row, { region_code: place.regionCode, org_id: place.orgId, window_id: place.windowId, staff_id: place.staffId });
        passed.push(i);
      }
      return;
    }
    const stage = stages.get(`${draft.projectNo}#${draft.serviceNumber}`);
    const refusal = checkAgainstStage(draft, stage, knownCases.has(draft.projectNo), settings, now);
    if (refusal || !stage) {
      outcomes[i] = { status: 'refused', refusal: refusal ?? { code: 'CASE_STAGE_NOT_FOUND' } };
      return;
    }
    if (!callerCovers(scope, { regionPath: stage.regionPath, orgId: stage.orgId })) {
      outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_OUT_OF_SCOPE', details: { projectNo: draft.projectNo } } };
      return;
    }
    // After the scope check: the registered codes are told only to a caller who may see the case.
    const mismatch = checkCaseCodes(draft, stage);
    if (mismatch) {
      outcomes[i] = { status: 'refused', refusal: mismatch };
      return;
    }
    Object.assign(pending.row, {
      case_stage_id: stage.caseStageId,
      case_id: stage.caseId,
      region_code: stage.regionCode,
      org_id: stage.orgId,
      item_id: stage.itemId,
      window_id: stage.windowId,
      staff_id: stage.staffId,
    });
    passed.push(i);
  });
  return passed;
}
