// GET /api/v1/calendar/status: how far the official working-day calendar reaches, whether the
// admins' warning is due, and how many open tickets in the caller's scope have provisional
// deadlines. Routes parse, authorise, call and present.
import type { FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Scope } from '../auth/policy.ts';
import { requireStaff } from '../auth/guard.ts';
import { pathPrefixPattern } from '../catalog/access.ts';
import type { DB } from '../db/schema.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { UNWATCHED_STATES } from '../tickets/state-machine.ts';
import { builtInSchedules } from './china-calendar.ts';
import { CALENDAR_WARN_DAYS, calendarStatus } from './calendar-status.ts';
import { loadCalendar } from './notices.ts';

const CalendarStatusView = Type.Object(
  {
    firstYear: Type.Integer(),
    lastYear: Type.Integer({ description: '有正式节假日安排的最后一年 / the last year with an official calendar' }),
    endsOn: Type.String({ format: 'date', description: '正式工作日历的最后一天 / the last day of the official calendar' }),
    warnFrom: Type.String({ format: 'date', description: `自此日起提醒管理员录入下一年通知（到期前 ${CALENDAR_WARN_DAYS} 天）/ admins are warned from this day (${CALENDAR_WARN_DAYS} days before the end)` }),
    warningDue: Type.Boolean({ description: '是否已到提醒期 / whether the warning is due' }),
    daysLeft: Type.Integer({ description: '距正式日历结束的天数（北京时间）/ days until the calendar ends (Beijing)' }),
    years: Type.Array(
      Type.Object({
        year: Type.Integer(),
        source: Type.Union([Type.Literal('shipped'), Type.Literal('entered')], { description: 'shipped 随程序发布 / entered 管理员录入 — shipped with the code, or entered by an admin' }),
        title: Type.Union([Type.String(), Type.Null()], { description: '通知标题（随 chinese-days 包发布的年份为 null）/ the notice title (null for years from the chinese-days package)' }),
      }),
    ),
    provisionalTickets: Type.Integer({ minimum: 0, description: '本账号范围内有暂定时限的未办结工单 / open tickets in the caller’s scope with provisional deadlines' }),
  },
  { $id: 'CalendarStatus', title: 'CalendarStatus' },
);

async function countProvisional(db: Kysely<DB>, scope: Scope): Promise<number> {
  let query = db
    .selectFrom('ticket')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where(sql<boolean>`provisional_deadlines <> '{}'`)
    .where('state', 'not in', [...UNWATCHED_STATES]);
  if (scope.orgId !== null) query = query.where('org_id', '=', scope.orgId);
  else if (scope.regionPath !== null) query = query.where('region_path', 'like', pathPrefixPattern(scope.regionPath));
  else return 0;
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.count);
}

const staffOnly = async (request: FastifyRequest) => {
  requireStaff(request);
};

export function registerCalendarRoutes(app: App, context: Pick<AppContext, 'database' | 'clock'>): void {
  const db = context.database.db;
  app.addSchema(CalendarStatusView);

  app.get(
    '/api/v1/calendar/status',
    {
      preValidation: staffOnly,
      schema: {
        tags: ['calendar'],
        summary: '工作日历覆盖范围与提醒 / How far the working-day calendar reaches',
        description:
          '正式工作日历（国务院节假日安排）覆盖的年份、何时提醒管理员录入下一年通知，以及本账号范围内有暂定时限的未办结工单数。录入通知：npm run cli -- calendar import（见 docs/calendar.md）。\n\n' +
          'The years the official calendar covers, when admins are warned to enter the next notice, and the open tickets in the caller’s scope with provisional deadlines. Entering a notice: npm run cli -- calendar import (docs/calendar.md).',
        security: [{ staffSession: [] }],
        response: { 200: Type.Ref('CalendarStatus'), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      // From the database, not this process's copy: a notice entered a moment ago shows at once.
      const calendar = await loadCalendar(db);
      const shipped = new Set(builtInSchedules().map((s) => s.year));
      const years = calendar.schedules.map((s) => ({
        year: s.year,
        source: shipped.has(s.year) ? ('shipped' as const) : ('entered' as const),
        title: s.source.kind === 'notice' ? s.source.title : null,
      }));
      return { ...calendarStatus(calendar, context.clock()), years, provisionalTickets: await countProvisional(db, caller) };
    },
  );
}
