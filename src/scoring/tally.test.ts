// An evaluation's contribution to the score tallies, level by level: a 差评 opens a ticket (counted on
// the Beijing day it reached us) and is not good; every other level, 基本满意 included, is good.
import { describe, expect, it } from 'vitest';
import { unitFigures } from './figures.ts';
import { addCounts, emptyTally, evaluationContribution, ticketCounts, type ScoredEvaluation } from './tally.ts';
import { openTicket } from '../tickets/state-machine.ts';
import { TEST_SCHEME } from '../../test/scheme.ts';

const evaluation = (level: number, isDefault = false): ScoredEvaluation => ({
  id: `e${level}`,
  level,
  is_default: isDefault,
  assess_number: 1,
  channel: 'mobile',
  assessed_day: '2026-11-18',
  // 16:30 UTC is already the next day in Beijing.
  received_at: new Date('2026-11-18T16:30:00Z'),
  case_stage_id: null,
  region_code: '510104',
  org_id: 'org-1',
  item_id: null,
  window_id: null,
  staff_id: null,
});

describe('evaluationContribution', () => {
  it.each([
    [1, 1, 0],
    [2, 1, 0],
    [3, 0, 1],
    [4, 0, 1],
    [5, 0, 1],
  ])('level %i: %i ticket, %i good', (level, tickets, good) => {
    const c = evaluationContribution(evaluation(level), null);
    const ticketRows = c.tallies.filter((t) => t.counts.tickets === 1);
    expect(ticketRows.map((t) => [t.unit.kind, t.day])).toEqual(tickets ? [['region', '2026-11-19'], ['org', '2026-11-19']] : []);
    expect(c.channels.map((ch) => ch.counts)).toEqual([
      { evaluations: 1, good, active: 1, active_good: good },
      { evaluations: 1, good, active: 1, active_good: good },
    ]);
  });

  it('counts a default 基本满意 as good but not as active good', () => {
    expect(evaluationContribution(evaluation(3, true), null).channels[0]?.counts).toEqual({ evaluations: 1, good: 1, active: 0, active_good: 0 });
  });
});

describe('好评率 from the tallies', () => {
  it('counts 基本满意, 满意 and 非常满意 as good, 不满意 and 非常不满意 not', () => {
    // One evaluation of each level, actively given, and one default 基本满意.
    const counts = addCounts(emptyTally(), { active_1: 1, active_2: 1, active_3: 1, active_4: 1, active_5: 1, default_3: 1 });
    const f = unitFigures(counts, 0, TEST_SCHEME);
    expect(f.goodRate).toBe(0.6667); // 4 / 6
    expect(f.activeGoodRate).toBe(0.6); // 3 / 5
  });
});

describe('ticketCounts', () => {
  it('counts a 基本满意 callback as satisfied, an unhappy one not', () => {
    const opened = openTicket({ verifyDueAt: new Date('2026-10-09T15:59:59.999Z'), replyDueAt: new Date('2026-10-15T15:59:59.999Z') });
    const replied = { ...opened, reply: { ...opened.reply, doneAt: new Date('2026-10-10T00:00:00Z') }, callbackAt: new Date('2026-10-11T00:00:00Z') };
    expect(ticketCounts({ ...replied, state: 'closed', lastCallback: 'basically_satisfied' })).toMatchObject({ called_back: 1, callback_satisfied: 1 });
    expect(ticketCounts({ ...replied, state: 'closed', lastCallback: 'satisfied' })).toMatchObject({ called_back: 1, callback_satisfied: 1 });
    expect(ticketCounts({ ...replied, state: 'rectifying', lastCallback: 'unsatisfied', reopenCount: 1 })).toMatchObject({ called_back: 1, callback_satisfied: 0 });
  });
});
