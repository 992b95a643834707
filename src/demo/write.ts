// Writing the demo: the catalog and the cases in bulk, the evaluations through a real intake writer.
import { chinaCalendar } from '../calendar/china-calendar.ts';
import { beijingDay } from '../clock.ts';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import type { IndicatorCatalogue } from '../evaluations/indicators.ts';
import type { IntakeRequest } from '../evaluations/intake-request.ts';
import { startIntakeWriter } from '../evaluations/intake-writer.ts';
import { sealPerson } from '../pii/vault.ts';
import { bulkInsert, type Column } from './bulk-insert.ts';
import type { CasePlan, StagePlan } from './cases.ts';
import { DEMO_SOURCE_APP } from './constants.ts';
import type { ItemPlan, OrgPlan, Province, StaffPlan, WindowPlan } from './province.ts';
import type { PlannedEvaluation } from './ratings.ts';
import { DAY } from './time.ts';

/** Evaluations received within this span may share a flush (the clock still moves per request). */
const MAX_BATCH_SPAN = 7 * DAY;

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Orgs, items, windows, staff, cases (applicants sealed) and stages, in one transaction. */
export async function writeProvinceAndCases(db: Kysely<DB>, config: Config, province: Province, cases: CasePlan[], catalogCreatedAt: number): Promise<void> {
  const created = new Date(catalogCreatedAt);
  const orgColumns: Array<Column<OrgPlan>> = [
    { name: 'id', type: 'uuid', value: (o) => o.id },
    { name: 'dept_code', type: 'text', value: (o) => o.deptCode },
    { name: 'name', type: 'text', value: (o) => o.name },
    { name: 'kind', type: 'text', value: (o) => o.kind },
    { name: 'region_code', type: 'text', value: (o) => o.regionCode },
    { name: 'created_at', type: 'timestamptz', value: () => created },
  ];
  const itemColumns: Array<Column<ItemPlan>> = [
    { name: 'id', type: 'uuid', value: (i) => i.id },
    { name: 'task_code', type: 'text', value: (i) => i.taskCode },
    { name: 'name', type: 'text', value: (i) => i.name },
    { name: 'item_type', type: 'text', value: (i) => i.type },
    { name: 'org_id', type: 'uuid', value: (i) => i.org.id },
    { name: 'region_code', type: 'text', value: (i) => i.org.regionCode },
    { name: 'created_at', type: 'timestamptz', value: () => created },
  ];
  const windowColumns: Array<Column<WindowPlan>> = [
    { name: 'id', type: 'uuid', value: (w) => w.id },
    { name: 'org_id', type: 'uuid', value: (w) => w.orgId },
    { name: 'code', type: 'text', value: (w) => w.code },
    { name: 'name', type: 'text', value: (w) => w.name },
    { name: 'created_at', type: 'timestamptz', value: () => created },
  ];
  const staffColumns: Array<Column<StaffPlan>> = [
    { name: 'id', type: 'uuid', value: (s) => s.id },
    { name: 'org_id', type: 'uuid', value: (s) => s.orgId },
    { name: 'window_id', type: 'uuid', value: (s) => s.windowId },
    { name: 'staff_no', type: 'text', value: (s) => s.staffNo },
    { name: 'name', type: 'text', value: (s) => s.name },
    { name: 'created_at', type: 'timestamptz', value: () => created },
  ];
  type SealedCase = { plan: CasePlan; sealed: ReturnType<typeof sealPerson> };
  const caseColumns: Array<Column<SealedCase>> = [
    { name: 'id', type: 'uuid', value: (c) => c.plan.id },
    { name: 'project_no', type: 'text', value: (c) => c.plan.projectNo },
    { name: 'item_id', type: 'uuid', value: (c) => c.plan.item.id },
    { name: 'org_id', type: 'uuid', value: (c) => c.plan.item.org.id },
    { name: 'region_code', type: 'text', value: (c) => c.plan.regionCode },
    { name: 'pro_status', type: 'int2', value: (c) => c.plan.proStatus },
    { name: 'accept_at', type: 'timestamptz', value: (c) => at(c.plan.acceptAt) },
    { name: 'result_at', type: 'timestamptz', value: (c) => at(c.plan.resultAt) },
    { name: 'promise_at', type: 'timestamptz', value: (c) => at(c.plan.promiseAt) },
    { name: 'user_prop', type: 'int2', value: (c) => c.plan.userProp },
    { name: 'applicant_pii', type: 'bytea', value: (c) => c.sealed.sealed },
    { name: 'applicant_pii_key_id', type: 'text', value: (c) => c.sealed.keyId },
    { name: 'applicant_masked', type: 'jsonb', value: (c) => JSON.stringify(c.sealed.masked) },
    { name: 'applicant_phone_lookup', type: 'bytea', value: (c) => c.sealed.phoneLookup },
    { name: 'applicant_cert_lookup', type: 'bytea', value: (c) => c.sealed.certLookup },
    { name: 'data_source', type: 'text', value: () => DEMO_SOURCE_APP },
    { name: 'source_app', type: 'text', value: () => DEMO_SOURCE_APP },
    { name: 'created_at', type: 'timestamptz', value: (c) => at(c.plan.createdAt) },
    { name: 'updated_at', type: 'timestamptz', value: (c) => at(c.plan.updatedAt) },
  ];
  type StageRow = { kase: CasePlan; stage: StagePlan };
  const stageColumns: Array<Column<StageRow>> = [
    { name: 'id', type: 'uuid', value: (r) => r.stage.id },
    { name: 'case_id', type: 'uuid', value: (r) => r.kase.id },
    { name: 'service_number', type: 'int4', value: (r) => r.stage.serviceNumber },
    { name: 'name', type: 'text', value: (r) => r.stage.name },
    { name: 'status', type: 'int2', value: (r) => r.stage.status },
    { name: 'completed_at', type: 'timestamptz', value: (r) => at(r.stage.completedAt) },
    { name: 'org_id', type: 'uuid', value: (r) => r.stage.org.id },
    { name: 'window_id', type: 'uuid', value: (r) => r.stage.window?.id ?? null },
    { name: 'staff_id', type: 'uuid', value: (r) => r.stage.staff?.id ?? null },
  ];

  // Completed stages as scoring attributes them (registerCase writes these one by one).
  const completionColumns: Array<Column<StageRow>> = [
    { name: 'case_stage_id', type: 'uuid', value: (r) => r.stage.id },
    { name: 'completed_day', type: 'date', value: (r) => beijingDay(new Date(r.stage.completedAt as number)) },
    { name: 'region_code', type: 'text', value: (r) => r.kase.regionCode },
    { name: 'org_id', type: 'uuid', value: (r) => r.stage.org.id },
    { name: 'item_id', type: 'uuid', value: (r) => r.kase.item.id },
    { name: 'window_id', type: 'uuid', value: (r) => r.stage.window?.id ?? null },
    { name: 'staff_id', type: 'uuid', value: (r) => r.stage.staff?.id ?? null },
    { name: 'recorded_at', type: 'timestamptz', value: (r) => at(r.stage.completedAt) },
  ];

  // The applicant is sealed to the case id, as registerCase does.
  const sealedCases = cases.map((plan) => ({ plan, sealed: sealPerson(config, plan.applicant, plan.id) }));
  const stages = cases.flatMap((kase) => kase.stages.map((stage) => ({ kase, stage })));
  await db.transaction().execute(async (trx) => {
    await bulkInsert(trx, 'org', orgColumns, province.orgs);
    await bulkInsert(trx, 'service_item', itemColumns, province.items);
    await bulkInsert(trx, 'service_window', windowColumns, province.windows);
    await bulkInsert(trx, 'staff', staffColumns, province.staff);
    await bulkInsert(trx, 'service_case', caseColumns, sealedCases, 1000);
    await bulkInsert(trx, 'case_stage', stageColumns, stages, 2000);
    await bulkInsert(trx, 'stage_completion', completionColumns, stages.filter((r) => r.stage.completedAt !== null), 2000);
  });
}

export interface Tally {
  stored: number;
  duplicate: number;
  refused: Record<string, number>;
}

export async function submitEvaluations(deps: { db: Kysely<DB>; config: Config }, catalogue: IndicatorCatalogue, planned: PlannedEvaluation[], startAt: number): Promise<Tally> {
  const { db, config } = deps;
  let current = startAt;
  const clock: Clock = () => new Date(current);
  const writer = await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue, owner: `demo-generator:${process.pid}` });
  const tally: Tally = { stored: 0, duplicate: 0, refused: {} };
  const scope = { regionPath: '510000/', orgId: null };
  try {
    planned.sort((a, b) => a.receivedAt - b.receivedAt);
    const cap = Math.max(1, config.intake.flushMaxRows);
    let i = 0;
    while (i < planned.length) {
      const first = planned[i];
      if (!first) break;
      let deadline = Number.POSITIVE_INFINITY;
      const stagesInBatch = new Set<string>();
      const pending: Array<Promise<Awaited<ReturnType<typeof writer.submit>>>> = [];
      // Each request is submitted when the clock shows its receipt time (its received_at); those of a
      // few simulated days are flushed together (group commit) once the clock has reached the last,
      // as long as that is still within every one's rating window plus the sync grace.
      for (; i < planned.length; i++) {
        const next = planned[i];
        if (!next || next.receivedAt - first.receivedAt > MAX_BATCH_SPAN || pending.length >= cap || next.receivedAt > deadline) break;
        // A follow-up waits for the flush after its first rating's: with several writer lanes the
        // two could otherwise be written concurrently, and the follow-up would find no first.
        const stageKey = `${next.draft.projectNo}#${next.draft.serviceNumber}`;
        if (next.draft.assessNumber === 2 && stagesInBatch.has(stageKey)) break;
        stagesInBatch.add(stageKey);
        deadline = Math.min(deadline, next.deadline);
        current = Math.max(current, next.receivedAt);
        const request: IntakeRequest = { draft: next.draft, sourceApp: DEMO_SOURCE_APP, scope };
        pending.push(writer.submit([request]));
      }
      for (const outcomes of await Promise.all(pending)) {
        for (const outcome of outcomes) {
          if (outcome.status === 'stored') tally.stored++;
          else if (outcome.status === 'duplicate') tally.duplicate++;
          else tally.refused[outcome.refusal.code] = (tally.refused[outcome.refusal.code] ?? 0) + 1;
        }
      }
    }
  } finally {
    await writer.close();
  }
  return tally;
}
