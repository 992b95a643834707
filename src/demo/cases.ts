// Service cases (办件) over the simulated months: how they arrive (hall, online, hotline), their
// stages and who handled them, when each stage was completed, and the applicant.
import { makeDeptCode } from '../catalog/dept-code.ts';
import { residentIdIsValid } from '../pii/person.ts';
import { STAGE_NAMES } from './content.ts';
import { chineseName, mobileNumber, residentId, type DemoPerson } from './people.ts';
import { idAt, type CountyPlan, type ItemPlan, type OrgPlan, type Province, type StaffPlan, type WindowPlan } from './province.ts';
import { CumulativeSampler, type Random } from './random.ts';
import { beijingDate8, DAY, intoOfficeHours, MINUTE, TimeSampler, type Mode } from './time.ts';

/** Where a stage is handled, which decides the rating channels and the indicator set. */
export type Setting = 'hall' | 'office' | 'online' | 'hotline';

export interface StagePlan {
  id: string;
  serviceNumber: number;
  name: string;
  org: OrgPlan;
  window: WindowPlan | null;
  staff: StaffPlan | null;
  status: 1 | 2 | 3;
  completedAt: number | null;
  setting: Setting;
  /** How likely a completed stage is to be rated, relative to others. */
  rateWeight: number;
}

export interface CasePlan {
  id: string;
  projectNo: string;
  item: ItemPlan;
  regionCode: string;
  proStatus: 1 | 2 | 3;
  createdAt: number;
  acceptAt: number | null;
  resultAt: number | null;
  promiseAt: number | null;
  updatedAt: number;
  userProp: number;
  applicant: DemoPerson;
  stages: StagePlan[];
}

interface CasePlanning {
  random: Random;
  start: number;
  end: number;
  samplers: Record<Mode, TimeSampler>;
  people: DemoPerson[];
  regionCodes: string[];
}

function newApplicant(planning: CasePlanning, regionCode: string, enterprise: boolean): DemoPerson {
  const { random } = planning;
  if (!enterprise && planning.people.length > 50 && random.chance(0.12)) return random.pick(planning.people);
  const person: DemoPerson = { name: chineseName(random), phone: mobileNumber(random) };
  if (enterprise) {
    // The enterprise's own 统一社会信用代码 as certificate; skipped when it would read as a bad resident ID.
    const code = makeDeptCode(random.int(1, 99_999_999), { prefix: '91', regionCode });
    if (!/^\d{17}[\dX]$/.test(code) || residentIdIsValid(code)) person.certNo = code;
  } else if (random.chance(0.45)) {
    const home = random.chance(0.75) ? regionCode : random.pick(planning.regionCodes);
    person.certNo = residentId(random, home.length === 6 && home !== '510000' ? home : '510104');
  }
  if (!enterprise) planning.people.push(person);
  return person;
}

function pickWindowAndStaff(random: Random, county: CountyPlan, departmentKey: string | null, role: 'accept' | 'pickup'): { window: WindowPlan; staff: StaffPlan } | null {
  const options: Array<readonly [WindowPlan, number]> = [];
  for (const window of county.windows) {
    if (window.staff.length === 0) continue;
    if (role === 'pickup') {
      if (window.role === 'pickup') options.push([window, 1]);
    } else if (window.role === 'comprehensive') options.push([window, 1]);
    else if (window.role === 'special' && window.departmentKey === departmentKey) options.push([window, 3]);
    else if (window.role === 'assisted') options.push([window, 0.3]);
  }
  if (options.length === 0) return null;
  const window = random.weighted(options);
  return { window, staff: random.pick(window.staff) };
}

/** A stage as drafted, before the period's end decides whether it is done. */
export type StageDraft = Omit<StagePlan, 'id' | 'serviceNumber' | 'status'> & { completedAt: number };

/** A stage at a window of the county's hall (or at the item's org where there is no hall). */
function hallStage(random: Random, item: ItemPlan, name: string, completedAt: number, role: 'accept' | 'pickup'): StageDraft {
  const county = item.county;
  const chosen = county ? pickWindowAndStaff(random, county, item.department.template?.key ?? null, role) : null;
  return { name, org: county?.hall ?? item.org, window: chosen?.window ?? null, staff: chosen?.staff ?? null, completedAt, setting: 'hall', rateWeight: 1 };
}

/** When back-office processing of `days` promised days, started at `from`, is done: mostly in time, a few late. */
function processed(random: Random, from: number, days: number): number {
  const share = random.chance(0.05) ? random.between(1.0, 1.4) : random.between(0.15, 0.95);
  return intoOfficeHours(random, from + Math.max(0.2, days * share) * DAY);
}

export interface CaseDraft {
  /** When the applicant was accepted (in the hall, minutes after taking a number). */
  accepted: number;
  enterprise: boolean;
  stages: StageDraft[];
}

/** A case's applicant kind and stages for one mode of handling, created at `createdAt` (shared with the scoring bench's data). */
export function draftCase(random: Random, province: Province, item: ItemPlan, mode: Mode, createdAt: number): CaseDraft {
  const template = item.template;
  const county = item.county;
  const enterprise = random.chance(template.enterprise);
  const pd = template.promiseDays;
  const stages: StageDraft[] = [];

  // In the hall the applicant takes a number first and is accepted at the window minutes later.
  const accepted = mode === 'hall' ? createdAt + random.int(3, 25) * MINUTE : createdAt;
  if (mode === 'hall') {
    const shape = pd === 0 ? 1 : random.weighted([[1, 0.15], [2, 0.55], [3, 0.3]] as const);
    if (shape === 1) {
      stages.push(hallStage(random, item, STAGE_NAMES.instant, pd === 0 ? accepted + random.int(2, 30) * MINUTE : processed(random, accepted, pd), 'accept'));
    } else {
      stages.push(hallStage(random, item, STAGE_NAMES.accept, accepted, 'accept'));
      const reviewed = processed(random, accepted, shape === 2 ? pd : pd * 0.8);
      stages.push({ name: shape === 2 ? STAGE_NAMES.review : STAGE_NAMES.reviewOnly, org: item.org, window: null, staff: null, completedAt: reviewed, setting: 'office', rateWeight: shape === 2 ? 1 : 0.35 });
      if (shape === 3) stages.push(hallStage(random, item, STAGE_NAMES.pickup, intoOfficeHours(random, reviewed + random.between(0.3, 6) * DAY), 'pickup'));
    }
  } else if (mode === 'online') {
    if (pd === 0) {
      stages.push({ name: STAGE_NAMES.online, org: item.org, window: null, staff: null, completedAt: createdAt + random.int(2, 120) * MINUTE, setting: 'online', rateWeight: 1 });
    } else if (random.chance(0.6)) {
      stages.push({ name: STAGE_NAMES.online, org: item.org, window: null, staff: null, completedAt: processed(random, createdAt, pd), setting: 'online', rateWeight: 1 });
    } else {
      const checked = intoOfficeHours(random, createdAt + random.between(0.05, 1.5) * DAY);
      stages.push({ name: STAGE_NAMES.preReview, org: item.org, window: null, staff: null, completedAt: checked, setting: 'online', rateWeight: 0.4 });
      stages.push({ name: STAGE_NAMES.review, org: item.org, window: null, staff: null, completedAt: processed(random, checked, pd), setting: 'online', rateWeight: 1 });
    }
  } else {
    const handlers = county ? county.departments.map((d) => d.org) : province.provincial.slice(1).map((d) => d.org);
    const handler = handlers.length > 0 ? random.pick(handlers) : item.org;
    stages.push({ name: STAGE_NAMES.hotlineAccept, org: item.org, window: null, staff: null, completedAt: createdAt + random.int(1, 8) * MINUTE, setting: 'hotline', rateWeight: 0.15 });
    stages.push({ name: STAGE_NAMES.hotlineHandle, org: handler, window: null, staff: null, completedAt: processed(random, createdAt, random.between(0.5, pd)), setting: 'hotline', rateWeight: 1 });
  }

  return { accepted, enterprise, stages };
}

function planCase(planning: CasePlanning, item: ItemPlan, province: Province): CasePlan {
  const { random } = planning;
  const template = item.template;
  const county = item.county;
  const mode: Mode = template.type === 'hotline' ? 'hotline' : county !== null && random.chance(template.inPerson) ? 'hall' : 'online';
  const createdAt = planning.samplers[mode].sample(random);
  const regionCode = item.org.regionCode;
  const { accepted, enterprise, stages } = draftCase(random, province, item, mode, createdAt);

  // Stages done before the end are completed; the first one after it is in progress, later ones wait.
  const latest = planning.end - 5 * MINUTE;
  let open = false;
  const planned: StagePlan[] = [];
  for (let index = 0; index < stages.length; index++) {
    const stage = stages[index];
    if (!stage) continue;
    const done = !open && stage.completedAt <= latest;
    const status: 1 | 2 | 3 = done ? 3 : open ? 1 : 2;
    if (!done) open = true;
    planned.push({
      id: '',
      serviceNumber: index + 1,
      name: stage.name,
      org: stage.org,
      window: stage.window,
      staff: stage.staff,
      status,
      completedAt: done ? stage.completedAt : null,
      setting: stage.setting,
      rateWeight: stage.rateWeight,
    });
  }
  // Some recent online applications still wait to be accepted (待受理).
  const waiting = mode === 'online' && createdAt > planning.end - 2 * DAY && random.chance(0.3);
  if (waiting) for (const stage of planned) Object.assign(stage, { status: 1, completedAt: null });
  const completedTimes = planned.map((s) => s.completedAt).filter((t): t is number => t !== null);
  const allDone = planned.every((s) => s.status === 3);
  const acceptAt = waiting ? null : Math.min(accepted, completedTimes[0] ?? Number.POSITIVE_INFINITY, latest);
  return {
    id: '',
    projectNo: '',
    item,
    regionCode,
    proStatus: waiting ? 1 : allDone ? 3 : 2,
    createdAt,
    acceptAt,
    resultAt: allDone ? (completedTimes.at(-1) ?? null) : null,
    promiseAt: waiting || template.promiseDays === 0 ? null : (acceptAt ?? createdAt) + template.promiseDays * DAY,
    updatedAt: Math.max(createdAt, ...completedTimes),
    userProp: enterprise ? 2 : 1,
    applicant: newApplicant(planning, regionCode, enterprise),
    stages: planned,
  };
}

export interface CaseTargets {
  /** Completed stages wanted (rated or not). */
  completedStages: number;
}

/**
 * Cases until there are `completedStages` completed stages, then numbered in order of creation:
 * projectNo `{region}-{yyyyMMdd}-{sequence per region and day}`, ids time-ordered likewise.
 */
export function planCases(random: Random, province: Province, regionCodes: string[], start: number, end: number, targets: CaseTargets): CasePlan[] {
  // Provincial units handle about 3 % of the cases; the counties the rest, by their size.
  const itemSampler = new CumulativeSampler<ItemPlan>();
  const countyItemWeight = province.items.reduce((sum, i) => sum + (i.county ? i.county.volume * i.template.volume : 0), 0);
  const provincialTemplateWeight = province.items.reduce((sum, i) => sum + (i.county ? 0 : i.template.volume), 0);
  const provincialScale = provincialTemplateWeight > 0 ? ((0.03 / 0.97) * Math.max(countyItemWeight, 1)) / provincialTemplateWeight : 0;
  for (const item of province.items) itemSampler.add(item, item.template.volume * (item.county ? item.county.volume : provincialScale));

  const planning: CasePlanning = {
    random,
    start,
    end,
    samplers: { hall: new TimeSampler('hall', start, end - 30 * MINUTE), online: new TimeSampler('online', start, end - 10 * MINUTE), hotline: new TimeSampler('hotline', start, end - 10 * MINUTE) },
    people: [],
    regionCodes,
  };
  const cases: CasePlan[] = [];
  let completed = 0;
  while (completed < targets.completedStages || cases.length === 0) {
    const kase = planCase(planning, itemSampler.sample(random), province);
    cases.push(kase);
    for (const stage of kase.stages) if (isRateable(stage, end)) completed++;
    if (cases.length > targets.completedStages * 3 + 1000) break;
  }

  cases.sort((a, b) => a.createdAt - b.createdAt);
  const sequences = new Map<string, number>();
  for (const kase of cases) {
    const key = `${kase.regionCode}-${beijingDate8(kase.acceptAt ?? kase.createdAt)}`;
    const sequence = (sequences.get(key) ?? 0) + 1;
    sequences.set(key, sequence);
    kase.projectNo = `${key}-${String(sequence).padStart(6, '0')}`;
    kase.id = idAt(random, kase.createdAt);
    for (const stage of kase.stages) stage.id = idAt(random, kase.createdAt);
  }
  return cases;
}

/** A stage completed long enough before the end to be rated. */
export function isRateable(stage: StagePlan, end: number): boolean {
  return stage.completedAt !== null && stage.completedAt < end - 10 * MINUTE;
}
