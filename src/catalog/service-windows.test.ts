import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { readAll } from './access.ts';
import { makeDeptCode } from './dept-code.ts';
import { upsertOrg } from './orgs.ts';
import { seedSichuanRegions } from './regions.ts';
import { listServiceWindows, upsertServiceWindow } from './service-windows.ts';

const now = new Date('2026-12-01T02:00:00Z');

describeOnEngines('service windows', (database) => {
  const hall = makeDeptCode(21, { regionCode: '510104' });
  const other = makeDeptCode(22, { regionCode: '510105' });

  beforeAll(async () => {
    const { db } = database();
    await seedSichuanRegions(db);
    await upsertOrg(db, { deptCode: hall, deptName: '锦江区政务服务中心', kind: 'hall', areaCode: '510104' }, now);
    await upsertOrg(db, { deptCode: other, deptName: '青羊区政务服务中心', kind: 'hall', areaCode: '510105' }, now);
  });

  it('upserts windows by (org, windowCode); the same code may exist in another org', async () => {
    const { db } = database();
    const w1 = await upsertServiceWindow(db, { deptCode: hall, windowCode: 'A01', windowName: '综合受理1号窗口' }, now);
    const again = await upsertServiceWindow(db, { deptCode: hall, windowCode: 'A01', windowName: '综合受理窗口（一）' }, now);
    expect(again).toMatchObject({ id: w1.id, name: '综合受理窗口（一）', dept_code: hall });
    const elsewhere = await upsertServiceWindow(db, { deptCode: other, windowCode: 'A01', windowName: '一号窗口' }, now);
    expect(elsewhere.id).not.toBe(w1.id);
    await expect(upsertServiceWindow(db, { deptCode: makeDeptCode(23), windowCode: 'A01', windowName: 'x' }, now)).rejects.toMatchObject({ code: 'ORG_UNKNOWN' });
    await expect(upsertServiceWindow(db, { deptCode: hall, windowCode: 'A 01', windowName: 'x' }, now)).rejects.toMatchObject({ code: 'CATALOG_CODE_INVALID', details: { field: 'windowCode' } });
  });

  it('lists windows within the scope', async () => {
    const { db } = database();
    const jinjiang = { kind: 'region', regionPath: '510000/510100/510104/' } as const;
    expect((await listServiceWindows(db, jinjiang, { limit: 10 })).map((w) => w.dept_code)).toEqual([hall]);
    expect((await listServiceWindows(db, readAll, { limit: 10, deptCode: other })).map((w) => w.name)).toEqual(['一号窗口']);
    expect(await listServiceWindows(db, { kind: 'none' }, { limit: 10 })).toEqual([]);
  });
});
