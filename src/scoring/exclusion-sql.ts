// The exclusion rules of exclusion.ts written out in SQL, so that no query restates which flags take
// a rating out of the figures. Over the rows `x` of evaluation_event of one evaluation (grouped by
// evaluation_id), each rule is "the latest of its flags is one that sets it".
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { EXCLUSION_RULES, EXCLUSION_STATUSES, type ExclusionRule, type ExclusionStatus } from './exclusion.ts';

const literal = (word: string): string => {
  // Flag kinds and statuses are code, never input; anything else would be a programming error.
  if (!/^[a-z_]+$/.test(word)) throw new Error(`exclusion rules: not a plain word: ${word}`);
  return `'${word}'`;
};
const list = (words: readonly string[]) => words.map(literal).join(', ');

/** The aggregate condition of one rule over the flags `x` of one evaluation. */
export function ruleCondition(rule: ExclusionRule): string {
  if (rule.sets.length === 0) throw new Error('exclusion rules: a rule sets nothing');
  if (rule.lifts.length === 0) return `bool_or(x.kind IN (${list(rule.sets)}))`;
  return `coalesce((array_agg(x.kind ORDER BY x.at DESC, x.id DESC) FILTER (WHERE x.kind IN (${list([...rule.sets, ...rule.lifts])})))[1] IN (${list(rule.sets)}), false)`;
}

/** CASE … END: the exclusion status of one evaluation from its flags `x` (NULL: it counts). */
export function exclusionStatusCondition(rules: readonly ExclusionRule[] = EXCLUSION_RULES): string {
  const branches = EXCLUSION_STATUSES.map((status: ExclusionStatus) => {
    const holding = rules.filter((r) => r.status === status).map(ruleCondition);
    return holding.length === 0 ? '' : ` WHEN ${holding.join(' OR ')} THEN ${literal(status)}`;
  }).join('');
  return branches === '' ? 'NULL::text' : `(CASE${branches} END)`;
}

const STATUS = sql.raw(exclusionStatusCondition());
const asOfCondition = (asOf: Date | undefined, glue: 'WHERE' | 'AND') => (asOf ? sql`${sql.raw(glue)} x.at <= ${asOf}` : sql``);

/** Whether one evaluation is out of the figures (as of `asOf`): a lookup per row, for small reads. */
export function excludedAsOfSql(asOf: Date | undefined, evaluationId: RawBuilder<unknown>) {
  return sql<SqlBool>`EXISTS (SELECT 1 FROM evaluation_event x WHERE x.evaluation_id = ${evaluationId} ${asOfCondition(asOf, 'AND')}
    GROUP BY x.evaluation_id HAVING ${STATUS} IS NOT NULL)`;
}

/** Every evaluation out of the figures (as of `asOf`): rows (evaluation_id, status), to anti-join once. */
export function excludedSetAsOfSql(asOf: Date | undefined) {
  return sql<{ evaluation_id: string; status: ExclusionStatus }>`SELECT x.evaluation_id, ${STATUS} AS status FROM evaluation_event x ${asOfCondition(asOf, 'WHERE')}
    GROUP BY x.evaluation_id HAVING ${STATUS} IS NOT NULL`;
}
