import type { VerifyReport } from '../ledger/verify.ts';

const REASONS = {
  hash_mismatch: '哈希不符（记录被改动）/ hash mismatch (row altered)',
  sequence_gap: '序号缺失（记录被删除）/ sequence gap (row removed)',
  head_mismatch: '链头不符（末尾记录被删除或链头被改）/ head mismatch (rows removed at the end, or head altered)',
} as const;

export function printVerifyReport(report: VerifyReport, print: (line: string) => void): void {
  for (const chain of report.chains) {
    if (chain.ok) print(`链 / chain ${chain.chainId}: ${chain.rows} 条 / rows, 完好 / intact`);
    else if (chain.firstBroken) {
      const where = chain.firstBroken.evaluationId ? `, evaluation ${chain.firstBroken.evaluationId}` : '';
      print(`链 / chain ${chain.chainId}: 首个损坏位置 / first broken row: seq ${chain.firstBroken.seq}${where} — ${REASONS[chain.firstBroken.reason]}`);
    }
  }
  print(report.ok ? `台账完好 / ledger intact: ${report.rows} 条评价 / evaluations` : '台账已损坏 / LEDGER BROKEN');
}
