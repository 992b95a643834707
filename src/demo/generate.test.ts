import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCounters, readCountersFromLedger } from '../aggregates/counters.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { loadIntegratorApp } from '../auth/integrator-apps.ts';
import { beijingDay } from '../clock.ts';
import { isValidDeptCode } from '../catalog/dept-code.ts';
import { seedSichuanRegions } from '../catalog/regions.ts';
import { loadIndicatorCatalogue } from '../evaluations/indicators.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { assessWaiting } from '../risk/assessor.ts';
import { residentIdIsValid } from '../pii/person.ts';
import { revealPerson } from '../pii/vault.ts';
import { ticketFigures, ticketRates } from '../tickets/figures.ts';
import { TERMINAL_STATES } from '../tickets/state-machine.ts';
import { replayRow, ticketFromRow } from '../tickets/store.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { planCases } from './cases.ts';
import { ITEM_TYPES } from './content.ts';
import { DEMO_PASSWORD, DEMO_SOURCE_APP, generateDemo, type DemoSummary } from './generate.ts';
import { planProvince } from './province.ts';
import { seededRandom } from './random.ts';
import { planEvaluations } from './ratings.ts';
import { DAY } from './time.ts';
import { parsePeriod, type Period } from '../scoring/periods.ts';
import { schemeInForce } from '../scoring/schemes.ts';
import { figuresAtCheckpoint } from '../scoring/snapshots.ts';

const NOW = new Date('2026-11-20T04:00:00.000Z');
const SMALL = { seed: 7, months: 2, evaluations: 1500, countiesPerCity: 1 } as const;

describeOnEngines('demo data', (database) => {
  const config = testConfig();
  let summary: DemoSummary;
  const db = () => database().db;

  beforeAll(async () => {
    summary = await generateDemo({ db: db(), config, now: NOW }, SMALL);
  });

  it('stores the evaluations asked for, none refused, and says so in the summary', () => {
    expect(summary.generated).toBe(true);
    expect(summary.seed).toBe(7);
    expect(summary.refused).toEqual({});
    expect(summary.counts.evaluation).toBe(1500);
    expect(summary.evaluations.total).toBe(1500);
    expect(summary.counts.region).toBeGreaterThan(200);
    expect(summary.dateRange.from).not.toBeNull();
    expect(new Date(summary.dateRange.from ?? '').getTime()).toBeGreaterThanOrEqual(new Date('2026-09-20T04:00:00Z').getTime());
    expect(new Date(summary.dateRange.to ?? '').getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it('builds a catalog: every item type, halls and departments with valid codes, windows and staff', async () => {
    const types = await db().selectFrom('service_item').select('item_type').distinct().execute();
    expect(types.map((t) => t.item_type).sort()).toEqual([...ITEM_TYPES].sort());
    const orgs = await db().selectFrom('org').select(['kind', 'name', 'dept_code', 'region_code']).execute();
    expect(new Set(orgs.map((o) => o.kind))).toEqual(new Set(['hall', 'department', 'center']));
    expect(orgs.every((o) => isValidDeptCode(o.dept_code))).toBe(true);
    // 21 prefectures, one county each: a hall per county and 3–6 departments named after it.
    const halls = orgs.filter((o) => o.kind === 'hall');
    expect(halls).toHaveLength(21);
    expect(halls.every((h) => h.name.endsWith('政务服务中心'))).toBe(true);
    const departments = orgs.filter((o) => o.kind === 'department' && o.region_code !== '510000');
    expect(departments.length).toBeGreaterThanOrEqual(21 * 3);
    expect(departments.length).toBeLessThanOrEqual(21 * 6);
    expect(departments.some((d) => d.name.endsWith('市场监督管理局'))).toBe(true);
    expect(orgs.some((o) => o.region_code === '510000' && o.name === '四川省市场监督管理局')).toBe(true);

    const windows = await db().selectFrom('service_window').innerJoin('org', 'org.id', 'service_window.org_id').select(['org.kind', 'service_window.name']).execute();
    expect(windows.length).toBeGreaterThanOrEqual(21 * 4);
    expect(windows.every((w) => w.kind === 'hall')).toBe(true);
    expect(windows.some((w) => w.name === '综合受理1号窗口')).toBe(true);
    const staff = await db().selectFrom('staff').select(['name', 'window_id']).execute();
    expect(staff.length).toBeGreaterThanOrEqual(windows.length);
    expect(staff.every((s) => s.window_id !== null && /^[\u4e00-\u9fff]{2,3}$/.test(s.name))).toBe(true);
  });

  it('makes cases with Sichuan case numbers, stages, windows and staff, some still open', async () => {
    const cases = await db().selectFrom('service_case').select(['id', 'project_no', 'region_code', 'pro_status', 'accept_at', 'created_at', 'result_at', 'source_app']).execute();
    expect(cases.length).toBeGreaterThan(1000);
    for (const c of cases) {
      const match = /^(\d{6})-(\d{8})-(\d{6})$/.exec(c.project_no);
      expect(match, c.project_no).not.toBeNull();
      expect(match?.[1]).toBe(c.region_code);
      expect(match?.[2]).toBe(beijingDay(c.accept_at ?? c.created_at).replaceAll('-', ''));
      expect(c.source_app).toBe(DEMO_SOURCE_APP);
      if (c.pro_status === 3) expect(c.result_at).not.toBeNull();
      else expect(c.result_at).toBeNull();
    }
    expect(new Set(cases.map((c) => c.pro_status))).toEqual(new Set([1, 2, 3]));

    const stages = await db().selectFrom('case_stage').select(['case_id', 'service_number', 'status', 'completed_at', 'window_id', 'staff_id']).execute();
    const perCase = new Map<string, number>();
    for (const s of stages) perCase.set(s.case_id, (perCase.get(s.case_id) ?? 0) + 1);
    expect(Math.min(...perCase.values())).toBe(1);
    expect(Math.max(...perCase.values())).toBe(3);
    expect(stages.every((s) => (s.status === 3) === (s.completed_at !== null))).toBe(true);
    expect(stages.every((s) => s.completed_at === null || s.completed_at.getTime() <= NOW.getTime())).toBe(true);
    const atWindows = stages.filter((s) => s.window_id !== null);
    expect(atWindows.length).toBeGreaterThan(stages.length / 5);
    expect(atWindows.every((s) => s.staff_id !== null)).toBe(true);
  });

  it('seals applicants: no plaintext in the stored bytes, masked copies, valid resident IDs', async () => {
    const rows = await db().selectFrom('service_case').select(['id', 'applicant_pii', 'applicant_pii_key_id', 'applicant_masked']).orderBy('project_no').limit(400).execute();
    let withResidentId = 0;
    for (const [index, row] of rows.entries()) {
      expect(row.applicant_pii).not.toBeNull();
      const bytes = Buffer.from(row.applicant_pii ?? new Uint8Array());
      expect(bytes.toString('latin1')).not.toMatch(/1[3-9]\d{9}/);
      expect(row.applicant_masked?.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
      if (index % 4 !== 0) continue;
      const person = await revealPerson(
        db(),
        config,
        { table: 'service_case', rowId: row.id, sealed: row.applicant_pii ?? new Uint8Array(), keyId: row.applicant_pii_key_id ?? '', actor: 'test', actorRole: 'province_admin', purpose: 'demo test' },
        NOW,
      );
      expect(bytes.includes(Buffer.from(person.phone ?? 'missing'))).toBe(false);
      expect(person.phone?.slice(-4)).toBe(row.applicant_masked?.phone?.slice(-4));
      if (person.certNo && /^\d{17}[\dX]$/.test(person.certNo)) {
        expect(residentIdIsValid(person.certNo)).toBe(true);
        withResidentId++;
      }
    }
    expect(withResidentId).toBeGreaterThan(0);
  });

  it('spreads ratings plausibly over levels, channels, identities and follow-ups', async () => {
    const { byLevel, byChannel, anonymous, followUps, systemDefaults, goodRate, total } = summary.evaluations;
    for (const level of ['1', '2', '3', '4', '5'] as const) expect(byLevel[level], `level ${level}`).toBeGreaterThan(0);
    expect(goodRate).toBeGreaterThanOrEqual(0.8);
    expect(byLevel['5'] / total).toBeGreaterThan(0.5);
    for (const channel of ['hall_tablet', 'qr', 'pc', 'mobile', 'sms', 'hotline']) expect(byChannel[channel], channel).toBeGreaterThan(0);
    expect(anonymous / total).toBeGreaterThan(0.03);
    expect(anonymous / total).toBeLessThan(0.25);
    expect(followUps).toBeGreaterThan(0);
    expect(systemDefaults).toBe(0); // off in this configuration

    const rows = await db().selectFrom('evaluation').select(['level', 'indicator_codes', 'is_anonymous', 'rater_pii', 'rater_masked', 'received_at', 'assessed_at', 'assess_number', 'case_stage_id']).execute();
    for (const r of rows) {
      if (BAD_LEVELS.has(r.level)) expect(r.indicator_codes.length).toBeGreaterThanOrEqual(1);
      expect(r.is_anonymous).toBe(r.rater_pii === null);
      const lag = r.received_at.getTime() - r.assessed_at.getTime();
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThanOrEqual(15 * 60_000);
    }
    expect(rows.filter((r) => BAD_LEVELS.has(r.level)).some((r) => r.indicator_codes.length === 2)).toBe(true);
    // Follow-ups are on stages rated before.
    const firsts = new Set(rows.filter((r) => r.assess_number === 1).map((r) => r.case_stage_id));
    expect(rows.filter((r) => r.assess_number === 2).every((r) => firsts.has(r.case_stage_id))).toBe(true);
    // Some completed stages are left unrated.
    const completed = await db().selectFrom('case_stage').select(sql<number>`count(*)::int8`.as('n')).where('status', '=', 3).executeTakeFirstOrThrow();
    expect(firsts.size / Number(completed.n)).toBeGreaterThan(0.75);
    expect(firsts.size / Number(completed.n)).toBeLessThan(0.95);
  });

  it('differs between counties, so that rankings have something to show', async () => {
    const rows = await db()
      .selectFrom('evaluation')
      .select(['region_code', sql<number>`count(*)::int8`.as('n'), sql<number>`avg(level)::float8`.as('mean')])
      .where('region_code', '!=', '510000')
      .groupBy('region_code')
      .execute();
    const means = rows.filter((r) => Number(r.n) >= 20).map((r) => Number(r.mean));
    expect(means.length).toBeGreaterThan(10);
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(0.15);
  });

  it('keeps the ledger intact and the counters equal to a recomputation', async () => {
    const report = await verifyLedger(db());
    expect(report.ok).toBe(true);
    expect(report.rows).toBe(1500);
    expect(await readCounters(db())).toEqual(await readCountersFromLedger(db()));
  });

  it('starts the risk engine after its synthetic ratings: nothing of the demo is held as a script', async () => {
    expect(await assessWaiting(db(), () => NOW)).toEqual({ assessed: 0, held: 0 });
    expect(await db().selectFrom('evaluation_event').select('id').where('kind', '=', 'risk_held').execute()).toEqual([]);
  });

  it('records inspections, fills the score tallies, and closes no month whose closing delay has not passed', async () => {
    const inspections = await db().selectFrom('inspection').select(['org_id', 'score_points']).execute();
    expect(inspections.length).toBe(3 * 21);
    expect(inspections.every((i) => i.score_points >= 0 && i.score_points <= 10_000)).toBe(true);
    const tallied = await db().selectFrom('score_tally').select((eb) => [eb.fn.sum<number>('inspections').as('inspections'), eb.fn.sum<number>('active_5').as('five')]).where('unit_kind', '=', 'org').executeTakeFirstOrThrow();
    expect(Number(tallied.inspections)).toBe(inspections.length);
    expect(Number(tallied.five)).toBeGreaterThan(0);
    // 2026-09 is only half covered and 2026-10 closes on 2026-11-21: nothing is published yet.
    expect(await db().selectFrom('score_snapshot').select('id').execute()).toEqual([]);
  });

  it('stamps inspections when they were written up, so that a month closed by the demo holds all of its own', async () => {
    const rows = await db().selectFrom('inspection').select(['inspected_at', 'recorded_at', 'inspected_day']).execute();
    for (const r of rows) {
      expect(r.recorded_at.getTime()).toBeGreaterThan(r.inspected_at.getTime());
      expect(r.recorded_at.getTime() - r.inspected_at.getTime()).toBeLessThanOrEqual(30 * 3_600_000);
    }
    // October's figures as the demo closes a month (its cut a minute before `now`): every inspection
    // of October is in, summed over the 21 prefectures.
    const period = parsePeriod('2026-10') as Period;
    const heads = (await db().selectFrom('ledger_chain').select(['chain_id', 'head_seq']).execute()).map((c) => ({ chainId: c.chain_id, seq: c.head_seq }));
    const figures = await figuresAtCheckpoint(db(), period, await schemeInForce(db(), period.fromDay), { heads, at: new Date(NOW.getTime() - 60_000) });
    const october = rows.filter((r) => String(r.inspected_day) >= '2026-10-01' && String(r.inspected_day) <= '2026-10-31').length;
    expect(october).toBeGreaterThan(0);
    const summed = figures.units.filter((u) => u.unitKind === 'region' && u.regionLevel === 2).reduce((a, u) => a + u.figures.inspections, 0);
    expect(summed).toBe(october);
  });

  it('walks the tickets through months of work: most closed, the recent ones still open', async () => {
    const tickets = await db().selectFrom('ticket').selectAll().execute();
    const bad = summary.evaluations.byLevel['1'] + summary.evaluations.byLevel['2'];
    expect(tickets).toHaveLength(bad);
    expect(summary.tickets.total).toBe(bad);
    const byState = new Map<string, number>();
    for (const t of tickets) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
    expect(Object.fromEntries(byState)).toEqual(Object.fromEntries(Object.entries(summary.tickets.byState).filter(([, n]) => n > 0)));
    expect(byState.size).toBeGreaterThanOrEqual(4);
    // Past the reply deadline (15 days) and a callback, most are closed after a satisfied callback.
    const settled = tickets.filter((t) => t.evaluated_at.getTime() < NOW.getTime() - 20 * DAY);
    expect(settled.filter((t) => t.state === 'closed').length / settled.length).toBeGreaterThan(0.8);
    expect(settled.filter((t) => TERMINAL_STATES.has(t.state)).length / settled.length).toBeGreaterThan(0.9);
    expect(tickets.some((t) => t.state === 'open' || t.state === 'verifying')).toBe(true);
    expect(tickets.some((t) => t.state === 'rectifying' || t.state === 'replied')).toBe(true);
    // Live work is recent: only a few neglected tickets are older than the last ten days.
    const live = tickets.filter((t) => !TERMINAL_STATES.has(t.state));
    expect(live.every((t) => t.evaluated_at.getTime() > NOW.getTime() - 45 * DAY)).toBe(true);
    expect(live.filter((t) => t.evaluated_at.getTime() < NOW.getTime() - 10 * DAY).length).toBeLessThanOrEqual(Math.max(3, live.length / 3));
    // Not every story is a simple one (the shares are checked on many plans in tickets.test.ts).
    expect(tickets.some((t) => t.reopen_count > 0 || t.appeal_state !== null || t.extension_state !== null || t.state === 'closed_cannot_fix')).toBe(true);
  });

  it('keeps every ticket equal to the replay of its events, which lie between the evaluation and now', async () => {
    const tickets = await db().selectFrom('ticket').selectAll().execute();
    const events = await db().selectFrom('ticket_event').selectAll().orderBy('ticket_id').orderBy('seq').execute();
    const byTicket = new Map<string, typeof events>();
    for (const event of events) byTicket.set(event.ticket_id, [...(byTicket.get(event.ticket_id) ?? []), event]);
    for (const ticket of tickets) {
      const own = byTicket.get(ticket.id) ?? [];
      expect(replayRow(ticket, own), ticket.id).toEqual(ticketFromRow(ticket));
      expect(own.map((e) => e.seq)).toEqual(own.map((_, i) => i + 1));
      for (const event of own) {
        expect(event.at.getTime()).toBeGreaterThanOrEqual(ticket.evaluated_at.getTime());
        expect(event.at.getTime()).toBeLessThanOrEqual(NOW.getTime());
      }
    }
    const closed = tickets.filter((t) => TERMINAL_STATES.has(t.state));
    expect(closed.every((t) => (byTicket.get(t.id) ?? []).length >= 3)).toBe(true);
    // Staff, supervisors, raters (by their link) and the scheduler all took part.
    expect(new Set(events.map((e) => e.actor_role))).toEqual(new Set(['handler', 'supervisor', 'rater', 'system']));
  });

  it('gives plausible ticket figures, and leaves no scheduled job due or failed', async () => {
    // Over the tickets whose reply deadline has passed: the last two weeks are still being answered.
    const toDay = beijingDay(new Date(NOW.getTime() - 16 * DAY));
    const [all] = await ticketFigures(db(), { fromDay: '2026-01-01', toDay, regionPath: '510000/', orgId: null, group: { by: 'region', depth: 1 } }, NOW);
    if (!all) throw new Error('no ticket figures');
    const rates = ticketRates(all);
    expect(rates.replyRate).toBeGreaterThanOrEqual(0.8);
    expect(rates.replyRate).toBeLessThan(1);
    expect(rates.onTimeReplyRate).toBeGreaterThan(0.7);
    expect(rates.callbackRate).toBeGreaterThan(0.8);
    expect(rates.callbackSatisfactionRate).toBeGreaterThan(0.85);
    expect(all.overdue).toBeGreaterThan(0);
    expect(all.overdue / all.bad).toBeLessThan(0.15);
    // The summary counts every ticket, the recent ones too.
    expect(summary.tickets.replyRate).toBeGreaterThan(0.5);
    expect(summary.tickets.replyRate).toBeLessThan(rates.replyRate ?? 1);
    expect(summary.tickets.overdue).toBeGreaterThanOrEqual(all.overdue);

    const jobs = await db().selectFrom('scheduled_job').select(['kind', 'due_at', 'done_at', 'last_error']).execute();
    expect(jobs.filter((j) => j.last_error !== null)).toEqual([]);
    expect(jobs.filter((j) => j.done_at === null && j.due_at.getTime() <= NOW.getTime())).toEqual([]);
    // The SMS replies of the history were handed over; the overdue tickets were escalated, and the supervisor told.
    const messages = await db().selectFrom('outbound_message').select(['status', 'channel']).execute();
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.status === 'sent' && m.channel === 'sms')).toBe(true);
    const notified = await db().selectFrom('notification').innerJoin('staff_account', 'staff_account.id', 'notification.account_id').select(['staff_account.username', 'notification.kind']).execute();
    expect(notified.filter((n) => n.username === 'supervisor' && n.kind === 'ticket_escalated').length).toBeGreaterThan(0);
  });

  it('creates the demo accounts and the integrator app, and returns the secret', async () => {
    const accounts = await db().selectFrom('staff_account').select(['username', 'role', 'scope_region_code', 'scope_org_id', 'password_hash', 'must_change_password']).orderBy('username').execute();
    // The demo's known password is meant to be used as it is: no forced change.
    expect(accounts.map((a) => a.must_change_password)).toEqual([false, false, false, false]);
    expect(accounts.map((a) => [a.username, a.role, a.scope_region_code])).toEqual([
      ['admin', 'province_admin', '510000'],
      ['chengdu', 'city_admin', '510100'],
      ['handler', 'org_handler', null],
      ['supervisor', 'supervisor', '510000'],
    ]);
    const handler = accounts.find((a) => a.username === 'handler');
    const handlerOrg = await db().selectFrom('org').select('region_code').where('id', '=', handler?.scope_org_id ?? '').executeTakeFirstOrThrow();
    expect(handlerOrg.region_code.startsWith('5101')).toBe(true);
    expect(await verifyPassword(DEMO_PASSWORD, accounts[0]?.password_hash ?? '')).toBe(true);
    expect(summary.credentials.password).toBe(DEMO_PASSWORD);
    expect(summary.credentials.accounts.map((a) => a.username)).toEqual(['admin', 'chengdu', 'supervisor', 'handler']);
    const app = await loadIntegratorApp(db(), config, 'demo-city-platform');
    expect(app).toMatchObject({ regionCode: '510100', channelProfile: 'national', active: true });
    expect(summary.credentials.integrator?.secret).toBe(app?.secret);
  });

  it('does not generate twice: a second call returns what is there', async () => {
    const again = await generateDemo({ db: db(), config, now: new Date(NOW.getTime() + 86_400_000) }, SMALL);
    expect(again.generated).toBe(false);
    expect(again.counts).toEqual(summary.counts);
    expect(again.evaluations).toEqual(summary.evaluations);
    expect(again.credentials.integrator?.secret).toBe(summary.credentials.integrator?.secret);
  });

  it('plans the same province, cases and ratings for the same seed', async () => {
    const catalogue = await loadIndicatorCatalogue(db());
    const regions = await db().selectFrom('region').select(['code', 'name', 'level', 'parent_code']).where('level', '<=', 3).orderBy('code').execute();
    const plan = (seed: number) => {
      const random = seededRandom(seed);
      const end = NOW.getTime();
      const start = end - 30 * 86_400_000;
      const province = planProvince(random, regions, 1, start);
      const cases = planCases(random, province, ['510104'], start, end, { completedStages: 300 });
      const evaluations = planEvaluations(random, config, catalogue, cases, end, { firsts: 250, followUps: 5, systemDefaults: 0 });
      return JSON.stringify({
        orgs: province.orgs.map((o) => [o.id, o.name, o.deptCode]),
        cases: cases.map((c) => [c.id, c.projectNo, c.applicant, c.stages.map((s) => [s.id, s.completedAt, s.staff?.id])]),
        evaluations: evaluations.map((e) => [e.receivedAt, e.draft]),
      });
    };
    expect(plan(11)).toBe(plan(11));
    expect(plan(11)).not.toBe(plan(12));
  });
});

describeOnEngines('demo data with system default ratings', (database) => {
  const config = testConfig({ SYSTEM_DEFAULT_ENABLED: 'true' });

  it('adds a few defaults: flagged, on the system channel, at the configured level, without content', async () => {
    await seedSichuanRegions(database().db);
    const summary = await generateDemo({ db: database().db, config, now: NOW }, { seed: 3, months: 1, evaluations: 400, countiesPerCity: 1 });
    expect(summary.refused).toEqual({});
    expect(summary.evaluations.total).toBe(400);
    expect(summary.evaluations.systemDefaults).toBe(8);
    const defaults = await database().db.selectFrom('evaluation').selectAll().where('is_default', '=', true).execute();
    expect(defaults).toHaveLength(8);
    for (const d of defaults) {
      expect(d).toMatchObject({ channel: 'system', level: config.rules.systemDefault.level, comment: null, rater_pii: null, assess_number: 1, indicator_codes: [] });
    }
    // Defaults never count as active ratings.
    expect(summary.evaluations.goodRate).toBeGreaterThanOrEqual(0.8);
  });
});

describe('demo options', () => {
  it('refuses nonsense before touching the database', async () => {
    const deps = { db: null as never, config: testConfig(), now: NOW };
    await expect(generateDemo(deps, { months: 0 })).rejects.toThrow(RangeError);
    await expect(generateDemo(deps, { evaluations: -1 })).rejects.toThrow(RangeError);
    await expect(generateDemo(deps, { countiesPerCity: 0 })).rejects.toThrow(RangeError);
  });
});
