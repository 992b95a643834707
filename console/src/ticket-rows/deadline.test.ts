import { describe, expect, it } from 'vitest';
import { timeLeft } from './deadline';
import { deadlineTexts } from './texts';

describe('time left on a ticket', () => {
  const zh = deadlineTexts.zh;
  it('counts working days while some are left', () => {
    expect(timeLeft({ workingDaysLeft: 3, hoursLeft: 70 }, zh)).toBe('剩 3 个工作日');
    expect(timeLeft({ workingDaysLeft: 1, hoursLeft: 20 }, deadlineTexts.en)).toBe('1 working days left');
  });
  it('says hours on the last day', () => {
    expect(timeLeft({ workingDaysLeft: 0, hoursLeft: 5 }, zh)).toBe('今日到期（剩 5 小时）');
  });
  it('says how late once passed: in hours the same day, then in working days', () => {
    expect(timeLeft({ workingDaysLeft: 0, hoursLeft: -2 }, zh)).toBe('已超期 2 小时');
    expect(timeLeft({ workingDaysLeft: 0, hoursLeft: 0 }, zh)).toBe('今日到期（剩 0 小时）');
    expect(timeLeft({ workingDaysLeft: -4, hoursLeft: -100 }, zh)).toBe('已超期 4 个工作日');
  });
});
