// What the demo put in the database, read back from it: counts, date range, rating spread and
// the demo credentials (the integrator app's secret is opened with the configured key).
import { sql, type Kysely } from 'kysely';
import { loadIntegratorApp } from '../auth/integrator-apps.ts';
import type { Config } from '../config/config.ts';
import type { DB, StaffRole } from '../db/schema.ts';
import { isGoodLevel } from '../evaluations/levels.ts';
import type { TicketState } from '../tickets/state-machine.ts';
import { DEMO_INTEGRATOR_APP_ID, DEMO_MARKER_DEPT_CODE, DEMO_PASSWORD, DEMO_SOURCE_APP, DEMO_USERNAMES } from './constants.ts';

export interface DemoAccount {
  username: string;
  role: StaffRole;
  displayName: string;
  scopeRegionCode: string | null;
  scopeOrgId: string | null;
}

export const COUNTED_TABLES = [
  'region',
  'org',
  'service_item',
  'service_window',
  'staff',
  'service_case',
  'case_stage',
  'evaluation',
  'evaluation_slot',
  'evaluation_counter',
  'ledger_chain',
  'ticket',
  'ticket_event',
  'staff_account',
  'integrator_app',
] as const satisfies ReadonlyArray<keyof DB>;
export type CountedTable = (typeof COUNTED_TABLES)[number];

export interface DemoSummary {
  /** False when the database already held demo data and nothing was generated. */
  generated: boolean;
  /** The seed used; null when the summary describes data found in the database. */
  seed: number | null;
  /** Rows per table (whole tables, demo or not). */
  counts: Record<CountedTable, number>;
  /** From the first demo case's acceptance to the last demo evaluation received. */
  dateRange: { from: string | null; to: string | null };
  evaluations: {
    total: number;
    byLevel: Record<'1' | '2' | '3' | '4' | '5', number>;
    byChannel: Record<string, number>;
    anonymous: number;
    followUps: number;
    systemDefaults: number;
    /** 好评率 over active first and follow-up ratings (好评: any level but a 差评, of non-default ratings). */
    goodRate: number;
  };
  /** 差评工单: how many are in each state, and figures over all of them. */
  tickets: {
    total: number;
    byState: Record<TicketState, number>;
    /** Replied (or closed as cannot be fixed) / tickets whose appeal was not upheld: 差评回复率. */
    replyRate: number | null;
    /** Reply deadline missed: replied late, or still unanswered after it. */
    overdue: number;
  };
  /** Intake refusals by error code while generating (expected empty); empty for found data. */
  refused: Record<string, number>;
  credentials: {
    note: string;
    password: string;
    accounts: DemoAccount[];
    integrator: { appId: string; name: string; regionCode: string; channelProfile: 'national' | 'sms-six'; secret: string | null } | null;
  };
  elapsedMs: number;
}

/** Whether the database already holds demo data (the marker org, or an `admin` account). */
export async function demoPresent(db: Kysely<DB>): Promise<boolean> {
  const marker = await db.selectFrom('org').select('id').where('dept_code', '=', DEMO_MARKER_DEPT_CODE).executeTakeFirst();
  if (marker) return true;
  const admin = await db.selectFrom('staff_account').select('id').where('username', '=', 'admin').executeTakeFirst();
  return admin !== undefined;
}

export async function readSummary(deps: { db: Kysely<DB>; config: Config; now: Date }, context: { generated: boolean; seed: number | null; refused: Record<string, number>; started: number }): Promise<DemoSummary> {
  const { db, config, now } = deps;
  const counts = {} as Record<CountedTable, number>;
  for (const table of COUNTED_TABLES) {
    const row = await db.selectFrom(table).select(sql<number>`count(*)::int8`.as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const caseRange = await db
    .selectFrom('service_case')
    .select([sql<Date | null>`min(coalesce(accept_at, created_at))`.as('from'), sql<Date | null>`max(updated_at)`.as('to')])
    .where('source_app', '=', DEMO_SOURCE_APP)
    .executeTakeFirstOrThrow();
  const lastEvaluation = await db
    .selectFrom('evaluation')
    .select(sql<Date | null>`max(received_at)`.as('to'))
    .where('source_app', '=', DEMO_SOURCE_APP)
    .executeTakeFirstOrThrow();
  const groups = await db
    .selectFrom('evaluation')
    .select(['level', 'channel', 'is_anonymous', 'assess_number', 'is_default', sql<number>`count(*)::int8`.as('n')])
    .where('source_app', '=', DEMO_SOURCE_APP)
    .groupBy(['level', 'channel', 'is_anonymous', 'assess_number', 'is_default'])
    .execute();
  const byLevel: DemoSummary['evaluations']['byLevel'] = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  const byChannel: Record<string, number> = {};
  let total = 0;
  let anonymous = 0;
  let followUps = 0;
  let systemDefaults = 0;
  let active = 0;
  let good = 0;
  for (const g of groups) {
    const n = Number(g.n);
    total += n;
    const level = String(g.level) as keyof typeof byLevel;
    byLevel[level] += n;
    byChannel[g.channel] = (byChannel[g.channel] ?? 0) + n;
    if (g.is_anonymous) anonymous += n;
    if (g.assess_number === 2) followUps += n;
    if (g.is_default) systemDefaults += n;
    else {
      active += n;
      if (isGoodLevel(g.level)) good += n;
    }
  }
  const toIso = (value: Date | string | null | undefined) => (value === null || value === undefined ? null : new Date(value).toISOString());
  const lastCase = caseRange.to === null ? null : new Date(caseRange.to).getTime();
  const lastRating = lastEvaluation.to === null ? null : new Date(lastEvaluation.to).getTime();
  const to = lastCase === null && lastRating === null ? null : Math.max(lastCase ?? 0, lastRating ?? 0);

  const ticketStates = await db.selectFrom('ticket').select(['state', sql<number>`count(*)::int8`.as('n')]).groupBy('state').execute();
  const byState: Record<TicketState, number> = { open: 0, verifying: 0, rectifying: 0, appealing: 0, cannot_fix_requested: 0, cannot_fix_approved: 0, replied: 0, cannot_fix_replied: 0, closed: 0, closed_invalid: 0, closed_cannot_fix: 0, voided: 0 };
  for (const row of ticketStates) byState[row.state] = Number(row.n);
  const ticketCounts = await db
    .selectFrom('ticket')
    .select([
      sql<number>`count(*) FILTER (WHERE appeal_state IS DISTINCT FROM 'upheld')::int8`.as('bad'),
      sql<number>`count(*) FILTER (WHERE appeal_state IS DISTINCT FROM 'upheld' AND reply_done_at IS NOT NULL)::int8`.as('replied'),
      sql<number>`count(*) FILTER (WHERE appeal_state IS DISTINCT FROM 'upheld' AND (reply_done_at > reply_due_at OR (reply_done_at IS NULL AND reply_due_at < ${now})))::int8`.as('overdue'),
    ])
    .executeTakeFirstOrThrow();

  const accountRows = await db
    .selectFrom('staff_account')
    .select(['username', 'role', 'display_name', 'scope_region_code', 'scope_org_id'])
    .where('username', 'in', [...DEMO_USERNAMES])
    .orderBy('created_at')
    .orderBy('username')
    .execute();
  const order = (username: string) => DEMO_USERNAMES.indexOf(username as (typeof DEMO_USERNAMES)[number]);
  const accounts = accountRows
    .map((a) => ({ username: a.username, role: a.role, displayName: a.display_name, scopeRegionCode: a.scope_region_code, scopeOrgId: a.scope_org_id }))
    .sort((a, b) => order(a.username) - order(b.username));
  let integrator: DemoSummary['credentials']['integrator'] = null;
  const app = await db.selectFrom('integrator_app').select(['app_id', 'name', 'region_code', 'channel_profile']).where('app_id', '=', DEMO_INTEGRATOR_APP_ID).executeTakeFirst();
  if (app) {
    let secret: string | null = null;
    try {
      secret = (await loadIntegratorApp(db, config, DEMO_INTEGRATOR_APP_ID))?.secret ?? null;
    } catch {
      secret = null; // sealed with a key no longer configured
    }
    integrator = { appId: app.app_id, name: app.name, regionCode: app.region_code, channelProfile: app.channel_profile, secret };
  }

  return {
    generated: context.generated,
    seed: context.seed,
    counts,
    dateRange: { from: toIso(caseRange.from), to: to === null ? null : new Date(to).toISOString() },
    evaluations: { total, byLevel, byChannel, anonymous, followUps, systemDefaults, goodRate: active === 0 ? 0 : good / active },
    tickets: {
      total: Object.values(byState).reduce((sum, n) => sum + n, 0),
      byState,
      replyRate: Number(ticketCounts.bad) === 0 ? null : Math.round((Number(ticketCounts.replied) / Number(ticketCounts.bad)) * 10_000) / 10_000,
      overdue: Number(ticketCounts.overdue),
    },
    refused: context.refused,
    credentials: {
      note: `演示账号仅用于演示，切勿用于生产环境 / Demo accounts, for demonstrations only: never in production. Password of every account: ${DEMO_PASSWORD}`,
      password: DEMO_PASSWORD,
      accounts,
      integrator,
    },
    elapsedMs: Math.round(performance.now() - context.started),
  };
}