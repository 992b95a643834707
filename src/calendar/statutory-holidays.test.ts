import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { chinaCalendar } from './china-calendar.ts';
import { FIRST_STATUTORY_YEAR, statutoryHolidays } from './statutory-holidays.ts';
import { buildCalendar, estimatedWorkingDay, isWorkingDay } from './working-days.ts';

const calendar = chinaCalendar();
const days = (year: number, name: string) => statutoryHolidays(year).find((h) => h.name === name)?.days;

describe('statutory holidays (全国年节及纪念日放假办法)', () => {
  it('computes known dates of years with no notice yet', () => {
    // 2027: 春节 (初一) 6 February, so 除夕 is 5 February; 清明 5 April; 端午 9 June; 中秋 15 September.
    expect(days(2027, '春节')).toEqual(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08']);
    expect(days(2027, '清明节')).toEqual(['2027-04-05']);
    expect(days(2027, '端午节')).toEqual(['2027-06-09']);
    expect(days(2027, '中秋节')).toEqual(['2027-09-15']);
    // 2028: 春节 26 January (除夕 the 25th); 清明 4 April; 中秋 3 October, inside National Day.
    expect(days(2028, '春节')?.slice(0, 2)).toEqual(['2028-01-25', '2028-01-26']);
    expect(days(2028, '清明节')).toEqual(['2028-04-04']);
    expect(days(2028, '中秋节')).toEqual(['2028-10-03']);
    expect(days(2027, '劳动节')).toEqual(['2027-05-01', '2027-05-02']);
    expect(days(2027, '国庆节')).toEqual(['2027-10-01', '2027-10-02', '2027-10-03']);
    expect(days(2027, '元旦')).toEqual(['2027-01-01']);
  });

  it('follows the revision in force: 春节 除夕–初二 (2008), 初一–初三 (2014), 除夕–初三 and two days in May (2025)', () => {
    expect(days(2013, '春节')).toEqual(['2013-02-09', '2013-02-10', '2013-02-11']);
    expect(days(2014, '春节')).toEqual(['2014-01-31', '2014-02-01', '2014-02-02']);
    expect(days(2025, '春节')).toEqual(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']);
    expect(days(2024, '劳动节')).toEqual(['2024-05-01']);
    expect(days(2025, '劳动节')).toEqual(['2025-05-01', '2025-05-02']);
    expect(() => statutoryHolidays(2007)).toThrow(RangeError);
  });

  it('never gives a working day of any year of the official calendar (every statutory day was off)', () => {
    let checked = 0;
    for (let year = Math.max(calendar.firstYear, FIRST_STATUTORY_YEAR); year <= calendar.lastYear; year++) {
      for (const holiday of statutoryHolidays(year)) {
        for (const day of holiday.days) {
          expect(isWorkingDay(day, calendar), `${holiday.name} ${day}`).toBe(false);
          checked++;
        }
      }
    }
    // 2008–2026 at least: 19 years of 11 to 13 days.
    expect(checked).toBeGreaterThan(200);
  });

  it('agrees with chinese-days’ lunar tables and solar-term formula (an independent method) for 2008–2099', () => {
    const require = createRequire(import.meta.url);
    const chineseDays = require('chinese-days') as {
      getSolarDateFromLunar(lunar: string): { date: string };
      getSolarTermDate(year: number, month: number, term: 'pure_brightness'): string;
    };
    for (let year = FIRST_STATUTORY_YEAR; year <= 2099; year++) {
      const lunar = (md: string) => chineseDays.getSolarDateFromLunar(`${year}-${md}`).date;
      expect(days(year, '春节')?.includes(lunar('01-01')), `${year} 春节`).toBe(true);
      expect(days(year, '端午节'), `${year} 端午`).toEqual([lunar('05-05')]);
      expect(days(year, '中秋节'), `${year} 中秋`).toEqual([lunar('08-15')]);
      expect(days(year, '清明节'), `${year} 清明`).toEqual([chineseDays.getSolarTermDate(year, 4, 'pure_brightness')]);
    }
  });
});

describe('estimated working days beyond the calendar', () => {
  const only2025 = buildCalendar(calendar.schedules.filter((s) => s.year === 2025));

  it('uses the official calendar inside it and the statutory days outside', () => {
    expect(estimatedWorkingDay('2025-10-08', only2025)).toEqual({ working: false, estimated: false });
    // 2026: 元旦, 春节 (除夕 16 February, 初一 the 17th), and a plain weekday.
    expect(estimatedWorkingDay('2026-01-01', only2025)).toEqual({ working: false, estimated: true });
    expect(estimatedWorkingDay('2026-02-16', only2025)).toEqual({ working: false, estimated: true });
    expect(estimatedWorkingDay('2026-02-20', only2025)).toEqual({ working: true, estimated: true }); // 初四: off in the notice, not by statute
    expect(estimatedWorkingDay('2026-02-14', only2025)).toEqual({ working: false, estimated: true }); // a 调休 Saturday the estimate cannot know
    expect(isWorkingDay('2026-02-14', calendar)).toBe(true);
  });
});
