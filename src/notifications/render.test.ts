import { describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS, renderNotification } from './render.ts';

const CJK = /[\u4e00-\u9fff]/;

describe('renderNotification', () => {
  it('words every kind the ticket workflow sends, Chinese and English', () => {
    const expected = [
      'ticket_opened', 'deadline_warning', 'deadline_missed', 'ticket_escalated', 'extension_requested', 'extension_decided',
      'cannot_fix_requested', 'cannot_fix_decided', 'appeal_filed', 'appeal_decided', 'callback_due', 'callback_unsatisfied', 'ticket_closed',
      'deadline_recomputed', 'calendar_ending', 'risk_held',
    ];
    expect([...NOTIFICATION_KINDS].sort()).toEqual([...expected].sort());
    for (const kind of expected) {
      const text = renderNotification(kind, {});
      expect(text.zh, kind).toMatch(CJK);
      expect(text.en, kind).not.toMatch(CJK);
      expect(text.zh, kind).not.toContain(kind);
    }
  });

  it('fills in the parameters', () => {
    expect(renderNotification('ticket_opened', { receiptNo: 'AB12-CD34-EF56', level: 1, orgName: '锦江区政务服务中心' })).toEqual({
      zh: '收到一条差评（非常不满意），评价回执号 AB12-CD34-EF56，已生成整改工单，承办单位：锦江区政务服务中心。请在时限内核实。',
      en: 'A bad rating (very dissatisfied) was received, receipt AB12-CD34-EF56; a rectification ticket has been opened for 锦江区政务服务中心. Please verify it in time.',
    });
    // Due times are shown in Beijing time, to the minute; hours are rounded.
    expect(renderNotification('deadline_warning', { deadline: 'reply', dueAt: '2026-12-01T10:00:00.000Z', hoursLeft: 23.6 })).toEqual({
      zh: '工单答复时限将于 2026-12-01 18:00（北京时间）到期，剩余约 24 小时。',
      en: "The ticket's reply deadline falls due at 2026-12-01 18:00 Beijing time, in about 24 hours.",
    });
    expect(renderNotification('ticket_escalated', { deadline: 'verify' }).zh).toBe('承办单位的差评工单超过核实时限，已提交上级督办。');
    expect(renderNotification('extension_requested', { days: 7 }).zh).toBe('承办单位申请工单延期 7 天，请审批。');
    expect(renderNotification('appeal_filed', { kind: 'malicious' }).zh).toBe('承办单位提出申诉，认为该差评属于恶意评价，请复核。');
    expect(renderNotification('deadline_recomputed', { deadline: 'verify', dueAt: '2027-02-09T15:59:59.999Z', calendarYear: 2027 }).zh).toBe(
      '2027年节假日安排已录入，工单核实时限按正式工作日历重新计算为 2027-02-09 23:59（北京时间）。',
    );
    expect(renderNotification('calendar_ending', { endsOn: '2026-12-31', nextYear: 2027 }).zh).toContain('只到 2026-12-31');
    expect(renderNotification('ticket_closed', { state: 'closed_invalid' }).en).toBe('The ticket is closed: the appeal was upheld and the rating leaves the scores.');
  });

  it('says yes and no differently', () => {
    for (const [kind, key] of [['extension_decided', 'granted'], ['cannot_fix_decided', 'approved'], ['appeal_decided', 'upheld']] as const) {
      const yes = renderNotification(kind, { [key]: true });
      const no = renderNotification(kind, { [key]: false });
      expect(yes.zh, kind).not.toBe(no.zh);
      expect(yes.en, kind).not.toBe(no.en);
    }
  });

  it('never throws: unknown kinds get a generic text, odd parameters a blank', () => {
    expect(renderNotification('ranking_published', { period: '2026-11' })).toEqual({
      zh: '您有一条新的工单通知（ranking_published）。',
      en: 'You have a new ticket notification (ranking_published).',
    });
    expect(renderNotification('toString', {}).en).toBe('You have a new ticket notification (toString).');
    expect(renderNotification('deadline_warning', { deadline: 'soon', dueAt: 'tomorrow', hoursLeft: 'many' }).zh).toBe('工单soon时限将于 tomorrow（北京时间）到期，剩余约 — 小时。');
    expect(renderNotification('ticket_opened', { receiptNo: { nested: true }, level: 9 }).zh).toContain('回执号 —');
    expect(() => renderNotification('ticket_opened', null as unknown as Record<string, unknown>)).not.toThrow();
  });
});
