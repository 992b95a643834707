import { beforeAll, describe, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import type { Caller } from '../http/caller.ts';
import { catalogWriteGuard, readAll } from './access.ts';
import { makeDeptCode } from './dept-code.ts';
import { upsertOrg } from './orgs.ts';
import { seedSichuanRegions } from './regions.ts';
import { checkServiceItemInput, getServiceItem, listServiceItems, upsertServiceItem } from './service-items.ts';

const now = new Date('2026-12-01T02:00:00Z');

describe('checkServiceItemInput (pure)', () => {
  const base = { taskCode: '11510104MB0000001X4000117001', taskName: '食品经营许可', deptCode: makeDeptCode(1) };

  it('accepts the national item types and a single digit whose leading zero a spreadsheet dropped', () => {
    for (const itemType of ['01', '10', '20', 'hotline']) expect(checkServiceItemInput({ ...base, itemType }).ok, itemType).toBe(true);
    expect(checkServiceItemInput({ ...base, itemType: '5' })).toMatchObject({ ok: true, value: { itemType: '05' } });
  });

  it('refuses other types and codes with spaces or quotes', () => {
    for (const itemType of ['11', '00', '21', 'HOTLINE', '001']) {
      expect(checkServiceItemInput({ ...base, itemType }), itemType).toMatchObject({ ok: false, refusals: [{ code: 'SERVICE_ITEM_TYPE_INVALID', field: 'itemType' }] });
    }
    expect(checkServiceItemInput({ ...base, itemType: '01', taskCode: "1'; DROP TABLE x" })).toMatchObject({ ok: false, refusals: [{ code: 'CATALOG_CODE_INVALID', field: 'taskCode' }] });
    expect(checkServiceItemInput({ ...base, itemType: '01', taskCode: 'A'.repeat(65) })).toMatchObject({ ok: false, refusals: [{ code: 'CATALOG_FIELD_TOO_LONG' }] });
  });
});

describeOnEngines('service items', (database) => {
  const chengdu = makeDeptCode(11, { regionCode: '510100' });
  const zigong = makeDeptCode(12, { regionCode: '510300' });

  beforeAll(async () => {
    const { db } = database();
    await seedSichuanRegions(db);
    await upsertOrg(db, { deptCode: chengdu, deptName: '成都市市场监督管理局', areaCode: '510100' }, now);
    await upsertOrg(db, { deptCode: zigong, deptName: '自贡市市场监督管理局', areaCode: '510300' }, now);
  });

  it("defaults the region to the org's and updates by taskCode", async () => {
    const { db } = database();
    const created = await upsertServiceItem(db, { taskCode: 'T-001', taskName: '食品经营许可', itemType: '01', deptCode: chengdu }, now);
    expect(created).toMatchObject({ task_code: 'T-001', item_type: '01', region_code: '510100', dept_code: chengdu });
    const updated = await upsertServiceItem(db, { taskCode: 'T-001', taskName: '食品经营许可（新办）', itemType: '1', deptCode: chengdu, areaCode: '510104' }, now);
    expect(updated).toMatchObject({ id: created.id, name: '食品经营许可（新办）', region_code: '510104' });
  });

  it('refuses unknown orgs, unknown regions and regions outside the org', async () => {
    const { db } = database();
    await expect(upsertServiceItem(db, { taskCode: 'T-002', taskName: 'x', itemType: '20', deptCode: makeDeptCode(99) }, now)).rejects.toMatchObject({ code: 'ORG_UNKNOWN', details: { field: 'deptCode' } });
    await expect(upsertServiceItem(db, { taskCode: 'T-002', taskName: 'x', itemType: '20', deptCode: chengdu, areaCode: '510199' }, now)).rejects.toMatchObject({ code: 'REGION_UNKNOWN' });
    await expect(upsertServiceItem(db, { taskCode: 'T-002', taskName: 'x', itemType: '20', deptCode: chengdu, areaCode: '510302' }, now)).rejects.toMatchObject({
      code: 'SERVICE_ITEM_REGION_OUTSIDE_ORG',
      details: { field: 'areaCode' },
    });
  });

  it('guards the item and, when it changes hands, its previous place', async () => {
    const { db } = database();
    const chengduAdmin: Caller = { kind: 'staff', accountId: 'a', username: 'cd', role: 'city_admin', regionPath: '510000/510100/', orgId: null };
    const guard = catalogWriteGuard(chengduAdmin);
    await upsertServiceItem(db, { taskCode: 'T-ZG', taskName: '自贡事项', itemType: '20', deptCode: zigong }, now);
    await expect(upsertServiceItem(db, { taskCode: 'T-ZG', taskName: '抢走', itemType: '20', deptCode: chengdu }, now, { guard })).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
    await expect(upsertServiceItem(db, { taskCode: 'T-ZG2', taskName: 'x', itemType: '20', deptCode: zigong }, now, { guard })).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
    const app: Caller = { kind: 'app', appId: 'zg-app', regionPath: '510000/510300/', orgId: null, channelProfile: 'national' };
    await expect(upsertServiceItem(db, { taskCode: 'T-ZG', taskName: '自贡事项', itemType: 'hotline', deptCode: zigong }, now, { guard: catalogWriteGuard(app) })).resolves.toMatchObject({ item_type: 'hotline' });
  });

  it('lists by scope and filters', async () => {
    const { db } = database();
    const inChengdu = await listServiceItems(db, { kind: 'region', regionPath: '510000/510100/' }, { limit: 50 });
    expect(inChengdu.map((i) => i.task_code)).toEqual(['T-001']);
    expect((await listServiceItems(db, readAll, { limit: 50, itemType: 'hotline' })).map((i) => i.task_code)).toEqual(['T-ZG']);
    expect((await listServiceItems(db, readAll, { limit: 50, deptCode: zigong })).map((i) => i.task_code)).toEqual(['T-ZG']);
    expect((await listServiceItems(db, readAll, { limit: 50, areaCode: '510104' })).map((i) => i.task_code)).toEqual(['T-001']);
    expect(await getServiceItem(db, 'T-001', { kind: 'region', regionPath: '510000/510300/' })).toBeNull();
    expect(await getServiceItem(db, 'T-001', readAll)).toMatchObject({ dept_code: chengdu });
  });
});
