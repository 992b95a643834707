import { sql } from 'kysely';
import { appendEvaluationFlag } from './footprint.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg } from '../../test/factories.ts';
import { draft, submitDrafts } from '../../test/intake.ts';
import { foldLedger } from './feed.ts';

const PASSWORD = 'scoring-test-password';

describeOnEngines('scoring routes', (database) => {
  const clock = testClock('2026-10-20T02:00:00.000Z');
  let config: Config;
  let system: System;
  let org: { id: string; region_code: string };
  const tokens: Record<string, string> = {};
  const db = () => database().db;
  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    system.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload ? { payload } : {}) });

  async function account(username: string, role: 'org_handler' | 'supervisor' | 'province_admin' | 'city_admin', scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    await login(username);
  }

  async function login(username: string) {
    tokens[username] = (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } })).json().token;
  }

  beforeAll(async () => {
    config = testConfig({ JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720' });
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(db(), { regionCode: '510104' });
    const other = await makeOrg(db(), { regionCode: '510302' });
    const item = await makeItem(db(), org);
    const otherItem = await makeItem(db(), other);
    const projects: string[] = [];
    for (let i = 0; i < 4; i++) projects.push(await makeCompletedCase(db(), config, item, '2026-10-19 10:00:00', { projectNo: `510104-20261019-00010${i}` }));
    const elsewhere = await makeCompletedCase(db(), config, otherItem, '2026-10-19 10:00:00', { projectNo: '510302-20261019-000100', areaCode: '510302' });
    await submitDrafts(system.intake, [...projects.map((p, i) => draft(p, { level: i === 0 ? 1 : 5, indicatorCodes: i === 0 ? ['509'] : [] })), draft(elsewhere, { level: 4 })].map((d) => ({ ...d, assessedAt: new Date('2026-10-20T01:00:00Z') })));
    await foldLedger(db());
    await account('admin', 'province_admin', { scopeRegionCode: '510000' });
    await account('chengdu', 'city_admin', { scopeRegionCode: '510100' });
    await account('handler', 'org_handler', { scopeOrgId: org.id });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('ranks live, shows a unit’s dashboard and its score ledger within scope only', async () => {
    const rankings = await as('chengdu', 'GET', '/api/v1/scoring/rankings?period=2026-10');
    expect(rankings.statusCode, rankings.body).toBe(200);
    expect(rankings.json().published).toBe(false);
    const counties = rankings.json().rankings.find((r: { unitClass: string }) => r.unitClass === 'county');
    // Four evaluations are under the minimum volume (30): listed apart, not ranked.
    expect(counties.ranked).toEqual([]);
    expect(counties.belowMinimum.find((u: { unitId: string }) => u.unitId === '510104').activeEvaluations).toBe(4);

    const dashboard = await as('handler', 'GET', `/api/v1/scoring/units/org/${org.id}?period=2026-10`);
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    expect(dashboard.json().figures).toMatchObject({ evaluations: 4, tickets: 1, goodRate: 0.75 });
    expect(dashboard.json().channels).toEqual([expect.objectContaining({ channel: 'mobile', evaluations: 4, good: 3 })]);
    // The stages completed on the 19th, the ratings came on the 20th.
    expect(dashboard.json().daily.map((d: { day: string; evaluations: number }) => [d.day, d.evaluations])).toEqual([['2026-10-19', 0], ['2026-10-20', 4]]);

    expect((await as('handler', 'GET', '/api/v1/scoring/units/region/510104?period=2026-10')).json().code).toBe('UNIT_NOT_FOUND');
    expect((await as('chengdu', 'GET', '/api/v1/scoring/units/region/510302?period=2026-10')).json().code).toBe('UNIT_NOT_FOUND');
    expect((await as('chengdu', 'GET', '/api/v1/scoring/units/region/510104?period=2026-13')).json().code).toBe('PERIOD_INVALID');

    const ledger = await as('chengdu', 'GET', '/api/v1/scoring/units/region/510104/ledger?period=2026-10');
    expect(ledger.statusCode, ledger.body).toBe(200);
    const changes = ledger.json().changes;
    expect(changes).toHaveLength(4);
    expect(changes.every((c: { source: { kind: string } }) => c.source.kind === 'evaluation')).toBe(true);
    expect(changes.find((c: { source: { detail: string } }) => c.source.detail === 'level 1').effect).toEqual({ active_1: 1, tickets: 1, stages_rated: 1 });
    expect(changes[0].compositeAfter).toBe(ledger.json().figures.compositeScore);
  });

  it('adds scheme versions (never edits them) and closes, publishes and verifies a period', async () => {
    const schemes = (await as('admin', 'GET', '/api/v1/scoring/schemes')).json().items;
    const definition = { ...schemes[0].definition, minimumVolume: 3 };
    expect((await as('chengdu', 'POST', '/api/v1/scoring/schemes', { version: '2026.10', effectiveFrom: '2026-10-01', definition })).json().code).toBe('AUTH_FORBIDDEN');
    const bad = await as('admin', 'POST', '/api/v1/scoring/schemes', { version: '2026.10', effectiveFrom: '2026-10-01', definition: { ...definition, partWeights: { evaluation: 1, tickets: 1, inspection: 0 } } });
    expect(bad.json()).toMatchObject({ code: 'SCHEME_INVALID', details: { problems: ['partWeights must add up to 1'] } });
    expect((await as('admin', 'POST', '/api/v1/scoring/schemes', { version: '2026.10', effectiveFrom: '2026-10-01', definition })).statusCode).toBe(201);
    expect((await as('admin', 'POST', '/api/v1/scoring/schemes', { version: '2026.10', effectiveFrom: '2026-10-02', definition })).json().code).toBe('SCHEME_EXISTS');

    const live = (await as('admin', 'GET', '/api/v1/scoring/rankings?period=2026-10')).json();
    expect(live.schemeVersion).toBe('2026.10');
    expect(live.rankings.find((r: { unitClass: string }) => r.unitClass === 'county').ranked.map((r: { unitId: string }) => r.unitId)).toEqual(['510104']);

    expect((await as('admin', 'POST', '/api/v1/scoring/snapshots', { period: '2026-10' })).json().code).toBe('PERIOD_NOT_ENDED');
    clock.set('2026-11-25T00:00:00.000Z');
    for (const username of Object.keys(tokens)) await login(username);
    expect((await as('chengdu', 'POST', '/api/v1/scoring/snapshots', { period: '2026-10' })).json().code).toBe('AUTH_FORBIDDEN');
    const closed = await as('admin', 'POST', '/api/v1/scoring/snapshots', { period: '2026-10' });
    expect(closed.statusCode, closed.body).toBe(201);
    expect(closed.json()).toMatchObject({ periodKey: '2026-10', schemeVersion: '2026.10' });
    expect((await as('admin', 'POST', '/api/v1/scoring/snapshots', { period: '2026-10' })).json().code).toBe('PERIOD_ALREADY_CLOSED');

    const published = (await as('chengdu', 'GET', '/api/v1/scoring/rankings?period=2026-10')).json();
    expect(published.published).toBe(true);
    expect(published.snapshot.digest).toBe(closed.json().digest);
    const document = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10')).json();
    expect(JSON.parse(document.document).checkpoint.chains.length).toBeGreaterThan(0);
    const verification = await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10/verification');
    expect(verification.json()).toMatchObject({ ok: true, problems: [] });
    expect((await as('chengdu', 'GET', '/api/v1/scoring/snapshots/month/2026-10/verification')).json().code).toBe('AUTH_FORBIDDEN');
    expect((await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-09')).json().code).toBe('SNAPSHOT_NOT_FOUND');
  });

  it('shows a closed month from its snapshot, marked so, and attaches a late exclusion to it as a visible, chained correction', async () => {
    // After the previous test: October is closed (2026-11-25). The unit's figures are the published ones.
    const dashboard = async () => (await as('admin', 'GET', `/api/v1/scoring/units/org/${org.id}?period=2026-10`)).json();
    const snapshotId = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10')).json().id;
    const before = await dashboard();
    expect(before).toMatchObject({ source: 'snapshot', snapshot: { id: snapshotId }, corrections: [], breakdownSource: 'live', figures: { evaluations: 4, tickets: 1 } });
    // An item's figures are not in a snapshot: live, and marked so, the period's snapshot named.
    const item = await db().selectFrom('service_item').select('id').where('org_id', '=', org.id).executeTakeFirstOrThrow();
    expect((await as('admin', 'GET', `/api/v1/scoring/units/item/${item.id}?period=2026-10`)).json()).toMatchObject({ source: 'live', snapshot: { id: snapshotId } });
    // November is open: live.
    expect((await as('admin', 'GET', `/api/v1/scoring/units/org/${org.id}?period=2026-11`)).json()).toMatchObject({ source: 'live', snapshot: null, corrections: [] });

    // The 差评 is found to be fraud after the close: the live figures lose it, the published ones stay
    // as signed, and the change is attached to October as a correction.
    const bad = await db().selectFrom('evaluation').select('id').where('project_no', '=', '510104-20261019-000100').executeTakeFirstOrThrow();
    // The flags as the review queue appends them (src/risk/review-commands.ts: two reviewers to confirm).
    const flag = (kind: 'fraud_confirmed' | 'fraud_cleared') => db().transaction().execute((trx) => appendEvaluationFlag(trx, { evaluationId: bad.id, kind, reason: '核查确认', actor: 'test' }, clock()));
    await flag('fraud_confirmed');
    const after = await dashboard();
    expect(after.figures).toEqual(before.figures);
    expect(after.corrections).toHaveLength(1);
    const [first] = after.corrections;
    expect(first).toMatchObject({ seq: 1, evaluationId: bad.id, flagKind: 'fraud_confirmed', now: 'excluded', previousDigest: null });
    expect(first.effect).toContainEqual({ unitKind: 'org', unitId: org.id, counts: { active_1: -1, stages_rated: -1, tickets: -1 } });
    expect(first.effect).toContainEqual({ unitKind: 'region', unitId: '510104', counts: { active_1: -1, stages_rated: -1, tickets: -1 } });
    await foldLedger(db());
    expect((await as('admin', 'GET', `/api/v1/scoring/units/org/${org.id}/ledger?period=2026-10`)).json().figures).toMatchObject({ evaluations: 3, tickets: 0 });
    // Listed with the period and its snapshot; the other units of the region (and other orgs) see it too or not, as it touches them.
    expect((await as('chengdu', 'GET', '/api/v1/scoring/rankings?period=2026-10')).json().corrections.map((c: { id: string }) => c.id)).toEqual([first.id]);
    expect((await as('admin', 'GET', '/api/v1/scoring/units/region/510100?period=2026-10')).json().corrections.map((c: { id: string }) => c.id)).toEqual([first.id]);
    expect((await as('admin', 'GET', '/api/v1/scoring/units/region/510300?period=2026-10')).json().corrections).toEqual([]);

    // Cleared again: a second correction, chained to the first.
    await flag('fraud_cleared');
    const listed = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10')).json().corrections;
    expect(listed.map((c: { seq: number; now: string; previousDigest: string | null }) => [c.seq, c.now, c.previousDigest])).toEqual([[1, 'excluded', null], [2, 'counted', first.digest]]);
    expect(listed[1].effect).toContainEqual({ unitKind: 'org', unitId: org.id, counts: { active_1: 1, stages_rated: 1, tickets: 1 } });
    expect((await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10/verification')).json()).toMatchObject({ ok: true, problems: [] });

    // Append-only in the database; an edit behind its back breaks the chain, and verification names it.
    await expect(sql`UPDATE score_correction SET document = document`.execute(db())).rejects.toThrow(/LEDGER_APPEND_ONLY/);
    // A correction deleted behind its back is missed too: the flags say the rating changed standing.
    const second = await db().selectFrom('score_correction').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
    await sql`SET session_replication_role = replica`.execute(db());
    try {
      await db().deleteFrom('score_correction').where('id', '=', second.id).execute();
    } finally {
      await sql`SET session_replication_role = origin`.execute(db());
    }
    const lost = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10/verification')).json();
    expect(lost.problems.map((p: { code: string }) => p.code)).toEqual(['corrections_missing']);
    await db().insertInto('score_correction').values(second).execute();
    expect((await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10/verification')).json()).toMatchObject({ ok: true });
    await sql`SET session_replication_role = replica`.execute(db());
    try {
      await sql`UPDATE score_correction SET document = replace(document, '"now":"excluded"', '"now":"counted"') WHERE seq = 1`.execute(db());
    } finally {
      await sql`SET session_replication_role = origin`.execute(db());
    }
    const broken = (await as('admin', 'GET', '/api/v1/scoring/snapshots/month/2026-10/verification')).json();
    expect(broken.ok).toBe(false);
    expect(broken.problems.map((p: { code: string }) => p.code)).toContain('corrections_broken');
  });
});
