// The labelled traffic of the fraud benchmark (pure, seeded): honest ratings over simulated days
// (office hours, every path, a realistic mix of levels, stock praise and distinctive comments,
// citizens sharing hall Wi-Fi and carrier NAT, honest agents rating many cases, a genuinely bad
// day for one staff member) and the attacks issue 13 names, each rating labelled with its scenario.
import type { RatingPath } from '../../src/risk/engine.ts';

export const SCENARIOS = ['integrator_burst', 'kiosk_press', 'phone_bad_burst', 'poster_flood', 'proxy_pool', 'abusive_staff'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** A place in the simulated province: orgs, their windows, and the staff at each window. */
export interface World {
  orgs: Array<{ key: string; windows: Array<{ key: string; staff: string[] }> }>;
}

export interface PlannedRating {
  /** 'honest' or the attack it belongs to. */
  label: 'honest' | Scenario;
  path: RatingPath;
  /** For integrator ratings: sent alone or in a batch. */
  batch: boolean;
  /** When the rater rated (ms since epoch); the stage was completed `delayMs` before. */
  at: number;
  delayMs: number;
  level: 1 | 2 | 3 | 4 | 5;
  comment: string | null;
  org: string;
  window: string;
  staff: string;
  /** Simulated client address (web paths) and browser install id (null: storage cleared or none). */
  address: string | null;
  installId: string | null;
  /** The rater's phone (links with a phone, SMS, IVR); null when anonymous. */
  phone: string | null;
  /** The integrator app or hall device that sends it. */
  sender: string;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STOCK = ['工作人员很耐心', '服务态度很好，非常满意', '办事效率高，点赞', '很方便，一次办好', '热情周到', '非常满意', '方便快捷', '很好，谢谢'];
const SUBJECTS = ['社保卡', '营业执照', '不动产登记', '公积金提取', '户口迁移', '医保报销', '出生证明', '车辆年检', '税务登记', '居住证'];
const DETAILS = ['材料一次就说清楚了', '帮我填好了表格', '午休时间也给我办了', '主动提醒我带复印件', '帮我查到了老档案', '电话预约后直接办理', '告诉我可以网上办', '帮老人讲了好几遍'];
const COMPLAINTS = ['排队等了两个小时', '窗口只开了一个', '系统一直卡住办不了', '让我跑了三趟', '材料要求前后说法不一', '态度很不耐烦', '电话一直打不通', '说好的时间没办完'];
const INSULTS = ['你就是个废物', '这种人渣也配当公务员', '脑残一个，去死吧'];

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

function honestLevel(rnd: () => number): 1 | 2 | 3 | 4 | 5 {
  const x = rnd();
  return x < 0.8 ? 5 : x < 0.9 ? 4 : x < 0.94 ? 3 : x < 0.97 ? 2 : 1;
}

function honestComment(rnd: () => number, level: number): string | null {
  const x = rnd();
  if (level >= 4) return x < 0.45 ? pick(rnd, STOCK) : x < 0.6 ? `办${pick(rnd, SUBJECTS)}，${pick(rnd, DETAILS)}，第${Math.floor(rnd() * 900 + 100)}号` : null;
  if (level === 3) return x < 0.5 ? `${pick(rnd, SUBJECTS)}办好了，不过${pick(rnd, COMPLAINTS)}` : null;
  return x < 0.85 ? `${pick(rnd, SUBJECTS)}：${pick(rnd, COMPLAINTS)}，${pick(rnd, COMPLAINTS)}（${Math.floor(rnd() * 90 + 10)}日）` : null;
}

/** A moment in the office hours (Beijing 9:00–12:00, 14:00–17:30) of the day starting at `dayStart` (Beijing midnight). */
function officeMoment(rnd: () => number, dayStart: number): number {
  const minutes = rnd() < 0.5 ? 9 * 60 + rnd() * 180 : 14 * 60 + rnd() * 210;
  return dayStart + minutes * 60_000 + Math.floor(rnd() * 60_000);
}

export interface TrafficOptions {
  seed: number;
  /** First simulated day, Beijing midnight as UTC ms. */
  start: number;
  days: number;
  honestPerDay: number;
  /** Ratings per attack scenario. */
  perScenario: number;
}

export function makeWorld(orgs: number, windowsPerOrg: number, staffPerWindow: number): World {
  return {
    orgs: Array.from({ length: orgs }, (_, o) => ({
      key: `org${o}`,
      windows: Array.from({ length: windowsPerOrg }, (_, w) => ({ key: `org${o}-w${w}`, staff: Array.from({ length: staffPerWindow }, (_, s) => `org${o}-w${w}-s${s}`) })),
    })),
  };
}

const DAY = 86_400_000;

export function planTraffic(world: World, options: TrafficOptions): PlannedRating[] {
  const rnd = prng(options.seed);
  const ratings: PlannedRating[] = [];
  const carrierNats = Array.from({ length: 12 }, (_, i) => `100.${64 + i}.${Math.floor(rnd() * 250)}`);
  const hallWifi = new Map(world.orgs.map((o, i) => [o.key, `192.0.${2 + i}`]));
  const agents = Array.from({ length: 4 }, (_, i) => `1391000${String(i).padStart(4, '0')}`);
  let person = 0;
  const places = world.orgs.flatMap((o) => o.windows.flatMap((w) => w.staff.map((s) => ({ org: o.key, window: w.key, staff: s }))));
  const badDayStaff = places[0] as (typeof places)[number];

  for (let day = 0; day < options.days; day++) {
    const dayStart = options.start + day * DAY;
    for (let k = 0; k < options.honestPerDay; k++) {
      person += 1;
      const place = pick(rnd, places);
      const level = honestLevel(rnd);
      const x = rnd();
      const path: RatingPath = x < 0.28 ? 'link' : x < 0.58 ? 'integrator' : x < 0.73 ? 'kiosk' : x < 0.83 ? 'sms' : x < 0.9 ? 'ivr' : 'poster';
      const at = officeMoment(rnd, dayStart);
      const delayMs =
        path === 'kiosk' ? 6000 + rnd() * 80_000
        : path === 'integrator' ? 120_000 + rnd() * DAY
        : path === 'ivr' ? 60_000 + rnd() * 3_600_000
        : path === 'sms' ? DAY + 2 * 3_600_000 + rnd() * DAY
        : path === 'poster' ? 60_000 + rnd() * 600_000
        : 600_000 + rnd() * 2 * DAY;
      const web = path === 'link' || path === 'poster';
      const agent = path === 'link' && rnd() < 0.02 ? pick(rnd, agents) : null;
      const onHallWifi = path === 'poster' || (path === 'link' && rnd() < 0.2);
      const phone = agent ?? (path === 'sms' || path === 'ivr' || (web && rnd() < 0.3) ? `138${String(person).padStart(8, '0')}` : null);
      ratings.push({
        label: 'honest',
        path,
        batch: path === 'integrator' && rnd() < 0.5,
        at,
        delayMs: Math.floor(delayMs),
        level,
        comment: path === 'sms' || path === 'ivr' ? null : honestComment(rnd, level),
        ...place,
        address: web ? `${onHallWifi ? hallWifi.get(place.org) : pick(rnd, carrierNats)}.${Math.floor(rnd() * 250) + 2}` : null,
        installId: web && rnd() < 0.85 ? `install-${String(person).padStart(10, '0')}` : null,
        phone,
        sender: path === 'integrator' ? (rnd() < 0.5 ? 'city-a' : 'city-b') : path === 'kiosk' ? `${place.window}-device` : '',
      });
    }
    // A genuinely bad day: one staff member gets several honest 差评, by different people and paths.
    if (day === 0) {
      for (let k = 0; k < 6; k++) {
        person += 1;
        ratings.push({
          label: 'honest', path: k % 2 === 0 ? 'link' : 'integrator', batch: false, at: dayStart + (9 * 60 + k * 40) * 60_000, delayMs: 900_000 + k * 60_000,
          level: k % 3 === 0 ? 1 : 2, comment: `${pick(rnd, SUBJECTS)}：${COMPLAINTS[k % COMPLAINTS.length]}，今天第${k + 1}次来`, ...badDayStaff,
          address: k % 2 === 0 ? `${pick(rnd, carrierNats)}.${k + 10}` : null, installId: k % 2 === 0 ? `install-bad-day-${k}-000000` : null, phone: `137${String(person).padStart(8, '0')}`, sender: k % 2 === 0 ? '' : 'city-a',
        });
      }
    }
  }

  // The attacks, on the middle day, each aimed at its own staff member.
  const attackDay = options.start + Math.floor(options.days / 2) * DAY;
  const n = options.perScenario;
  const victim = (i: number) => places[(places.length - 1 - i) % places.length] as (typeof places)[number];
  const t0 = attackDay + 10 * 3_600_000; // 10:00 Beijing
  const attack = (label: Scenario, i: number, fields: Partial<PlannedRating> & Pick<PlannedRating, 'path' | 'at' | 'level'>): PlannedRating => ({
    label, batch: false, delayMs: 60_000, comment: null, ...victim(SCENARIOS.indexOf(label)), address: null, installId: null, phone: null, sender: '', ...fields,
  });
  for (let i = 0; i < n; i++) {
    // An integrator's batch: five stars 30–90 s after each completion, one comment for all.
    ratings.push(attack('integrator_burst', i, { path: 'integrator', batch: true, at: t0 + i * 45_000, delayMs: 30_000 + Math.floor(rnd() * 60_000), level: 5, comment: '王科长业务精通讲解清楚主动帮我们解决了大难题', sender: 'city-a' }));
    // Staff press five stars on the hall device 1–3 s after each push.
    ratings.push(attack('kiosk_press', i, { path: 'kiosk', at: t0 + i * 150_000, delayMs: 1000 + Math.floor(rnd() * 2000), level: 5, sender: `${victim(SCENARIOS.indexOf('kiosk_press')).window}-device` }));
    // One phone gives 差评 across many cases by IVR within minutes.
    ratings.push(attack('phone_bad_burst', i, { path: 'ivr', at: t0 + i * 5_000, delayMs: 3_600_000 + i * 60_000, level: 1, phone: '13666666666' }));
    // One person floods a staff poster with 差评 from one network, clearing the browser each time.
    ratings.push(attack('poster_flood', i, { path: 'poster', at: t0 + i * 60_000, level: 1, comment: i % 3 === 0 ? '服务太差' : null, address: `203.0.113.${10 + (i % 5)}`, installId: null }));
    // Five stars from rotating proxies in many networks, fresh installs each time.
    ratings.push(attack('proxy_pool', i, { path: 'poster', at: t0 + i * 90_000, level: 5, comment: i % 2 === 0 ? pick(rnd, STOCK) : null, address: `198.${18 + (i % 2)}.${i}.7`, installId: `install-proxy-${String(i).padStart(8, '0')}` }));
    // Insults aimed at one staff member (a few, by different people).
    if (i < Math.max(3, Math.floor(n / 10))) {
      ratings.push(attack('abusive_staff', i, { path: 'link', at: t0 + i * 3_600_000, delayMs: 3_600_000, level: 1, comment: INSULTS[i % INSULTS.length] as string, address: `${pick(rnd, carrierNats)}.${i + 30}`, installId: `install-abuse-${i}-0000000` }));
    }
  }
  return ratings.sort((a, b) => a.at - b.at);
}
