// The fraud benchmark in small, in the test suite: a regression of the risk engine (or of a path
// that stops giving it what it needs) fails CI. The full run is `npm run bench:fraud`.
import { describe, expect, it } from 'vitest';
import { runFraudBench } from './fraud/run.ts';

describe('fraud benchmark (small)', () => {
  it('holds or refuses ≥ 95 % of every attack, holds ≤ 1 % of honest ratings on every path, and no attack moves a score by more than a point', async () => {
    const result = await runFraudBench({ seed: 7, start: Date.parse('2026-11-16T00:00:00+08:00'), days: 1, honestPerDay: 200, perScenario: 10 });
    for (const row of result.scenarios) {
      expect(row.attempted, row.name).toBeGreaterThan(0);
      expect(row.rate, `${row.name} recall`).toBeGreaterThanOrEqual(0.95);
      expect(row.movement, `${row.name} score movement`).toBeLessThanOrEqual(1);
    }
    for (const row of result.honest) {
      expect(row.accepted, `${row.name} honest ratings accepted`).toBe(row.attempted);
      expect(row.rate, `${row.name} false positives`).toBeLessThanOrEqual(0.01);
    }
  }, 600_000);
});
