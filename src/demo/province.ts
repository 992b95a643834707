// The demo province: provincial units, and per county a 政务服务中心 with windows and staff and
// 3–6 departments with their service items. Quality differs between counties, orgs and staff, so
// that rankings built on the ratings later look real.
import { UUID } from 'uuidv7';
import { makeDeptCode } from '../catalog/dept-code.ts';
import { DEMO_MARKER_DEPT_CODE } from './constants.ts';
import { COUNTY_DEPARTMENTS, HALL_ITEMS, HALL_WINDOW_NAMES, PROVINCIAL_DEPARTMENTS, type DepartmentTemplate, type ItemTemplate } from './content.ts';
import { chineseName } from './people.ts';
import type { Random } from './random.ts';

export interface OrgPlan {
  id: string;
  deptCode: string;
  name: string;
  kind: 'department' | 'hall' | 'center';
  regionCode: string;
  /** Multiplies the chance of a bad rating: below 1 better than average, above 1 worse. */
  quality: number;
}

export interface StaffPlan {
  id: string;
  orgId: string;
  windowId: string;
  staffNo: string;
  name: string;
  quality: number;
}

export interface WindowPlan {
  id: string;
  orgId: string;
  code: string;
  name: string;
  role: 'comprehensive' | 'pickup' | 'assisted' | 'special';
  departmentKey: string | null;
  staff: StaffPlan[];
}

export interface DepartmentPlan {
  org: OrgPlan;
  template: DepartmentTemplate | null;
}

export interface CountyPlan {
  code: string;
  name: string;
  cityCode: string;
  cityName: string;
  hall: OrgPlan;
  departments: DepartmentPlan[];
  windows: WindowPlan[];
  volume: number;
}

export interface ItemPlan {
  id: string;
  taskCode: string;
  name: string;
  type: string;
  org: OrgPlan;
  department: DepartmentPlan;
  template: ItemTemplate;
  county: CountyPlan | null;
}

/** A uuidv7 made of the simulated time and the seeded generator: time-ordered and reproducible. */
export function idAt(random: Random, ms: number): string {
  return UUID.fromFieldsV7(Math.max(0, Math.floor(ms)), random.int(0, 0xfff), random.uint32() & 0x3fffffff, random.uint32()).toString();
}

/** Log-normal with mean 1: the spread of quality between units. */
export function qualityFactor(random: Random, sigma: number): number {
  return Math.exp(sigma * random.gauss() - (sigma * sigma) / 2);
}

export interface RegionRow {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
}

const CITY_WEIGHTS: Record<string, number> = {
  '510100': 3, // 成都
  '510600': 1.4, // 德阳
  '510700': 1.5, // 绵阳
  '511300': 1.3, // 南充
  '511500': 1.3, // 宜宾
  '510500': 1.2, // 泸州
  '510300': 1.0,
  '513200': 0.45, // 阿坝
  '513300': 0.45, // 甘孜
  '513400': 0.7, // 凉山
};

function chooseCounties(random: Random, regions: RegionRow[], perCity: number | 'all'): Array<{ county: RegionRow; city: RegionRow }> {
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const groups = new Map<string, RegionRow[]>();
  for (const region of regions) {
    if (region.level !== 3 || region.parent_code === null) continue;
    const list = groups.get(region.parent_code) ?? [];
    list.push(region);
    groups.set(region.parent_code, list);
  }
  const chosen: Array<{ county: RegionRow; city: RegionRow }> = [];
  for (const parentCode of [...groups.keys()].sort()) {
    const city = byCode.get(parentCode);
    const counties = groups.get(parentCode) ?? [];
    if (!city) continue;
    const picked = perCity === 'all' ? counties : random.shuffle(counties).slice(0, perCity).sort((a, b) => a.code.localeCompare(b.code));
    // A county directly under the province has the province as its "city"; names then need no city.
    for (const county of picked) chosen.push({ county, city });
  }
  return chosen;
}

function isUrbanChengduDistrict(code: string): boolean {
  return code.startsWith('5101') && Number(code.slice(4)) < 20;
}

export interface Province {
  orgs: OrgPlan[];
  items: ItemPlan[];
  windows: WindowPlan[];
  staff: StaffPlan[];
  counties: CountyPlan[];
  provincial: DepartmentPlan[];
}

export function planProvince(random: Random, regions: RegionRow[], perCity: number | 'all', createdAt: number): Province {
  const orgs: OrgPlan[] = [];
  const items: ItemPlan[] = [];
  const windows: WindowPlan[] = [];
  const staff: StaffPlan[] = [];
  const counties: CountyPlan[] = [];
  const provincial: DepartmentPlan[] = [];
  let taskSerial = 0;

  const newOrg = (name: string, kind: OrgPlan['kind'], regionCode: string, deptCode: string, quality: number): OrgPlan => {
    const org: OrgPlan = { id: idAt(random, createdAt), deptCode, name, kind, regionCode, quality };
    orgs.push(org);
    return org;
  };
  const newItem = (template: ItemTemplate, department: DepartmentPlan, county: CountyPlan | null) => {
    taskSerial++;
    const typeDigits = template.type === 'hotline' ? '99' : template.type;
    // Like an 事项实施编码: implementing org's code, item type, catalogue number, version.
    const taskCode = `${department.org.deptCode}${typeDigits}${String(taskSerial).padStart(6, '0')}000`;
    items.push({ id: idAt(random, createdAt), taskCode, name: template.name, type: template.type, org: department.org, department, template, county });
  };

  PROVINCIAL_DEPARTMENTS.forEach((template, index) => {
    const deptCode = index === 0 ? DEMO_MARKER_DEPT_CODE : makeDeptCode(90000000 + index, { prefix: template.prefix, regionCode: '510000' });
    const org = newOrg(template.name, template.kind, '510000', deptCode, qualityFactor(random, 0.3));
    const department: DepartmentPlan = { org, template: null };
    provincial.push(department);
    for (const itemTemplate of template.items) newItem(itemTemplate, department, null);
  });

  for (const { county, city } of chooseCounties(random, regions, perCity)) {
    const countyQuality = qualityFactor(random, 0.6);
    const cityName = city.level === 2 ? city.name : '';
    const orgQuality = () => countyQuality * qualityFactor(random, 0.25);
    const hall = newOrg(`${county.name}政务服务中心`, 'hall', county.code, makeDeptCode(90000001, { prefix: '12', regionCode: county.code }), orgQuality());
    const volume = (CITY_WEIGHTS[city.code] ?? 1) * (isUrbanChengduDistrict(county.code) ? 1.6 : 1) * random.between(0.5, 1.5);
    const plan: CountyPlan = { code: county.code, name: county.name, cityCode: city.code, cityName, hall, departments: [], windows: [], volume };
    counties.push(plan);

    const hallDepartment: DepartmentPlan = { org: hall, template: null };
    for (const template of HALL_ITEMS) if (template.core || random.chance(0.6)) newItem(template, hallDepartment, plan);

    const always = COUNTY_DEPARTMENTS.filter((d) => d.always);
    const others = random.shuffle(COUNTY_DEPARTMENTS.filter((d) => !d.always));
    const count = random.int(3, 6);
    const templates = [...always, ...others.slice(0, Math.max(0, count - always.length))];
    templates.forEach((template) => {
      const index = COUNTY_DEPARTMENTS.indexOf(template);
      const org = newOrg(template.name(county.name, cityName), 'department', county.code, makeDeptCode(90000010 + index, { prefix: template.prefix, regionCode: county.code }), orgQuality());
      const department: DepartmentPlan = { org, template };
      plan.departments.push(department);
      for (const itemTemplate of template.items) if (itemTemplate.core || random.chance(0.6)) newItem(itemTemplate, department, plan);
    });

    // Windows of the hall: comprehensive windows, pickup, assisted service, and a few 专窗.
    const addWindow = (name: string, role: WindowPlan['role'], departmentKey: string | null) => {
      const code = String(plan.windows.length + 1).padStart(2, '0');
      const window: WindowPlan = { id: idAt(random, createdAt), orgId: hall.id, code, name, role, departmentKey, staff: [] };
      plan.windows.push(window);
      windows.push(window);
    };
    const comprehensive = random.int(3, 7);
    for (let n = 1; n <= comprehensive; n++) addWindow(HALL_WINDOW_NAMES.comprehensive(n), 'comprehensive', null);
    addWindow(HALL_WINDOW_NAMES.pickup, 'pickup', null);
    if (random.chance(0.7)) addWindow(HALL_WINDOW_NAMES.assisted, 'assisted', null);
    for (const department of plan.departments) {
      if (department.template && random.chance(0.35)) addWindow(HALL_WINDOW_NAMES.special(department.template.short), 'special', department.template.key);
    }
    let staffNo = 0;
    for (const window of plan.windows) {
      const people = window.role === 'comprehensive' ? random.int(1, 2) : 1;
      for (let k = 0; k < people; k++) {
        staffNo++;
        // Most staff do well; a few draw many complaints.
        const quality = random.chance(0.06) ? random.between(2, 3.5) : qualityFactor(random, 0.35);
        const member: StaffPlan = { id: idAt(random, createdAt), orgId: hall.id, windowId: window.id, staffNo: `${county.code}${String(staffNo).padStart(3, '0')}`, name: chineseName(random), quality };
        window.staff.push(member);
        staff.push(member);
      }
    }
  }
  return { orgs, items, windows, staff, counties, provincial };
}
