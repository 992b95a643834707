import { beforeAll, describe, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import type { Caller } from '../http/caller.ts';
import { catalogWriteGuard, readAll } from './access.ts';
import { makeDeptCode } from './dept-code.ts';
import { checkOrgInput, getOrg, listOrgs, upsertOrg } from './orgs.ts';
import { seedSichuanRegions } from './regions.ts';

const now = new Date('2026-12-01T02:00:00Z');
const later = new Date('2026-12-02T02:00:00Z');

const chengduAdmin: Caller = { kind: 'staff', accountId: 'a1', username: 'cd', role: 'city_admin', regionPath: '510000/510100/', orgId: null };

describe('checkOrgInput (pure)', () => {
  it('collects every refusal of a row, naming the national field', () => {
    const checked = checkOrgInput({ deptCode: '91350100M000100Y44', deptName: ' ', kind: 'bureau', areaCode: '5101', parentDeptCode: 'x' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.refusals).toEqual([
      { code: 'ORG_DEPT_CODE_INVALID', field: 'deptCode' },
      { code: 'CATALOG_FIELD_REQUIRED', field: 'deptName' },
      { code: 'ORG_KIND_INVALID', field: 'kind' },
      { code: 'REGION_CODE_INVALID', field: 'areaCode' },
      { code: 'ORG_DEPT_CODE_INVALID', field: 'parentDeptCode' },
    ]);
  });

  it('counts characters, not UTF-16 units, and refuses control and bidi characters', () => {
    const base = { deptCode: makeDeptCode(1), areaCode: '510000' };
    expect(checkOrgInput({ ...base, deptName: '𠮷'.repeat(200) }).ok).toBe(true);
    expect(checkOrgInput({ ...base, deptName: '𠮷'.repeat(201) })).toMatchObject({ ok: false, refusals: [{ code: 'CATALOG_FIELD_TOO_LONG' }] });
    for (const name of ['成都\u0000局', '成都\n局', 'abc\u202eexe', 'a\ud800b']) {
      expect(checkOrgInput({ ...base, deptName: name }), JSON.stringify(name)).toMatchObject({ ok: false, refusals: [{ code: 'TEXT_INVALID_CHARACTERS', field: 'deptName' }] });
    }
  });
});

describeOnEngines('orgs', (database) => {
  beforeAll(async () => {
    await seedSichuanRegions(database().db);
  });

  const province = makeDeptCode(100);
  const chengdu = makeDeptCode(101, { regionCode: '510100' });
  const jinjiang = makeDeptCode(102, { regionCode: '510104' });

  it('creates an org and updates it by deptCode, keeping id and created_at', async () => {
    const { db } = database();
    const created = await upsertOrg(db, { deptCode: province, deptName: '四川省政务服务和资源交易服务中心', kind: 'center', areaCode: '510000' }, now);
    expect(created).toMatchObject({ dept_code: province, kind: 'center', region_code: '510000', parent_id: null, parent_dept_code: null });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(created.created_at.toISOString()).toBe(now.toISOString());

    const updated = await upsertOrg(db, { deptCode: ` ${province.toLowerCase()} `, deptName: ' 四川省政务服务中心 ', areaCode: '510000' }, later);
    expect(updated).toMatchObject({ id: created.id, name: '四川省政务服务中心', kind: 'department' });
    expect(updated.created_at.toISOString()).toBe(now.toISOString());
  });

  it('links parents by deptCode and refuses unknown parents and cycles', async () => {
    const { db } = database();
    const city = await upsertOrg(db, { deptCode: chengdu, deptName: '成都市政务服务管理和网络理政办公室', areaCode: '510100', parentDeptCode: province }, now);
    expect(city.parent_dept_code).toBe(province);
    await upsertOrg(db, { deptCode: jinjiang, deptName: '锦江区政务服务中心', kind: 'hall', areaCode: '510104', parentDeptCode: chengdu }, now);

    await expect(upsertOrg(db, { deptCode: makeDeptCode(9), deptName: 'x', areaCode: '510104', parentDeptCode: makeDeptCode(8) }, now)).rejects.toMatchObject({
      code: 'ORG_UNKNOWN',
      details: { field: 'parentDeptCode' },
    });
    await expect(upsertOrg(db, { deptCode: province, deptName: 'x', areaCode: '510000', parentDeptCode: province }, now)).rejects.toMatchObject({ code: 'ORG_PARENT_INVALID' });
    // province → chengdu → jinjiang; making jinjiang the province's parent closes a cycle.
    await expect(upsertOrg(db, { deptCode: province, deptName: 'x', areaCode: '510000', parentDeptCode: jinjiang }, now)).rejects.toMatchObject({
      code: 'ORG_PARENT_INVALID',
      details: { field: 'parentDeptCode' },
    });
    expect((await getOrg(db, province, readAll))?.parent_id).toBeNull();
  });

  it('refuses unknown regions and malformed codes with the field named', async () => {
    const { db } = database();
    await expect(upsertOrg(db, { deptCode: makeDeptCode(7), deptName: 'x', areaCode: '510101' }, now)).rejects.toMatchObject({ code: 'REGION_UNKNOWN', details: { field: 'areaCode' } });
    await expect(upsertOrg(db, { deptCode: '91350100M000100Y44', deptName: 'x', areaCode: '510104' }, now)).rejects.toMatchObject({ code: 'ORG_DEPT_CODE_INVALID', details: { field: 'deptCode' } });
  });

  it('stores hostile strings verbatim', async () => {
    const { db } = database();
    const name = `'; DROP TABLE org; -- <script>alert(1)</script> "${'\\'}"`;
    const org = await upsertOrg(db, { deptCode: makeDeptCode(200), deptName: name, areaCode: '510104' }, now);
    expect(org.name).toBe(name);
    expect((await getOrg(db, makeDeptCode(200), readAll))?.name).toBe(name);
  });

  it('asks the guard about the target and, when moving, the place left', async () => {
    const { db } = database();
    const guard = catalogWriteGuard(chengduAdmin);
    const code = makeDeptCode(300);
    await upsertOrg(db, { deptCode: code, deptName: '青羊区某局', areaCode: '510105' }, now, { guard });
    await expect(upsertOrg(db, { deptCode: makeDeptCode(301), deptName: '自贡某局', areaCode: '510300' }, now, { guard })).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
    // A Mianyang org cannot be pulled into Chengdu by a Chengdu admin.
    const mianyang = makeDeptCode(302);
    await upsertOrg(db, { deptCode: mianyang, deptName: '涪城区某局', areaCode: '510703' }, now);
    await expect(upsertOrg(db, { deptCode: mianyang, deptName: '涪城区某局', areaCode: '510104' }, now, { guard })).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
    expect((await getOrg(db, mianyang, readAll))?.region_code).toBe('510703');
    const supervisor: Caller = { ...chengduAdmin, role: 'supervisor' };
    expect(() => catalogWriteGuard(supervisor)).toThrow(expect.objectContaining({ code: 'AUTH_FORBIDDEN' }));
  });

  it('lists within the reader scope, by region subtree, by parent, page by page', async () => {
    const { db } = database();
    const all = await listOrgs(db, readAll, { limit: 100 });
    const inChengdu = await listOrgs(db, { kind: 'region', regionPath: '510000/510100/' }, { limit: 100 });
    expect(inChengdu.map((o) => o.region_code).every((c) => c.startsWith('5101'))).toBe(true);
    expect(inChengdu.length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeGreaterThan(inChengdu.length);
    expect(await listOrgs(db, { kind: 'none' }, { limit: 100 })).toEqual([]);
    const own = await listOrgs(db, { kind: 'org', orgId: inChengdu[0]?.id ?? '' }, { limit: 100 });
    expect(own.map((o) => o.id)).toEqual([inChengdu[0]?.id]);
    expect((await listOrgs(db, readAll, { limit: 100, areaCode: '510104' })).every((o) => o.region_code === '510104')).toBe(true);
    expect((await listOrgs(db, readAll, { limit: 100, parentDeptCode: chengdu })).map((o) => o.dept_code)).toEqual([jinjiang]);
    expect(await listOrgs(db, readAll, { limit: 100, areaCode: '999999' })).toEqual([]);

    const first = await listOrgs(db, readAll, { limit: 2 });
    const second = await listOrgs(db, readAll, { limit: 100, after: first[1]?.id });
    expect([...first, ...second].map((o) => o.id)).toEqual(all.map((o) => o.id));
    expect(await getOrg(db, chengdu, { kind: 'region', regionPath: '510000/510300/' })).toBeNull();
  });
});
