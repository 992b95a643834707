import { beforeAll, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { readAll } from './access.ts';
import { makeDeptCode } from './dept-code.ts';
import { upsertOrg } from './orgs.ts';
import { seedSichuanRegions } from './regions.ts';
import { upsertServiceWindow } from './service-windows.ts';
import { listStaff, upsertStaff } from './staff.ts';

const now = new Date('2026-12-01T02:00:00Z');

describeOnEngines('staff', (database) => {
  const hall = makeDeptCode(21, { regionCode: '510104' });
  const other = makeDeptCode(22, { regionCode: '510105' });

  beforeAll(async () => {
    const { db } = database();
    await seedSichuanRegions(db);
    await upsertOrg(db, { deptCode: hall, deptName: '锦江区政务服务中心', kind: 'hall', areaCode: '510104' }, now);
    await upsertOrg(db, { deptCode: other, deptName: '青羊区政务服务中心', kind: 'hall', areaCode: '510105' }, now);
    await upsertServiceWindow(db, { deptCode: hall, windowCode: 'A01', windowName: '综合受理1号窗口' }, now);
    await upsertServiceWindow(db, { deptCode: other, windowCode: 'A01', windowName: '一号窗口' }, now);
  });

  it('upserts staff by (org, staffNo), with a window of the same org or none', async () => {
    const { db } = database();
    const s = await upsertStaff(db, { deptCode: hall, staffNo: '0007', staffName: '张三', windowCode: 'A01' }, now);
    expect(s).toMatchObject({ staff_no: '0007', window_code: 'A01', dept_code: hall });
    expect(s.window_id).not.toBeNull();
    const moved = await upsertStaff(db, { deptCode: hall, staffNo: '0007', staffName: '张三', windowCode: '' }, now);
    expect(moved).toMatchObject({ id: s.id, window_id: null, window_code: null });
    await expect(upsertStaff(db, { deptCode: hall, staffNo: '0008', staffName: '李四', windowCode: 'B09' }, now)).rejects.toMatchObject({ code: 'WINDOW_UNKNOWN', details: { field: 'windowCode' } });
    await expect(upsertStaff(db, { deptCode: hall, staffNo: '0008', staffName: '' }, now)).rejects.toMatchObject({ code: 'CATALOG_FIELD_REQUIRED', details: { field: 'staffName' } });
  });

  it('lists staff within the scope', async () => {
    const { db } = database();
    await upsertStaff(db, { deptCode: other, staffNo: '1', staffName: '王五', windowCode: 'A01' }, now);
    const jinjiang = { kind: 'region', regionPath: '510000/510100/510104/' } as const;
    expect((await listStaff(db, jinjiang, { limit: 10 })).map((s) => s.name)).toEqual(['张三']);
    const atA01 = await listStaff(db, readAll, { limit: 10, windowCode: 'A01' });
    expect(atA01.map((s) => [s.dept_code, s.window_code])).toEqual([[other, 'A01']]);
    expect(await listStaff(db, { kind: 'none' }, { limit: 10 })).toEqual([]);
  });
});
