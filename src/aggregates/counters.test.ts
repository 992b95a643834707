import { chinaCalendar } from '../calendar/china-calendar.ts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../evaluations/channels.ts';
import { loadIndicatorCatalogue } from '../evaluations/indicators.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { startIntakeWriter, type IntakeWriter } from '../evaluations/intake-writer.ts';
import { prepareDatabase } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { countEvaluations, readCounters, readCountersFromLedger, recomputeCounters, type CountedEvaluation } from './counters.ts';

describe('countEvaluations (pure)', () => {
  it('sums per key and orders keys stably', () => {
    const base: CountedEvaluation = { assessed_day: '2026-11-19', region_code: '510104', org_id: 'o', item_id: null, channel: 'pc', level: 5, is_default: false, subject: 'case_stage' };
    const rows = countEvaluations([base, { ...base, level: 4 }, base, { ...base, is_default: true, channel: 'system', level: 3 }]);
    expect(rows.map((r) => [r.level, r.channel, r.count])).toEqual([
      [4, 'pc', 1],
      [5, 'pc', 2],
      [3, 'system', 1],
    ]);
  });
});

describeOnEngines('counters maintained with each evaluation', (database) => {
  const config = testConfig();
  const clock = testClock('2026-11-20T02:00:00Z');
  let writer: IntakeWriter;
  const projects: string[] = [];

  beforeAll(async () => {
    const { db } = database();
    await prepareDatabase(database());
    const chengdu = await makeOrg(db, { regionCode: '510104' });
    const zigong = await makeOrg(db, { regionCode: '510302' });
    const chengduItem = await makeItem(db, { id: chengdu.id, region_code: '510104' });
    const zigongItem = await makeItem(db, { id: zigong.id, region_code: '510302' }, { itemType: '20' });
    for (let i = 0; i < 120; i++) projects.push(await makeCompletedCase(db, config, i % 2 === 0 ? chengduItem : zigongItem, '2026-11-02 10:00:00'));
    writer = await startIntakeWriter({ db, config, clock, calendar: chinaCalendar(), catalogue: await loadIndicatorCatalogue(db), owner: 'counters-test' });
  });
  afterAll(async () => {
    await writer.close();
  });

  it('equal the counters recomputed from the ledger, for any sequence of evaluations', async () => {
    const evaluation = fc.record({
      project: fc.integer({ min: 0, max: 119 }),
      level: fc.integer({ min: 1, max: 5 }),
      channel: fc.constantFrom(...CHANNELS.filter((c) => c !== 'system')),
      isDefault: fc.boolean(),
      followUp: fc.boolean(),
      day: fc.integer({ min: 0, max: 17 }),
      hour: fc.integer({ min: 0, max: 23 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(evaluation, { maxLength: 12 }), { minLength: 1, maxLength: 4 }), async (chunks) => {
        // Chunks are submitted concurrently, so they share flushes or not, as traffic would.
        await Promise.all(
          chunks.map((chunk) =>
            submitDrafts(
              writer,
              chunk.map((e) =>
                draft(projects[e.project] ?? '', {
                  clientId: `p-${e.project}-${e.followUp ? 2 : 1}-${e.level}-${e.isDefault}`,
                  level: e.isDefault ? 3 : e.level,
                  channel: e.isDefault ? 'system' : e.channel,
                  isDefault: e.isDefault && !e.followUp,
                  assessNumber: e.followUp ? 2 : 1,
                  indicatorCodes: !e.isDefault && BAD_LEVELS.has(e.level) ? ['505'] : [],
                  // Days around midnight Beijing time exercise the day boundary.
                  assessedAt: new Date(Date.UTC(2026, 10, 2 + e.day, e.hour, 30)),
                }),
              ),
            ),
          ),
        );
        const incremental = await readCounters(database().db);
        expect(incremental).toEqual(await readCountersFromLedger(database().db));
      }),
      { numRuns: 25 },
    );
    // And a rebuild from the ledger reproduces them exactly.
    const before = await readCounters(database().db);
    const rebuilt = await recomputeCounters(database().db);
    expect(await readCounters(database().db)).toEqual(before);
    expect(rebuilt.evaluations).toBe(before.reduce((n, r) => n + r.count, 0));
    expect(before.some((r) => r.is_default)).toBe(true);
    expect(new Set(before.map((r) => r.region_code))).toEqual(new Set(['510104', '510302']));
  });
});
