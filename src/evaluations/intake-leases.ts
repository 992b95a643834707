// Chain leases, kept alive while the writer runs. A lease only spreads processes over chains;
// correctness never depends on it (src/ledger/chains.ts). A renewal that fails is not fatal, but it
// is not silent either: another process may take the chain over once the lease lapses.
import type { Clock } from '../clock.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { renewLease } from '../ledger/chains.ts';
import type { IntakeLog, IntakeStats } from './intake-stats.ts';

/** Renews the chains' leases every `everyMs` until stopped; a failed renewal is counted in `stats` and logged. */
export function startLeaseRenewal(deps: { db: Kysely<DB>; clock: Clock; owner: string; log: IntakeLog }, chainIds: number[], everyMs: number, stats: IntakeStats): { stop(): void } {
  const renew = async (chainId: number) => {
    try {
      await renewLease(deps.db, chainId, deps.owner, deps.clock());
    } catch (error) {
      stats.leaseRenewalFailures++;
      deps.log.warn({ err: error, chainId, owner: deps.owner }, '账本链租约续期失败 / could not renew the lease of a ledger chain: another process may take the chain over when it lapses (the chain stays consistent)');
    }
  };
  const timer = setInterval(() => {
    for (const chainId of chainIds) void renew(chainId);
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
