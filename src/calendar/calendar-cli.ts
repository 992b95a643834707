// `npm run cli -- calendar …`: what the calendar covers, and entering a year's holiday notice
// (from a file, standard input or options). Every refusal is a coded AppError, printed by main.ts.
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { cliActor } from '../auth/admin-audit.ts';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { builtInSchedules } from './china-calendar.ts';
import { calendarStatus } from './calendar-status.ts';
import { parseNoticeText, type NoticeInput } from './notice-file.ts';
import { checkNoticeAgainst, enterNotice, loadCalendar } from './notices.ts';

type Print = (line: string) => void;

export interface NoticeOptions {
  year?: string | undefined;
  title?: string | undefined;
  published?: string | undefined;
  url?: string | undefined;
  holiday?: string[] | undefined;
  workday?: string[] | undefined;
}

/** The notice of a file ('-': standard input), or of the options written as the file's lines. */
export function readNotice(file: string | undefined, options: NoticeOptions): NoticeInput {
  let text: string;
  if (file !== undefined) {
    const bytes = readFileSync(file === '-' ? 0 : file);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new AppError('IMPORT_NOT_UTF8');
    }
  } else {
    // One path for both: the options become the lines of a notice file.
    const lines = [
      options.year !== undefined ? `year: ${options.year}` : '',
      options.title !== undefined ? `title: ${options.title}` : '',
      options.published !== undefined ? `published: ${options.published}` : '',
      options.url !== undefined ? `url: ${options.url}` : '',
      ...(options.holiday ?? []).map((h) => `holiday: ${h}`),
      ...(options.workday ?? []).map((w) => `workday: ${w}`),
    ];
    text = lines.join('\n');
  }
  const notice = parseNoticeText(text);
  if ('code' in notice) throw new AppError(notice.code, notice.details);
  return notice;
}

export async function calendarStatusCommand(db: Kysely<DB>, now: Date, print: Print): Promise<void> {
  const calendar = await loadCalendar(db);
  const status = calendarStatus(calendar, now);
  const shipped = new Set(builtInSchedules().map((s) => s.year));
  print(`工作日历 / working-day calendar: ${status.firstYear}–${status.lastYear}，至 / until ${status.endsOn}（剩 ${status.daysLeft} 天 / days left）`);
  for (const schedule of calendar.schedules.filter((s) => !shipped.has(s.year))) {
    print(`  ${schedule.year} 录入 / entered: ${schedule.source.kind === 'notice' ? schedule.source.title : ''}`);
  }
  print(
    status.warningDue
      ? `提醒 / warning: 请录入 ${status.lastYear + 1} 年节假日安排 / enter the ${status.lastYear + 1} holiday notice (npm run cli -- calendar import <file>)`
      : `提醒期自 / warning from ${status.warnFrom}`,
  );
}

export async function checkNoticeCommand(db: Kysely<DB>, notice: NoticeInput, print: Print): Promise<void> {
  const { provisionalTickets } = await checkNoticeAgainst(db, notice);
  print(`核对无误 / the notice checks out: ${notice.year} ${notice.title}`);
  print(`  放假 / holidays: ${notice.holidays.map((h) => `${h.name} ${h.from}..${h.to}`).join('；')}`);
  print(`  调休上班 / adjusted working days: ${notice.workdays.join('、') || '—'}`);
  print(`  录入后将重算 / entering it recomputes: ${provisionalTickets} 张有暂定时限的未办结工单 / open tickets with provisional deadlines`);
}

export async function enterNoticeCommand(deps: { db: Kysely<DB>; config: Config }, notice: NoticeInput, osUser: string, now: Date, print: Print): Promise<void> {
  const { calendar, recomputed } = await enterNotice(deps, notice, cliActor(osUser), now);
  print(`已录入 / entered: ${notice.year} ${notice.title}；工作日历至 / calendar until ${calendar.lastYear}-12-31`);
  print(`已重算 / recomputed: ${recomputed.tickets} 张工单 / tickets, ${recomputed.moved.length} 个时限变动 / deadlines moved`);
  for (const moved of recomputed.moved.slice(0, 20)) print(`  ${moved.ticketId} ${moved.deadline}: ${moved.from} → ${moved.to}`);
  if (recomputed.moved.length > 20) print(`  … ${recomputed.moved.length - 20} more`);
}
