// The assessor: reads every newly stored rating, chain by chain in ledger order (a cursor per
// chain, like the score feed), gathers the ratings around it that share a key (target, source,
// phone, install, network, device), runs the engine, and writes what it decided: an assessment
// for every rating (append-only), a hold (an evaluation flag that takes it out of the figures as
// 待核查) and a review-queue entry for each rating at or above the policy's line, and a
// notification to the supervising level of each org with new holds. Ratings assessed earlier
// that a new cluster takes in are escalated the same way; a reviewer's clearing is never undone.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import { uuidv7 } from 'uuidv7';
import type { DB } from '../db/schema.ts';
import { HOTLINE_SOURCE } from '../hotline/rules.ts';
import { startTicker } from '../jobs/ticker.ts';
import { notify } from '../notifications/notifications.ts';
import { appendEvaluationFlag } from '../scoring/footprint.ts';
import { assessRatings, mergeReasons, roundScore, type RatingFacts, type RatingPath, type RiskReason } from './engine.ts';
import { combinedScore, INITIAL_RISK_POLICY, type RiskPolicy } from './policy.ts';

const BATCH_ROWS = 2000;
export const RISK_ENGINE_ACTOR = 'system:risk';

interface FactsRow {
  id: string;
  seq: number;
  assessed_at: Date;
  level: number;
  comment: string | null;
  is_default: boolean;
  channel: string;
  source_app: string;
  rater_phone_lookup: Uint8Array | null;
  case_id: string | null;
  case_stage_id: string | null;
  org_id: string;
  window_id: string | null;
  staff_id: string | null;
  region_code: string;
  assessed_day: string;
  completed_at: Date | null;
  path: RatingPath | null;
  proof: string | null;
  device_id: string | null;
  install_key: Uint8Array | null;
  network_key: Uint8Array | null;
}

const hex = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

/** The path of a rating: its proof record says so on our own pages; the row says it elsewhere. */
export function pathOf(row: Pick<FactsRow, 'path' | 'source_app' | 'channel'>): RatingPath {
  if (row.path !== null) return row.path;
  if (row.source_app === HOTLINE_SOURCE) return row.channel === 'sms' ? 'sms' : 'ivr';
  return 'integrator';
}

function factsOf(row: FactsRow): RatingFacts {
  return {
    id: row.id,
    at: row.assessed_at,
    level: row.level,
    comment: row.comment,
    isDefault: row.is_default,
    path: pathOf(row),
    source: row.source_app,
    deviceId: row.device_id,
    installKey: hex(row.install_key),
    networkKey: hex(row.network_key),
    phoneKey: hex(row.rater_phone_lookup),
    caseId: row.case_id,
    caseStageId: row.case_stage_id,
    orgId: row.org_id,
    windowId: row.window_id,
    staffId: row.staff_id,
    completedAt: row.completed_at,
    // On our own pages the proof is recorded; elsewhere the sending system or phone vouches.
    proven: row.proof === null ? true : row.proof !== 'none',
  };
}

const FACTS = sql`e.id, e.seq, e.assessed_at, e.level, e.comment, e.is_default, e.channel, e.source_app, e.rater_phone_lookup, e.case_id,
  e.case_stage_id, e.org_id, e.window_id, e.staff_id, e.region_code, e.assessed_day::text AS assessed_day, s.completed_at,
  p.origin AS path, p.proof, p.device_id, c.install_key, c.network_key
  FROM evaluation e LEFT JOIN case_stage s ON s.id = e.case_stage_id LEFT JOIN rating_proof p ON p.evaluation_id = e.id
  LEFT JOIN rating_context c ON c.evaluation_id = e.id`;

/** The ratings around `fresh` that share one of its keys, within the policy's look-back. */
async function historyOf(trx: Transaction<DB>, fresh: readonly FactsRow[], policy: RiskPolicy): Promise<FactsRow[]> {
  const times = fresh.map((r) => r.assessed_at.getTime());
  const from = new Date(Math.min(...times) - policy.lookbackHours * 3_600_000);
  const to = new Date(Math.max(...times) + policy.lookbackHours * 3_600_000);
  // An app's or device's own ratings only within the shorter windows: a city's app sends thousands a day.
  const sourceFrom = new Date(Math.min(...times) - Math.max(policy.speed.windowMinutes, policy.timing.windowMinutes) * 60_000);
  const distinct = <T>(values: Array<T | null>) => [...new Set(values.filter((v): v is T => v !== null))];
  const staff = distinct(fresh.map((r) => r.staff_id));
  const windows = distinct(fresh.map((r) => r.window_id));
  const phones = distinct(fresh.map((r) => hex(r.rater_phone_lookup)));
  const installs = distinct(fresh.map((r) => hex(r.install_key)));
  const networks = distinct(fresh.map((r) => hex(r.network_key)));
  const sources = distinct(fresh.map((r) => r.source_app));
  const devices = distinct(fresh.map((r) => r.device_id));
  const rows = await sql<FactsRow>`SELECT ${FACTS}
    WHERE e.assessed_at BETWEEN ${from} AND ${to} AND e.is_default = false AND (
      e.staff_id = ANY(${staff}::uuid[]) OR e.window_id = ANY(${windows}::uuid[])
      OR e.rater_phone_lookup = ANY(${phones.map((p) => Buffer.from(p, 'hex'))}::bytea[])
      OR c.install_key = ANY(${installs.map((p) => Buffer.from(p, 'hex'))}::bytea[])
      OR c.network_key = ANY(${networks.map((p) => Buffer.from(p, 'hex'))}::bytea[])
      OR p.device_id = ANY(${devices}::uuid[])
      OR (e.source_app = ANY(${sources}::text[]) AND e.assessed_at >= ${sourceFrom}))`.execute(trx);
  return rows.rows;
}

interface Standing {
  reasons: RiskReason[];
  held: boolean;
  /** A reviewer decided (cleared or confirmed): the engine no longer changes its standing. */
  decided: boolean;
}

async function standingsOf(trx: Transaction<DB>, ids: readonly string[]): Promise<Map<string, Standing>> {
  const standings = new Map<string, Standing>();
  if (ids.length === 0) return standings;
  const latest = await sql<{ evaluation_id: string; reasons: RiskReason[]; held: boolean }>`
    SELECT DISTINCT ON (evaluation_id) evaluation_id, reasons, held FROM risk_assessment
    WHERE evaluation_id = ANY(${ids}::uuid[]) ORDER BY evaluation_id, assessed_at DESC, id DESC`.execute(trx);
  const decided = await trx.selectFrom('risk_review').select('evaluation_id').distinct().where('evaluation_id', 'in', ids).execute();
  const decidedIds = new Set(decided.map((d) => d.evaluation_id));
  for (const row of latest.rows) standings.set(row.evaluation_id, { reasons: row.reasons, held: row.held, decided: decidedIds.has(row.evaluation_id) });
  return standings;
}

interface Decision {
  row: FactsRow;
  score: number;
  reasons: RiskReason[];
  hold: boolean;
}

/** Write one assessment; hold the rating and open its review case when the line is crossed. */
async function record(trx: Transaction<DB>, decision: Decision, policy: RiskPolicy, now: Date): Promise<boolean> {
  const { row, score, reasons, hold } = decision;
  await trx.insertInto('risk_assessment').values({ id: uuidv7(), evaluation_id: row.id, policy_version: policy.version, score, reasons: JSON.stringify(reasons), held: hold, assessed_at: now }).execute();
  if (!hold) return false;
  const codes = reasons.map((r) => r.code);
  await holdForReview(trx, row, { score, reasonCodes: codes, reason: codes.join(','), actor: RISK_ENGINE_ACTOR }, now);
  return true;
}

export type HeldRating = Pick<FactsRow, 'id' | 'level' | 'org_id' | 'region_code' | 'assessed_day' | 'source_app' | 'channel' | 'path'>;

/**
 * Hold a rating for review, by the engine or on a supervisor's report: the flag that takes it out
 * of the figures (待核查), and its entry in the queue, opened or opened again (a new round of votes).
 */
export async function holdForReview(trx: Transaction<DB>, rating: HeldRating, hold: { score: number; reasonCodes: string[]; reason: string; actor: string }, now: Date): Promise<void> {
  await appendEvaluationFlag(trx, { evaluationId: rating.id, kind: 'risk_held', reason: hold.reason, actor: hold.actor }, now);
  const region = await trx.selectFrom('region').select('path').where('code', '=', rating.region_code).executeTakeFirstOrThrow();
  await trx
    .insertInto('risk_case')
    .values({ evaluation_id: rating.id, status: 'held', score: hold.score, reason_codes: hold.reasonCodes, path: pathOf(rating), region_code: rating.region_code, region_path: region.path, org_id: rating.org_id, level: rating.level, assessed_day: rating.assessed_day, opened_at: now, decided_at: null })
    .onConflict((oc) => oc.column('evaluation_id').doUpdateSet((eb) => ({ status: 'held', score: hold.score, reason_codes: hold.reasonCodes, decided_at: null, round: eb('risk_case.round', '+', 1) })))
    .execute();
}

/** Assess what waits on every chain (one batch per chain); returns the ratings assessed. */
export async function assessWaiting(db: Kysely<DB>, now: () => Date, policy: RiskPolicy = INITIAL_RISK_POLICY, maxRows = BATCH_ROWS): Promise<{ assessed: number; held: number }> {
  const waiting = await sql<{ chain_id: number }>`SELECT c.chain_id FROM ledger_chain c LEFT JOIN risk_cursor r USING (chain_id)
    WHERE c.head_seq > coalesce(r.seq, 0) ORDER BY c.chain_id`.execute(db);
  let assessed = 0;
  let held = 0;
  const heldByOrg = new Map<string, { regionCode: string; count: number; reasons: Set<string> }>();
  for (const { chain_id: chainId } of waiting.rows) {
    await db.insertInto('risk_cursor').values({ chain_id: chainId, seq: 0 }).onConflict((oc) => oc.column('chain_id').doNothing()).execute();
    await db.transaction().execute(async (trx) => {
      const cursor = await trx.selectFrom('risk_cursor').select('seq').where('chain_id', '=', chainId).forUpdate().skipLocked().executeTakeFirst();
      if (!cursor) return; // another process is assessing this chain
      const fresh = (await sql<FactsRow>`SELECT ${FACTS} WHERE e.chain_id = ${chainId} AND e.seq > ${cursor.seq} ORDER BY e.seq LIMIT ${maxRows}`.execute(trx)).rows;
      if (fresh.length === 0) return;
      const history = await historyOf(trx, fresh, policy);
      const result = assessRatings(fresh.map(factsOf), history.map(factsOf), policy);
      const rows = new Map([...history, ...fresh].map((r) => [r.id, r]));
      const at = now();
      const decisions: Decision[] = [];
      for (const a of result.assessments) {
        decisions.push({ row: rows.get(a.evaluationId) as FactsRow, score: a.score, reasons: a.reasons, hold: a.score >= policy.holdAt });
      }
      const standings = await standingsOf(trx, result.escalations.map((e) => e.evaluationId));
      for (const e of result.escalations) {
        const before = standings.get(e.evaluationId);
        if (!before || before.decided) continue; // not yet assessed (its own turn comes), or a reviewer decided
        const reasons = mergeReasons(before.reasons, e.reasons);
        const score = roundScore(combinedScore(reasons.map((r) => r.weight)));
        if (reasons.length === before.reasons.length && reasons.every((r, i) => r.code === before.reasons[i]?.code && r.weight === before.reasons[i]?.weight)) continue;
        decisions.push({ row: rows.get(e.evaluationId) as FactsRow, score, reasons, hold: !before.held && score >= policy.holdAt });
      }
      for (const decision of decisions) {
        if (!(await record(trx, decision, policy, at))) continue;
        held += 1;
        const entry = heldByOrg.get(decision.row.org_id) ?? { regionCode: decision.row.region_code, count: 0, reasons: new Set<string>() };
        entry.count += 1;
        for (const r of decision.reasons) entry.reasons.add(r.code);
        heldByOrg.set(decision.row.org_id, entry);
      }
      await trx.updateTable('risk_cursor').set({ seq: (fresh[fresh.length - 1] as FactsRow).seq }).where('chain_id', '=', chainId).execute();
      assessed += fresh.length;
    });
  }
  // The supervising level hears of new holds: never the suspected org's own handlers.
  for (const [orgId, entry] of heldByOrg) {
    const org = await db.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select(['org.name', 'region.path']).where('org.id', '=', orgId).executeTakeFirst();
    if (!org) continue;
    await notify(db, { kind: 'risk_held', ticketId: null, params: { org: org.name, count: entry.count, reasons: [...entry.reasons].sort() }, to: { supervisorsOver: org.path, nearestOnly: true } }, now());
  }
  return { assessed, held };
}

export interface RiskAssessor {
  /** Assess until nothing waits (tests, benchmarks). */
  drain(): Promise<{ assessed: number; held: number }>;
  stop(): Promise<void>;
}

/** Run the assessor every `intervalMs` in this process (several processes share the chains safely). */
export function startRiskAssessor(db: Kysely<DB>, intervalMs: number, log: FastifyBaseLogger, clock: () => Date): RiskAssessor {
  const drain = async () => {
    const total = { assessed: 0, held: 0 };
    for (;;) {
      const { assessed, held } = await assessWaiting(db, clock);
      total.assessed += assessed;
      total.held += held;
      if (assessed === 0) return total;
    }
  };
  const ticker = startTicker(drain, intervalMs, (error) => log.error({ err: error }, 'risk assessor failed; retrying'));
  return {
    drain: async () => {
      await ticker.settled();
      return drain();
    },
    stop: () => ticker.stop(),
  };
}

/**
 * Start the assessor after what the ledger holds now, without assessing it: for the demo, whose
 * ratings are synthetic (a short list of comments, simulated months) and would read as scripts.
 */
export async function skipAssessmentOfLedger(db: Kysely<DB>): Promise<void> {
  await sql`INSERT INTO risk_cursor (chain_id, seq) SELECT chain_id, head_seq FROM ledger_chain
    ON CONFLICT (chain_id) DO UPDATE SET seq = greatest(risk_cursor.seq, EXCLUDED.seq)`.execute(db);
}
