import { describe, expect, it } from 'vitest';
import { chinaCalendar, loadNoticeSchedules, loadPackageSchedules } from './china-calendar.ts';
import {
  addNaturalDays,
  addWorkingDays,
  beijingDayOf,
  buildCalendar,
  CalendarCoverageError,
  CalendarDataError,
  coveredYears,
  isWorkingDay,
  missingYears,
  scheduleDays,
} from './working-days.ts';

const calendar = chinaCalendar();
/** Only the years copied from the State Council notices (2025, 2026). */
const noticeCalendar = buildCalendar(loadNoticeSchedules());

/** An instant given as Beijing wall-clock time. */
function beijing(text: string): Date {
  return new Date(`${text}+08:00`);
}

describe('data sources', () => {
  it('covers 2025 and 2026 from the notices, and the package years around them', () => {
    expect(coveredYears(noticeCalendar)).toEqual({ first: 2025, last: 2026 });
    const { first, last } = coveredYears(calendar);
    expect(first).toBeLessThanOrEqual(2025);
    expect(last).toBeGreaterThanOrEqual(2026);
  });

  it('china-holidays.json and the chinese-days package agree on every year both hold', () => {
    const fromPackage = new Map(loadPackageSchedules().map((schedule) => [schedule.year, schedule]));
    const notices = loadNoticeSchedules();
    expect(notices.length).toBeGreaterThan(0);
    for (const notice of notices) {
      const packaged = fromPackage.get(notice.year);
      if (!packaged) continue; // a year published before the package caught up
      expect([...scheduleDays(packaged)].sort(), `year ${notice.year}`).toEqual([...scheduleDays(notice)].sort());
    }
  });

  it('rejects inconsistent data', () => {
    const source = { kind: 'notice', title: 't', date: '2024-11-12' } as const;
    expect(() =>
      buildCalendar([
        { year: 2025, holidays: [], workdays: [], source },
        { year: 2027, holidays: [], workdays: [], source },
      ]),
    ).toThrow(CalendarDataError);
    // 2025-10-09 is a Thursday: an adjusted working day must be a weekend day.
    expect(() => buildCalendar([{ year: 2025, holidays: [], workdays: ['2025-10-09'], source }])).toThrow(CalendarDataError);
    expect(() =>
      buildCalendar([{ year: 2025, holidays: [{ name: 'x', from: '2025-10-08', to: '2025-10-01' }], workdays: [], source }]),
    ).toThrow(CalendarDataError);
  });
});

describe('isWorkingDay', () => {
  it('follows the 2025 National Day / Mid-Autumn schedule', () => {
    expect(isWorkingDay('2025-09-28', calendar)).toBe(true); // Sunday, worked
    for (let d = 1; d <= 8; d++) expect(isWorkingDay(`2025-10-0${d}`, calendar)).toBe(false);
    expect(isWorkingDay('2025-10-09', calendar)).toBe(true);
    expect(isWorkingDay('2025-10-11', calendar)).toBe(true); // adjusted working Saturday
    expect(isWorkingDay('2025-10-12', calendar)).toBe(false); // ordinary Sunday
  });

  it('follows the 2026 Spring Festival schedule', () => {
    expect(isWorkingDay('2026-02-14', calendar)).toBe(true); // Saturday, worked
    for (let d = 15; d <= 23; d++) expect(isWorkingDay(`2026-02-${d}`, calendar)).toBe(false);
    expect(isWorkingDay('2026-02-24', calendar)).toBe(true);
    expect(isWorkingDay('2026-02-28', calendar)).toBe(true); // Saturday, worked
    expect(isWorkingDay('2026-03-01', calendar)).toBe(false);
  });

  it('the notice-only calendar gives the same answers', () => {
    for (const day of ['2025-10-08', '2025-10-11', '2026-01-04', '2026-02-23', '2026-09-20', '2026-10-10']) {
      expect(isWorkingDay(day, noticeCalendar), day).toBe(isWorkingDay(day, calendar));
    }
  });

  it('rejects malformed days', () => {
    expect(() => isWorkingDay('2026-02-30', calendar)).toThrow(RangeError);
    expect(() => isWorkingDay('2026-2-3', calendar)).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('an evaluation on 2025-09-30 must be verified by the end of 2025-10-09 (Beijing)', () => {
    const deadline = addWorkingDays(beijing('2025-09-30T10:00:00'), 1, calendar);
    expect(deadline.toISOString()).toBe('2025-10-09T15:59:59.999Z');
    expect(beijingDayOf(deadline)).toBe('2025-10-09');
  });

  it('counts the adjusted working Saturday 2025-10-11', () => {
    expect(addWorkingDays(beijing('2025-10-10T09:00:00'), 1, calendar).toISOString()).toBe('2025-10-11T15:59:59.999Z');
    expect(addWorkingDays(beijing('2025-10-10T09:00:00'), 2, calendar).toISOString()).toBe('2025-10-13T15:59:59.999Z');
  });

  it('skips the 2026 Spring Festival and counts its working Saturdays', () => {
    expect(addWorkingDays(beijing('2026-02-13T16:00:00'), 1, calendar).toISOString()).toBe('2026-02-14T15:59:59.999Z');
    expect(addWorkingDays(beijing('2026-02-14T16:00:00'), 1, calendar).toISOString()).toBe('2026-02-24T15:59:59.999Z');
    // 2/24 Tue, 2/25, 2/26, 2/27, 2/28 (Saturday, worked)
    expect(addWorkingDays(beijing('2026-02-20T12:00:00'), 5, calendar).toISOString()).toBe('2026-02-28T15:59:59.999Z');
  });

  it('counts an evaluation at 23:30 Beijing (15:30 UTC) on its Beijing day', () => {
    const lateFriday = new Date('2025-10-10T15:30:00Z'); // Friday 23:30 in Beijing
    expect(beijingDayOf(lateFriday)).toBe('2025-10-10');
    expect(addWorkingDays(lateFriday, 1, calendar).toISOString()).toBe('2025-10-11T15:59:59.999Z');
    const justAfterMidnight = new Date('2025-10-10T16:30:00Z'); // Saturday 00:30 in Beijing
    expect(addWorkingDays(justAfterMidnight, 1, calendar).toISOString()).toBe('2025-10-13T15:59:59.999Z');
    expect(addWorkingDays(new Date('2025-09-30T15:30:00Z'), 1, calendar).toISOString()).toBe('2025-10-09T15:59:59.999Z');
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => addWorkingDays(beijing('2025-10-10T09:00:00'), 0, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays(beijing('2025-10-10T09:00:00'), 1.5, calendar)).toThrow(RangeError);
  });
});

describe('addNaturalDays', () => {
  it('ends 15 natural days after the evaluation day, across a month end', () => {
    expect(addNaturalDays(beijing('2025-01-20T09:00:00'), 15).toISOString()).toBe('2025-02-04T15:59:59.999Z');
    // February 2026 has 28 days.
    expect(addNaturalDays(beijing('2026-02-20T09:00:00'), 15).toISOString()).toBe('2026-03-07T15:59:59.999Z');
    // 23:30 Beijing on 2025-01-31 is still 2025-01-31; 00:30 on 2025-02-01 is the next day.
    expect(addNaturalDays(new Date('2025-01-31T15:30:00Z'), 15).toISOString()).toBe('2025-02-15T15:59:59.999Z');
    expect(addNaturalDays(new Date('2025-01-31T16:30:00Z'), 15).toISOString()).toBe('2025-02-16T15:59:59.999Z');
  });

  it('needs no holiday data (natural days ignore holidays)', () => {
    expect(addNaturalDays(beijing('2025-09-30T10:00:00'), 15).toISOString()).toBe('2025-10-15T15:59:59.999Z');
  });
});

describe('coverage', () => {
  it('refuses days outside the covered years instead of assuming weekdays', () => {
    expect(() => isWorkingDay('2027-01-04', noticeCalendar)).toThrow(CalendarCoverageError);
    expect(() => isWorkingDay('2024-12-31', noticeCalendar)).toThrow(CalendarCoverageError);
    const { first, last } = coveredYears(calendar);
    expect(() => isWorkingDay(`${last + 1}-03-02`, calendar)).toThrow(CalendarCoverageError);
    expect(() => isWorkingDay(`${first - 1}-03-02`, calendar)).toThrow(CalendarCoverageError);
  });

  it('refuses a working-day deadline that runs past the last covered year', () => {
    try {
      addWorkingDays(beijing('2026-12-31T10:00:00'), 1, noticeCalendar);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(CalendarCoverageError);
      if (error instanceof CalendarCoverageError) {
        expect(error.code).toBe('calendar_not_covered');
        expect(error.day).toBe('2027-01-01');
        expect([error.firstYear, error.lastYear]).toEqual([2025, 2026]);
      }
    }
  });

  it('missingYears looks 15 days ahead of now', () => {
    expect(missingYears(noticeCalendar, beijing('2026-12-16T12:00:00'))).toEqual([]);
    expect(missingYears(noticeCalendar, beijing('2026-12-17T00:00:00'))).toEqual([2027]);
    expect(missingYears(noticeCalendar, beijing('2028-06-01T00:00:00'))).toEqual([2028]);
    expect(missingYears(noticeCalendar, beijing('2024-12-30T00:00:00'))).toEqual([2024]);
  });
});
