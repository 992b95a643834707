import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevice } from '../kiosk/devices.ts';
import { KIOSK_SOURCE_PREFIX } from '../kiosk/push.ts';
import { foldLedger } from '../scoring/feed.ts';
import { sumTallies } from '../scoring/tally-store.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeStaff, makeWindow } from '../../test/factories.ts';
import { issueLinkForStage } from './links.ts';
import { supersedes } from './supersession.ts';

describe('which first rating the applicant’s own replaces (pure)', () => {
  it('an unverified first (a hall device, a poster’s link) gives way to the applicant’s proven rating', () => {
    expect(supersedes('signed_link', 'device')).toBe(true);
    expect(supersedes('sms_code', 'none')).toBe(true);
    expect(supersedes('receipt_code', 'device')).toBe(true);
  });
  it('nothing replaces a proven first, and an unproven rating replaces nothing', () => {
    expect(supersedes('signed_link', 'signed_link')).toBe(false);
    expect(supersedes('signed_link', null)).toBe(false);
    expect(supersedes('device', 'device')).toBe(false);
    expect(supersedes('none', 'device')).toBe(false);
  });
});

describeOnEngines('the applicant’s rating supersedes a device rating pressed at the counter', (database) => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let system: System;

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
  });
  afterAll(async () => {
    await system.close();
  });

  it('keeps the device rating in the ledger, marked, and out of every figure; the applicant’s counts', async () => {
    const db = database().db;
    const org = await makeOrg(db, { kind: 'hall' });
    const item = await makeItem(db, org);
    const window = await makeWindow(db, org);
    const staff = await makeStaff(db, org, window);
    const admin = { kind: 'staff' as const, accountId: 'test', username: 'test', role: 'province_admin' as const, regionPath: '510000/', orgId: null };
    const device = await registerDevice(db, admin, { windowId: window.id, kind: 'evaluator', name: '1号窗口评价器' }, clock());
    const projectNo = await makeCompletedCase(db, config, item, '2026-11-20 09:59:00', { windowCode: window.code, staffNo: staff.staff_no });
    const stage = await db.selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();

    // Pushed to the counter's device; someone presses five stars there at once.
    const pushed = await issueLinkForStage({ db, config, clock }, stage.id, 'hall_tablet', `${KIOSK_SOURCE_PREFIX}${device.id}`, { proof: 'device', deviceId: device.id, rateBy: new Date(clock().getTime() + 5 * 60_000) });
    const pressed = await system.app.inject({ method: 'POST', url: `/api/v1/kiosk/ratings/${pushed.token}`, headers: { authorization: `Device ${device.credential}` }, payload: { clientId: 'pressed-at-counter', level: 5, indicators: [], anonymous: true, madeAt: clock().toISOString() } });
    expect(pressed.statusCode, pressed.body).toBe(201);
    // The applicant rates the stage later through the link sent to them.
    clock.set('2026-11-20T06:00:00.000Z');
    const sent = await issueLinkForStage({ db, config, clock }, stage.id, 'sms', 'test-sms');
    const own = await system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${sent.token}`, payload: { clientId: 'applicant-own-01', level: 2, indicators: ['501'], comment: '材料退回三次', anonymous: true } });
    expect(own.statusCode, own.body).toBe(201);

    const first = await db.selectFrom('evaluation').select('id').where('receipt_no', '=', pressed.json().receiptNo).executeTakeFirstOrThrow();
    expect(await db.selectFrom('evaluation_event').select(['kind', 'actor']).where('evaluation_id', '=', first.id).execute()).toEqual([{ kind: 'superseded', actor: 'system:applicant' }]);
    await foldLedger(db);
    const [tally] = await sumTallies(db, 'staff', '2026-11-20', '2026-11-20', [staff.id]);
    expect(tally?.counts).toMatchObject({ active_5: 0, active_2: 1 });
    // The stage takes no third rating.
    const again = await system.app.inject({ method: 'POST', url: `/api/v1/public/ratings/${sent.token}`, payload: { clientId: 'applicant-own-02', level: 4, indicators: [], anonymous: true } });
    expect(again.statusCode).toBe(409);
  });
});
