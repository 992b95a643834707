// The fast path: the common case of a flush in two statements without an explicit transaction.
import { applyStageRules, indexStages, type CaseStageRow } from './intake-facts.ts';
import { answered, present, type IntakeDeps, type IntakeOutcome, type Outcomes, type Pending } from './intake-request.ts';
import { writeStatement, type Head } from './intake-write.ts';

/** The error intake_require raises when a fast-path claim was taken or the head had moved: the full path sorts the batch out. */
export const FAST_PATH_CONFLICT = 'HC001';

/** The fast path takes first evaluations of case stages, each idempotency key once. */
export function fitsFastPath(batch: Pending[]): boolean {
  const keys = new Set(batch.map((p) => `${p.row.source_app}\u0000${p.row.client_id}`));
  return keys.size === batch.length && batch.every((p) => p.request.draft.assessNumber === 1 && !p.request.draft.place);
}

/**
 * The stages, read by the caller (readStages), then the rules, then the write statement with the
 * claims in it: it aborts as a whole unless every claim succeeded and the head was where this lane
 * left it, and the batch then takes the full path. `writing` is called once the statement is sent.
 */
export async function fastFlush(deps: IntakeDeps, chainId: number, head: Head, batch: Pending[], stageRows: CaseStageRow[], writing: () => void): Promise<{ outcomes: IntakeOutcome[]; head: Head }> {
  const outcomes: Outcomes = new Array(batch.length);
  const now = deps.clock();
  const { stages, knownCases } = indexStages(stageRows);
  const passed = applyStageRules(batch, stages, knownCases, deps.config.rules, now, outcomes);
  // Every request's nonce is claimed, the refused ones' too (a nonce is spent whatever the answer).
  const nonces = batch.flatMap((p) => p.request.nonce ?? []);
  if (passed.length === 0 && nonces.length === 0) return { outcomes: answered(outcomes), head };
  const write = writeStatement(deps, chainId, head, passed.flatMap((i) => batch[i] ?? []), now, { nonces });
  const written = write.statement.execute(deps.db);
  writing();
  await written;
  passed.forEach((i, k) => {
    const record = write.records[k];
    if (record) outcomes[i] = { status: 'stored', evaluation: present(record) };
  });
  return { outcomes: answered(outcomes), head: write.head };
}
