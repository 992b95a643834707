import { describe, expect, it } from 'vitest';
import { attachmentHref, attachmentsOf, bodyOf, countsQuery, daysLeftText, exportPath, filtersFromSearch, listQuery, searchFromFilters, stateTone, STATE_TABS, tabCount, urgencyTone, withFilter, type Counts, type EventAttachment } from './model';

const words = { daysLeft: '剩余 {days} 个工作日', dueToday: '今日到期', daysOver: '超期 {days} 个工作日' };

describe('the ticket desk filters', () => {
  it('round-trip through the address bar, the default sort left out', () => {
    const filters = { state: 'replied,cannot_fix_replied', due: 'overdue' as const, regionCode: '510104', level: 2, from: '2026-11-01', to: '2026-11-30', q: '态度', sort: 'deadline' as const };
    const params = searchFromFilters(filters);
    expect(filtersFromSearch(params)).toEqual(filters);
    expect(searchFromFilters({ sort: '-openedAt' }).toString()).toBe('');
  });

  it('drop what a hand-edited link got wrong instead of sending it', () => {
    const params = new URLSearchParams('state=open,bogus&due=later&regionCode=51&orgId=x&level=7&from=2026-1-1&sort=random&q=%20%20&needsDecision=yes');
    expect(filtersFromSearch(params)).toEqual({ state: 'open' });
    expect(filtersFromSearch(new URLSearchParams('state=bogus'))).toEqual({});
  });

  it('remove a filter set to nothing and keep the rest', () => {
    expect(withFilter({ q: 'a', level: 1 }, 'q', undefined)).toEqual({ level: 1 });
    expect(withFilter({ q: 'a' }, 'channel', 'sms')).toEqual({ q: 'a', channel: 'sms' });
    expect(withFilter({ needsDecision: true }, 'needsDecision', false)).toEqual({});
  });

  it('count every state of a filter, list one page of it, and export it all', () => {
    const filters = { state: 'open', sort: 'deadline' as const, channel: 'sms' };
    expect(countsQuery(filters)).toEqual({ channel: 'sms' });
    expect(listQuery(filters, undefined, 50)).toEqual({ ...filters, limit: 50 });
    expect(listQuery(filters, 'abc', 50)).toEqual({ ...filters, cursor: 'abc', limit: 50 });
    expect(exportPath(filters)).toBe('/api/v1/tickets/export.xlsx?state=open&sort=deadline&channel=sms');
    expect(exportPath({})).toBe('/api/v1/tickets/export.xlsx');
  });

  it('count a tab by the states it holds', () => {
    const counts: Counts = { total: 9, byState: { replied: 2, cannot_fix_replied: 1, open: 4 }, overdue: 0, dueSoon: 0, needsDecision: 0 };
    const callback = STATE_TABS.find((tab) => tab.key === 'replied,cannot_fix_replied');
    expect(callback && tabCount(callback, counts)).toBe(3);
    expect(tabCount({ states: [] }, counts)).toBe(9);
    expect(tabCount({ states: ['verifying'] }, counts)).toBe(0);
    expect(tabCount({ states: [] }, undefined)).toBeNull();
    // Every state is in exactly one tab.
    const states = STATE_TABS.flatMap((tab) => tab.states);
    expect(new Set(states).size).toBe(states.length);
    expect(states).toHaveLength(12);
  });
});

describe('how a deadline reads', () => {
  it('says the working days left, due today, or overdue by', () => {
    expect(daysLeftText({ workingDaysLeft: 3, status: 'normal' }, words)).toBe('剩余 3 个工作日');
    expect(daysLeftText({ workingDaysLeft: 0, status: 'warning' }, words)).toBe('今日到期');
    expect(daysLeftText({ workingDaysLeft: -2, status: 'overdue' }, words)).toBe('超期 2 个工作日');
    // Passed earlier today: still at least one.
    expect(daysLeftText({ workingDaysLeft: 0, status: 'overdue' }, words)).toBe('超期 1 个工作日');
  });

  it('has a colour per urgency and state, always beside words', () => {
    expect([urgencyTone('normal'), urgencyTone('warning'), urgencyTone('overdue')]).toEqual(['success', 'warning', 'error']);
    expect([stateTone('open'), stateTone('appealing'), stateTone('replied'), stateTone('closed')]).toEqual(['processing', 'warning', 'success', 'default']);
  });
});

describe('attachments', () => {
  it('are read through the ticket when stored as evidence, else at their own address', () => {
    const digest = 'a'.repeat(64);
    expect(attachmentHref('t1', { name: 'x.png', evidence: digest } as unknown as EventAttachment)).toBe(`/api/v1/tickets/t1/evidence/${digest}`);
    expect(attachmentHref('t1', { name: 'x', uri: 'https://files.example/x' } as EventAttachment)).toBe('https://files.example/x');
    expect(attachmentHref('t1', { name: 'x', uri: 'javascript:alert(1)' } as EventAttachment)).toBeNull();
  });
});

describe('a step form’s body', () => {
  const digest = 'b'.repeat(64);
  const files = [
    { uid: '1', name: '现场.png', status: 'done' as const, response: { digest, name: '现场.png' } },
    { uid: '2', name: 'bad.png', status: 'error' as const, response: 'refused' },
    { uid: '3', name: 'slow.pdf', status: 'uploading' as const },
  ];

  it('carries the version read, the trimmed note and only the files stored', () => {
    expect(bodyOf('verified', { note: '  核实属实 ', files }, 4)).toEqual({ step: 'verified', version: 4, note: '核实属实', attachments: [{ evidence: digest, name: '现场.png' }] });
    expect(bodyOf('accept', { note: '   ' }, 0)).toEqual({ step: 'accept', version: 0 });
    expect(attachmentsOf(undefined)).toEqual([]);
  });

  it('maps each step’s own fields as the API names them', () => {
    expect(bodyOf('reply', { text: ' 已整改 ', note: '措施' }, 2)).toEqual({ step: 'reply', text: '已整改', note: '措施', version: 2 });
    expect(bodyOf('callback', { outcome: 'unsatisfied' }, 3)).toEqual({ step: 'callback', outcome: 'unsatisfied', version: 3 });
    expect(bodyOf('judge_invalid', { kind: 'malicious', reason: '辱骂' }, 1)).toEqual({ step: 'judge_invalid', kind: 'malicious', reason: '辱骂', version: 1 });
    expect(bodyOf('request_extension', { days: 5, reason: '协调' }, 1)).toEqual({ step: 'request_extension', days: 5, reason: '协调', version: 1 });
    expect(bodyOf('request_cannot_fix', { reason: '政策不允许' }, 1)).toEqual({ step: 'request_cannot_fix', reason: '政策不允许', version: 1 });
    expect(bodyOf('decide_appeal', { decision: 'yes' }, 5)).toEqual({ step: 'decide_appeal', upheld: true, version: 5 });
    expect(bodyOf('decide_extension', { decision: 'no', note: '理由不足' }, 5)).toEqual({ step: 'decide_extension', granted: false, note: '理由不足', version: 5 });
    expect(bodyOf('decide_cannot_fix', { decision: 'yes' }, 5)).toEqual({ step: 'decide_cannot_fix', approved: true, version: 5 });
  });
});
