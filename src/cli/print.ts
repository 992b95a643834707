import type { VerifyReport } from '../ledger/verify.ts';

const REASONS = {
  hash_mismatch: '哈希不符（记录被改动）/ hash mismatch (row altered)',
  sequence_gap: '序号缺失（记录被删除）/ sequence gap (row removed)',
  head_mismatch: '链头不符（末尾记录被删除或链头被改）/ head mismatch (rows removed at the end, or head altered)',
} as const;

const CHECKPOINT_REASONS = {
  truncated: '链被截短（末尾记录被删除，链头被回拨）/ chain truncated (rows removed from the end, head moved back)',
  row_missing: '检查点记录的行已不存在 / a checkpointed row is gone',
  row_mismatch: '行哈希与检查点不符 / a row no longer has the checkpointed hash',
  signature_invalid: '检查点签名无效 / checkpoint signature invalid',
  unknown_key: '没有可信公钥 / no trusted public key',
  document_invalid: '检查点格式错误 / malformed checkpoint',
} as const;

export function printVerifyReport(report: VerifyReport, print: (line: string) => void): void {
  for (const chain of report.chains) {
    if (chain.ok) print(`链 / chain ${chain.chainId}: ${chain.rows} 条 / rows, 完好 / intact`);
    else if (chain.firstBroken) {
      const where = chain.firstBroken.evaluationId ? `, evaluation ${chain.firstBroken.evaluationId}` : '';
      print(`链 / chain ${chain.chainId}: 首个损坏位置 / first broken row: seq ${chain.firstBroken.seq}${where} — ${REASONS[chain.firstBroken.reason]}`);
    }
  }
  const c = report.checkpoints;
  const signatures = c.signaturesChecked ? '签名已验 / signatures checked' : '签名未验（无可信公钥）/ signatures NOT checked (no trusted key)';
  print(`检查点 / checkpoints: ${c.checkpoints} 个, ${signatures}${c.ok ? ', 完好 / all hold' : ''}`);
  for (const p of c.problems) print(`检查点 / checkpoint ${p.checkpointId} (${p.takenAt}): ${CHECKPOINT_REASONS[p.reason]} — ${p.detail}`);
  print(report.ok ? `台账完好 / ledger intact: ${report.rows} 条评价 / evaluations` : '台账已损坏 / LEDGER BROKEN');
}
