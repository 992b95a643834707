// The review queue as reviewers read it: held (or decided) ratings within the caller's region,
// filtered by score, reason, path, unit and period, newest first by keyset on (opened_at, id).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RiskReason } from './engine.ts';
import { describeReason } from './reasons.ts';

export interface QueueFilter {
  regionPath: string;
  status?: 'held' | 'confirmed' | 'cleared' | undefined;
  minScore?: number | undefined;
  reason?: string | undefined;
  path?: string | undefined;
  orgId?: string | undefined;
  fromDay?: string | undefined;
  toDay?: string | undefined;
  /** Keyset cursor: the evaluation id of the last row of the previous page. */
  after?: string | undefined;
  limit: number;
}

export async function listRiskCases(db: Kysely<DB>, filter: QueueFilter) {
  let query = db
    .selectFrom('risk_case as k')
    .innerJoin('evaluation as e', 'e.id', 'k.evaluation_id')
    .innerJoin('org as o', 'o.id', 'k.org_id')
    .select(['k.evaluation_id', 'k.status', 'k.score', 'k.reason_codes', 'k.path', 'k.region_code', 'k.org_id', 'o.name as org_name', 'k.level', 'k.assessed_day', 'k.opened_at', 'k.decided_at', 'e.receipt_no', 'e.comment', 'e.channel', 'e.assessed_at'])
    .where('k.region_path', 'like', `${filter.regionPath}%`);
  if (filter.status) query = query.where('k.status', '=', filter.status);
  if (filter.minScore !== undefined) query = query.where('k.score', '>=', filter.minScore);
  if (filter.reason) query = query.where(sql<boolean>`${filter.reason} = ANY(k.reason_codes)`);
  if (filter.path) query = query.where('k.path', '=', filter.path);
  if (filter.orgId) query = query.where('k.org_id', '=', filter.orgId);
  if (filter.fromDay) query = query.where('k.assessed_day', '>=', filter.fromDay);
  if (filter.toDay) query = query.where('k.assessed_day', '<=', filter.toDay);
  if (filter.after) query = query.where('k.evaluation_id', '<', filter.after);
  return query.orderBy('k.evaluation_id', 'desc').limit(filter.limit).execute();
}

export async function riskCaseOf(db: Kysely<DB>, evaluationId: string) {
  return db.selectFrom('risk_case').selectAll().where('evaluation_id', '=', evaluationId).executeTakeFirst();
}

/** Every assessment of a rating, with readable reasons, oldest first. */
export async function assessmentsOf(db: Kysely<DB>, evaluationId: string) {
  const rows = await db.selectFrom('risk_assessment').select(['policy_version', 'score', 'reasons', 'held', 'assessed_at']).where('evaluation_id', '=', evaluationId).orderBy('assessed_at').orderBy('id').execute();
  return rows.map((r) => ({ ...r, reasons: (r.reasons as RiskReason[]).map((reason) => ({ ...reason, text: describeReason(reason.code, reason.detail) })) }));
}

export async function reviewsOf(db: Kysely<DB>, evaluationId: string) {
  return db.selectFrom('risk_review').select(['reviewer', 'round', 'decision', 'reason', 'evidence', 'at']).where('evaluation_id', '=', evaluationId).orderBy('at').orderBy('id').execute();
}
