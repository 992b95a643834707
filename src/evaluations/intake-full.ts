// The full path: a flush in one transaction, for whatever the fast path cannot take or gave up
// on. It sorts out repeats, rated stages, replayed nonces and follow-ups request by request.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { applyStageRules, indexStages, readPlaces, stagesOf, type CaseStageRow } from './intake-facts.ts';
import { followerOutcome, resolveRepeats } from './intake-repeats.ts';
import { answered, present, type IntakeDeps, type IntakeOutcome, type Outcomes, type Pending } from './intake-request.ts';
import { claimCtes, nonceCte, writeStatement, type Head } from './intake-write.ts';

/** The chain head, with the stages of the batch (none, when no case is known: then projectNo is null). */
type StageRow = Omit<CaseStageRow, 'projectNo'> & {
  projectNo: string | null;
  headSeq: number;
  headHash: Uint8Array;
};

/**
 * The full path, in one transaction: lock the chain head, read the stages, claim what can be
 * claimed and sort out repeats, rated stages, replayed nonces and follow-ups, then append.
 */
export async function fullFlush(trx: Transaction<DB>, deps: IntakeDeps, chainId: number, batch: Pending[]): Promise<{ outcomes: IntakeOutcome[]; head: Head }> {
  const outcomes: Outcomes = new Array(batch.length);
  const now = deps.clock();
  const at = (i: number): Pending => {
    const pending = batch[i];
    if (!pending) throw new Error(`no pending request ${i}`);
    return pending;
  };

  // 1. Lock this writer's chain head and read the case stages being rated, in one statement.
  const projectNos = [...new Set(batch.map((p) => p.request.draft.projectNo))];
  const stageRows = (
    await sql<StageRow>`
      WITH head AS (SELECT head_seq, head_hash FROM ledger_chain WHERE chain_id = ${chainId} FOR UPDATE),
      stages AS (${stagesOf(projectNos)})
      SELECT head.head_seq AS "headSeq", head.head_hash AS "headHash", stages.* FROM head LEFT JOIN stages ON true`.execute(trx)
  ).rows;
  const headRow = stageRows[0];
  if (!headRow) throw new Error(`ledger chain ${chainId} does not exist`);
  let head: Head = { seq: headRow.headSeq, hash: Buffer.from(headRow.headHash) };
  const { stages, knownCases } = indexStages(stageRows);

  // 2. Rules against the stage.
  let candidates = applyStageRules(batch, stages, knownCases, deps.config.rules, now, outcomes, await readPlaces(trx, batch));

  // Every request's nonce is claimed, the refused ones' too (a nonce is spent whatever the
  // answer), before anything else is claimed, so that a replay is refused whatever it repeats.
  // The same nonce twice in one batch (a replay racing its original): only the first may claim it.
  const nonceHolders = new Set<string>();
  const withNonce: number[] = [];
  batch.forEach(({ request: { nonce } }, i) => {
    if (!nonce) return;
    const key = `${nonce.appId}\u0000${nonce.nonce}`;
    if (!nonceHolders.has(key)) {
      nonceHolders.add(key);
      withNonce.push(i);
    } else {
      outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_NONCE_REPLAYED', details: { nonce: nonce.nonce } } };
    }
  });
  candidates = candidates.filter((i) => outcomes[i] === undefined);
  if (withNonce.length > 0) {
    const nonces = withNonce.flatMap((i) => at(i).request.nonce ?? []);
    const fresh = (await sql<{ app_id: string; nonce: string }>`WITH ${nonceCte(nonces, now)} SELECT app_id, nonce FROM nonces`.execute(trx)).rows;
    // App ids and nonces have no spaces (signature.ts), so 'app nonce' names a claim exactly.
    const claimed = new Set(fresh.map((n) => `${n.app_id} ${n.nonce}`));
    const replayed = new Set(withNonce.filter((i) => !claimed.has(`${at(i).request.nonce?.appId} ${at(i).request.nonce?.nonce}`)));
    for (const i of replayed) outcomes[i] = { status: 'refused', refusal: { code: 'AUTH_NONCE_REPLAYED', details: { nonce: at(i).request.nonce?.nonce } } };
    candidates = candidates.filter((i) => !replayed.has(i));
  }

  // 3. Idempotency. Within the batch the first request with a key leads; repeats follow it.
  const leaders = new Map<string, number>();
  const followers: Array<[number, number]> = [];
  for (const i of candidates) {
    const key = `${at(i).row.source_app}\u0000${at(i).row.client_id}`;
    const leader = leaders.get(key);
    if (leader === undefined) leaders.set(key, i);
    else followers.push([i, leader]);
  }
  candidates = [...leaders.values()];
  // 4. In one statement: claim idempotency keys and case-stage slots (one evaluation per stage and
  //    assessment number). A request whose key is taken claims no slot.
  if (candidates.length > 0) {
    const claimed = (
      await sql<{ kind: 'key' | 'slot'; id: string }>`
        WITH ${claimCtes(candidates.map(at), now)}
        SELECT 'key' AS kind, evaluation_id::text AS id FROM keys
        UNION ALL SELECT 'slot', evaluation_id::text FROM slots`.execute(trx)
    ).rows;
    const keyed = new Set(claimed.filter((c) => c.kind === 'key').map((c) => c.id));
    const slotted = new Set(claimed.filter((c) => c.kind === 'slot').map((c) => c.id));

    const lostKeys: number[] = [];
    const refused: number[] = [];
    for (const i of candidates) {
      const { row } = at(i);
      if (!keyed.has(row.id)) {
        lostKeys.push(i);
      } else if (!slotted.has(row.id) && row.case_stage_id !== null) {
        outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_ALREADY_EXISTS', details: { projectNo: row.project_no, serviceNumber: row.service_number, assessNumber: row.assess_number } } };
        refused.push(i);
      }
    }
    if (lostKeys.length > 0) await resolveRepeats(trx, lostKeys.map((i) => [i, at(i)]), outcomes);
    // Place ratings claim no slot: one window may be rated by many people.
    candidates = candidates.filter((i) => slotted.has(at(i).row.id) || (at(i).row.case_stage_id === null && keyed.has(at(i).row.id)));

    // A follow-up needs a first evaluation, stored before or in this batch.
    const followUps = candidates.filter((i) => at(i).row.assess_number === 2);
    if (followUps.length > 0) {
      const firsts = await trx
        .selectFrom('evaluation_slot')
        .select('case_stage_id')
        .where('assess_number', '=', 1)
        .where('case_stage_id', 'in', followUps.map((i) => at(i).row.case_stage_id ?? ''))
        .execute();
      const rated = new Set(firsts.map((f) => f.case_stage_id));
      const orphans = followUps.filter((i) => !rated.has(at(i).row.case_stage_id ?? ''));
      for (const i of orphans) outcomes[i] = { status: 'refused', refusal: { code: 'EVALUATION_FOLLOW_UP_WITHOUT_FIRST' } };
      if (orphans.length > 0) {
        await trx.deleteFrom('evaluation_slot').where('evaluation_id', 'in', orphans.map((i) => at(i).row.id)).execute();
        candidates = candidates.filter((i) => !orphans.includes(i));
        refused.push(...orphans);
      }
    }
    // Refused requests give their idempotency key back: a corrected retry may use it.
    if (refused.length > 0) await trx.deleteFrom('intake_key').where('evaluation_id', 'in', refused.map((i) => at(i).row.id)).execute();
  }

  // 5. Append to the chain, count, open tickets and move the head: the one write statement.
  if (candidates.length > 0) {
    const write = writeStatement(deps, chainId, head, candidates.map(at), now, null);
    await write.statement.execute(trx);
    candidates.forEach((i, k) => {
      const record = write.records[k];
      if (record) outcomes[i] = { status: 'stored', evaluation: present(record) };
    });
    head = write.head;
  }

  for (const [i, leader] of followers) outcomes[i] = followerOutcome(at(i), at(leader), outcomes[leader]);
  return { outcomes: answered(outcomes), head };
}
