import { describe, expect, it } from 'vitest';
import { readNotice } from './calendar-cli.ts';
import { calendarStatus } from './calendar-status.ts';
import { chinaCalendar } from './china-calendar.ts';
import { checkNotice, parseNoticeText } from './notice-file.ts';
import { buildCalendar } from './working-days.ts';

const known = chinaCalendar();
const until2025 = buildCalendar(known.schedules.filter((s) => s.year <= 2025));

// The 2026 notice as the file format writes it (国务院办公厅关于2026年部分节假日安排的通知).
const NOTICE_2026 = `
# 2026
year: 2026
title: 国务院办公厅关于2026年部分节假日安排的通知
published: 2025-11
holiday: 元旦 2026-01-01..2026-01-03
holiday: 春节 2026-02-15..2026-02-23
holiday: 清明节 2026-04-04..2026-04-06
holiday: 劳动节 2026-05-01..2026-05-05
holiday: 端午节 2026-06-19..2026-06-21
holiday: 中秋节 2026-09-25..2026-09-27
holiday: 国庆节 2026-10-01..2026-10-07
workday: 2026-01-04
workday: 2026-02-14
workday: 2026-02-28
workday: 2026-05-09
workday: 2026-09-20
workday: 2026-10-10
`;

describe('the notice file', () => {
  it('reads the line format into the same days as the official calendar', () => {
    const notice = parseNoticeText(NOTICE_2026);
    if ('code' in notice) throw new Error(JSON.stringify(notice));
    expect(notice).toMatchObject({ year: 2026, published: '2025-11', url: null });
    expect(notice.holidays).toHaveLength(7);
    const calendar = checkNotice(notice, until2025);
    if ('code' in calendar) throw new Error(JSON.stringify(calendar));
    // Every day of 2026 is a working day or not exactly as in the shipped data.
    const shipped = known.schedules.find((s) => s.year === 2026);
    const entered = calendar.schedules.find((s) => s.year === 2026);
    expect(shipped && entered).toBeTruthy();
    for (let t = Date.UTC(2026, 0, 1); t <= Date.UTC(2026, 11, 31); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      expect(calendar.holidays.has(day) || calendar.workdays.has(day), day).toBe(known.holidays.has(day) || known.workdays.has(day));
    }
  });

  it('names the line and the reason of a malformed file', () => {
    expect(parseNoticeText('year: 2027\ntitle: t\npublished: 2026-11\nholiday 元旦 2027-01-01')).toEqual({ code: 'CALENDAR_NOTICE_INVALID', details: { line: 4, reason: 'expected "field: value"' } });
    expect(parseNoticeText('year: 2027\nholiday: 元旦 2027-1-1')).toMatchObject({ details: { line: 2 } });
    expect(parseNoticeText('year: 2027\nholidays: 元旦 2027-01-01')).toMatchObject({ details: { line: 2, reason: expect.stringContaining('unknown field') } });
    expect(parseNoticeText('year: 2027\nyear: 2027')).toMatchObject({ details: { line: 2 } });
    expect(parseNoticeText('title: t\npublished: 2026-11')).toMatchObject({ code: 'CALENDAR_NOTICE_INVALID', details: { reason: expect.stringContaining('year') } });
    expect(parseNoticeText('{"years": {"2027": {}, "2028": {}}}')).toMatchObject({ code: 'CALENDAR_NOTICE_INVALID' });
  });

  it('takes one year in the JSON shape of china-holidays.json', () => {
    const json = JSON.stringify({ years: { '2027': { source: { title: 'T', date: '2026-11-12' }, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }], workdays: [] } } });
    expect(parseNoticeText(json)).toEqual({ year: 2027, title: 'T', published: '2026-11-12', url: null, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }], workdays: [] });
  });

  it('refuses a notice that is not the next year, overlaps, works on a weekday or leaves a statutory holiday working', () => {
    const notice = parseNoticeText(NOTICE_2026);
    if ('code' in notice) throw new Error('parse');
    expect(checkNotice(notice, known)).toMatchObject({ code: 'CALENDAR_NOTICE_YEAR_INVALID', details: { year: 2026, expected: 2027 } });
    expect(checkNotice({ ...notice, workdays: ['2026-01-05'] }, until2025)).toMatchObject({ code: 'CALENDAR_NOTICE_INVALID' });
    expect(checkNotice({ ...notice, holidays: [...notice.holidays, { name: 'x', from: '2026-10-07', to: '2026-10-08' }] }, until2025)).toMatchObject({ code: 'CALENDAR_NOTICE_INVALID' });
    // 端午 2026 is 19 June: a notice that gives 20–22 June leaves it a working day.
    const typo = { ...notice, holidays: notice.holidays.map((h) => (h.name === '端午节' ? { ...h, from: '2026-06-20', to: '2026-06-22' } : h)) };
    expect(checkNotice(typo, until2025)).toEqual({ code: 'CALENDAR_NOTICE_MISSES_STATUTORY', details: { year: 2026, workingDays: ['端午节 2026-06-19'] } });
  });

  it('builds the same notice from command-line options as from the file', () => {
    const fromOptions = readNotice(undefined, {
      year: '2026',
      title: '国务院办公厅关于2026年部分节假日安排的通知',
      published: '2025-11',
      holiday: NOTICE_2026.split('\n').filter((l) => l.startsWith('holiday: ')).map((l) => l.slice('holiday: '.length)),
      workday: NOTICE_2026.split('\n').filter((l) => l.startsWith('workday: ')).map((l) => l.slice('workday: '.length)),
    });
    expect(fromOptions).toEqual(parseNoticeText(NOTICE_2026));
    expect(() => readNotice(undefined, { year: '2027' })).toThrow(expect.objectContaining({ code: 'CALENDAR_NOTICE_INVALID' }));
  });
});

describe('calendar status (injected clock)', () => {
  it('is due from 60 days before the last day of the calendar, Beijing time', () => {
    const at = (iso: string) => calendarStatus(until2025, new Date(iso));
    expect(at('2025-10-31T15:59:59.999Z')).toMatchObject({ endsOn: '2025-12-31', warnFrom: '2025-11-01', warningDue: false, daysLeft: 61 });
    expect(at('2025-10-31T16:00:00.000Z')).toMatchObject({ warningDue: true, daysLeft: 60 });
    expect(at('2026-01-02T00:00:00.000Z')).toMatchObject({ warningDue: true, daysLeft: -2 });
    expect(calendarStatus(known, new Date('2025-12-01T00:00:00Z'))).toMatchObject({ lastYear: 2026, warningDue: false });
  });
});
