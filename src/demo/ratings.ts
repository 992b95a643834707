// Ratings of the cases: which completed stages are rated (about 85 %), through which channel,
// when, how (level, indicators, comment), by whom (or anonymously); follow-ups (追评) on earlier
// ratings, and system defaults when the configuration has them.
import type { Config } from '../config/config.ts';
import type { Channel } from '../evaluations/channels.ts';
import type { EvaluationDraft } from '../evaluations/draft.ts';
import type { IndicatorCatalogue, IndicatorOption } from '../evaluations/indicators.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { isRateable, type CasePlan, type Setting, type StagePlan } from './cases.ts';
import { BAD_COMMENTS, commentTheme, FOLLOW_UP_COMMENTS, GOOD_COMMENTS, MIDDLING_COMMENTS } from './content.ts';
import type { DemoPerson } from './people.ts';
import type { Random } from './random.ts';
import { beijingMidnight, DAY, HOUR, MINUTE } from './time.ts';

export interface PlannedEvaluation {
  draft: EvaluationDraft;
  receivedAt: number;
  /** The flush that stores it must happen no later than this (end of window plus sync grace). */
  deadline: number;
}

export const CHANNEL_MIX: Record<Setting, ReadonlyArray<readonly [Channel, number]>> = {
  hall: [['hall_tablet', 0.62], ['qr', 0.18], ['hall_terminal', 0.06], ['mobile', 0.07], ['sms', 0.07]],
  office: [['mobile', 0.45], ['sms', 0.35], ['pc', 0.2]],
  online: [['pc', 0.38], ['mobile', 0.52], ['sms', 0.1]],
  hotline: [['hotline', 0.7], ['sms', 0.3]],
};

// People rate more kindly face to face than by SMS or on the phone afterwards.
export const CHANNEL_CANDOUR: Record<Channel, number> = { hall_tablet: 0.75, qr: 0.9, hall_terminal: 0.9, mobile: 1.05, pc: 1.05, sms: 1.35, hotline: 1.6, system: 1 };

export const ANONYMOUS_SHARE: Record<Channel, number> = { hall_tablet: 0.2, qr: 0.15, hall_terminal: 0.15, mobile: 0.04, pc: 0.04, sms: 0.02, hotline: 0.06, system: 0 };

function sampleLevel(random: Random, badness: number): number {
  const p1 = 0.02 * badness;
  const p2 = 0.03 * badness;
  const p3 = 0.07 * Math.sqrt(badness);
  const p4 = 0.2;
  const p5 = Math.max(0.05, 1 - p1 - p2 - p3 - p4);
  return random.weighted([[1, p1], [2, p2], [3, p3], [4, p4], [5, p5]] as const);
}

/** Delay between completing a stage and rating it, by channel. */
export function ratingDelay(random: Random, channel: Channel): number {
  switch (channel) {
    case 'hall_tablet':
      return random.int(10, 180) * 1000;
    case 'hall_terminal':
      return random.int(2, 20) * MINUTE;
    case 'qr':
      return random.chance(0.7) ? random.int(1, 15) * MINUTE : random.int(15, 240) * MINUTE;
    case 'mobile':
    case 'pc': {
      const u = random.next();
      if (u < 0.5) return random.int(5, 180) * MINUTE;
      if (u < 0.85) return random.between(3 * HOUR, 3 * DAY);
      return random.between(3 * DAY, 28 * DAY);
    }
    case 'sms':
      // The invitation goes out three days after completion; some reply to the completion notice.
      return random.chance(0.7) ? 3 * DAY + random.between(0, 2 * DAY) : random.between(HOUR, 3 * DAY);
    case 'hotline':
      return random.between(HOUR, 3 * DAY);
    case 'system':
      return 0;
  }
}

/**
 * People rate from their phones and PCs in waking hours, and hotline callbacks happen in the
 * daytime: a time in the small hours moves to the morning (the hall channels are used on the spot).
 */
export function awake(random: Random, channel: Channel, ms: number): number {
  if (channel === 'hall_tablet' || channel === 'hall_terminal' || channel === 'qr' || channel === 'system') return ms;
  const day = beijingMidnight(ms);
  const hour = (ms - day) / HOUR;
  const opens = channel === 'hotline' ? 9 : 7;
  const closes = channel === 'hotline' ? 21 : 24;
  if (hour >= opens && hour < closes) return ms;
  const morning = hour < opens ? day : day + DAY;
  return morning + opens * HOUR + Math.floor(random.next() * 2 * HOUR);
}

/** Delay between rating and the record reaching the province, by channel. */
function transmissionDelay(random: Random, channel: Channel): number {
  if (channel === 'sms') return random.int(10, 900) * 1000;
  if (channel === 'hotline') return random.int(30, 600) * 1000;
  return random.int(1, 20) * 1000;
}

/** Indicators per level that fit an online or an offline (hall, hotline) rating. */
export interface IndicatorPools {
  online: Map<number, IndicatorOption[]>;
  offline: Map<number, IndicatorOption[]>;
}

export function indicatorPools(options: readonly IndicatorOption[]): IndicatorPools {
  const pools: IndicatorPools = { online: new Map(), offline: new Map() };
  for (const level of [1, 2, 3, 4, 5]) {
    const forLevel = options.filter((o) => o.levels.includes(level));
    const specific = (scope: 'online' | 'offline') => {
      const matching = forLevel.filter((o) => o.scope === scope || o.scope === 'any');
      return matching.length > 0 ? matching : forLevel;
    };
    pools.online.set(level, specific('online'));
    pools.offline.set(level, specific('offline'));
  }
  return pools;
}

export function chooseIndicators(random: Random, pools: IndicatorPools, setting: Setting, level: number): IndicatorOption[] {
  const pool = (setting === 'hall' || setting === 'hotline' ? pools.offline : pools.online).get(level) ?? [];
  const bad = BAD_LEVELS.has(level);
  const wanted = bad ? (random.chance(0.7) ? 1 : 2) : level === 3 ? (random.chance(0.6) ? random.int(1, 2) : 0) : random.chance(0.5) ? random.int(1, 3) : 0;
  // The specific problems come before 其他问题 (509) and the catch-all 'any' codes.
  const weighted = pool.map((option) => [option, option.scope === 'any' ? 0.35 : 1] as const);
  const chosen: IndicatorOption[] = [];
  while (chosen.length < Math.min(wanted, pool.length)) {
    const option = random.weighted(weighted.filter(([o]) => !chosen.includes(o)));
    chosen.push(option);
  }
  return chosen.sort((a, b) => a.code.localeCompare(b.code));
}

function chooseComment(random: Random, setting: Setting, level: number, indicators: IndicatorOption[]): string | null {
  if (BAD_LEVELS.has(level)) {
    if (!random.chance(0.75)) return null;
    const theme = indicators.length > 0 ? commentTheme(random.pick(indicators).nameZh) : 'other';
    return random.pick(BAD_COMMENTS[theme] ?? BAD_COMMENTS.other ?? ['希望改进']);
  }
  if (level === 3) return random.chance(0.35) ? random.pick(MIDDLING_COMMENTS) : null;
  const praise = GOOD_COMMENTS[setting === 'hall' || setting === 'hotline' ? 'offline' : 'online'];
  return random.chance(level === 5 ? 0.15 : 0.2) ? random.pick(praise[level === 5 ? 5 : 4]) : null;
}

function raterOf(random: Random, person: DemoPerson, channel: Channel): EvaluationDraft['rater'] {
  const phoneOnly = (channel === 'sms' || channel === 'hotline') && random.chance(0.5);
  return {
    name: phoneOnly ? undefined : person.name,
    phone: person.phone,
    certNo: !phoneOnly && person.certNo !== undefined && random.chance(0.4) ? person.certNo : undefined,
  };
}

interface RatedStage {
  kase: CasePlan;
  stage: StagePlan;
  assessedAt: number;
  level: number;
  anonymous: boolean;
  rater: EvaluationDraft['rater'];
}

interface EvaluationPlanning {
  random: Random;
  config: Config;
  pools: IndicatorPools;
  indicatorVersion: string;
  end: number;
}

function windowEnd(config: Config, completedAt: number): number {
  return completedAt + config.rules.ratingWindowDays * DAY;
}

function deadlineOf(config: Config, completedAt: number): number {
  return windowEnd(config, completedAt) + config.rules.syncGraceDays * DAY;
}

function clientId(projectNo: string, serviceNumber: number, assessNumber: number): string {
  return `demo:${projectNo}#${serviceNumber}#${assessNumber}`;
}

function planFirstRating(planning: EvaluationPlanning, kase: CasePlan, stage: StagePlan): { evaluation: PlannedEvaluation; rated: RatedStage } {
  const { random, config } = planning;
  const completedAt = stage.completedAt ?? 0;
  const latest = Math.min(windowEnd(config, completedAt) - 30 * MINUTE, planning.end - 2 * MINUTE);
  const channel = random.weighted(CHANNEL_MIX[stage.setting]);
  let assessedAt = awake(random, channel, completedAt + ratingDelay(random, channel));
  if (assessedAt > latest) assessedAt = completedAt + MINUTE + Math.floor(random.next() * Math.max(0, latest - completedAt - MINUTE));
  const badness = stage.org.quality * (stage.staff?.quality ?? 1) * CHANNEL_CANDOUR[channel];
  const level = sampleLevel(random, badness);
  const indicators = chooseIndicators(random, planning.pools, stage.setting, level);
  const comment = chooseComment(random, stage.setting, level, indicators);
  const anonymous = random.chance(ANONYMOUS_SHARE[channel]);
  const rater = anonymous ? null : raterOf(random, kase.applicant, channel);
  const receivedAt = Math.min(assessedAt + transmissionDelay(random, channel), planning.end);
  const draft: EvaluationDraft = {
    clientId: clientId(kase.projectNo, stage.serviceNumber, 1),
    derivedKey: false,
    projectNo: kase.projectNo,
    serviceNumber: stage.serviceNumber,
    assessNumber: 1,
    level,
    indicatorVersion: planning.indicatorVersion,
    indicatorCodes: indicators.map((i) => i.code),
    comment,
    channel,
    isDefault: false,
    isAnonymous: anonymous,
    assessedAt: new Date(assessedAt),
    userProp: anonymous ? null : kase.userProp,
    rater,
  };
  return { evaluation: { draft, receivedAt, deadline: deadlineOf(config, completedAt) }, rated: { kase, stage, assessedAt, level, anonymous, rater } };
}

/** The earliest a follow-up comes after the first rating (a day and a bit: the unit has had time to answer). */
const FOLLOW_UP_GAP = 26 * HOUR;

function followUpRoom(planning: EvaluationPlanning, rated: RatedStage): number {
  const latest = Math.min(windowEnd(planning.config, rated.stage.completedAt ?? 0) - 30 * MINUTE, planning.end - 2 * MINUTE);
  return latest - (rated.assessedAt + FOLLOW_UP_GAP);
}

function planFollowUp(planning: EvaluationPlanning, rated: RatedStage): PlannedEvaluation {
  const { random, config } = planning;
  const room = followUpRoom(planning, rated);
  const channel = random.weighted([['mobile', 0.5], ['sms', 0.3], ['pc', 0.2]] as const);
  const earliest = rated.assessedAt + FOLLOW_UP_GAP;
  let assessedAt = awake(random, channel, earliest + Math.floor(random.next() * Math.min(room, 10 * DAY)));
  if (assessedAt > earliest + room) assessedAt = earliest + Math.floor(random.next() * room);
  let level: number;
  let comment: string | null;
  if (BAD_LEVELS.has(rated.level)) {
    const outcome = random.weighted([['resolved', 0.5], ['middling', 0.3], ['unresolved', 0.2]] as const);
    level = outcome === 'resolved' ? random.pick([4, 5, 5]) : outcome === 'middling' ? 3 : random.pick([...BAD_LEVELS]);
    comment = random.chance(0.75) ? random.pick(outcome === 'unresolved' ? FOLLOW_UP_COMMENTS.unresolved : FOLLOW_UP_COMMENTS.resolved) : null;
  } else {
    level = rated.level === 3 ? random.pick([3, 4, 5]) : random.chance(0.8) ? rated.level : random.pick([3, 4, 5]);
    comment = random.chance(0.6) ? random.pick(FOLLOW_UP_COMMENTS.neutral) : null;
  }
  const indicators = chooseIndicators(random, planning.pools, rated.stage.setting, level);
  if (BAD_LEVELS.has(level) && comment === null) comment = chooseComment(random, rated.stage.setting, level, indicators);
  const draft: EvaluationDraft = {
    clientId: clientId(rated.kase.projectNo, rated.stage.serviceNumber, 2),
    derivedKey: false,
    projectNo: rated.kase.projectNo,
    serviceNumber: rated.stage.serviceNumber,
    assessNumber: 2,
    level,
    indicatorVersion: planning.indicatorVersion,
    indicatorCodes: indicators.map((i) => i.code),
    comment,
    channel,
    isDefault: false,
    isAnonymous: rated.anonymous,
    assessedAt: new Date(assessedAt),
    userProp: rated.anonymous ? null : rated.kase.userProp,
    rater: rated.rater,
  };
  return { draft, receivedAt: Math.min(assessedAt + transmissionDelay(random, channel), planning.end), deadline: deadlineOf(config, rated.stage.completedAt ?? 0) };
}

function planSystemDefault(planning: EvaluationPlanning, kase: CasePlan, stage: StagePlan, afterMs: number): PlannedEvaluation {
  const completedAt = stage.completedAt ?? 0;
  const assessedAt = completedAt + afterMs;
  const draft: EvaluationDraft = {
    clientId: clientId(kase.projectNo, stage.serviceNumber, 1),
    derivedKey: false,
    projectNo: kase.projectNo,
    serviceNumber: stage.serviceNumber,
    assessNumber: 1,
    level: planning.config.rules.systemDefault.level,
    indicatorVersion: planning.indicatorVersion,
    indicatorCodes: [],
    comment: null,
    channel: 'system',
    isDefault: true,
    isAnonymous: false,
    assessedAt: new Date(assessedAt),
    userProp: null,
    rater: null,
  };
  return { draft, receivedAt: Math.min(assessedAt + planning.random.int(1, 60) * 1000, planning.end), deadline: deadlineOf(planning.config, completedAt) };
}

/** Weighted sampling without replacement (Efraimidis–Spirakis): the `count` items with the largest u^(1/w). */
function sampleWithout<T>(random: Random, items: readonly T[], weight: (item: T) => number, count: number): T[] {
  const keyed = items.map((item) => ({ item, key: Math.log(1 - random.next()) / Math.max(1e-9, weight(item)) }));
  keyed.sort((a, b) => b.key - a.key);
  return keyed.slice(0, count).map((k) => k.item);
}

export interface RatingTargets {
  firsts: number;
  followUps: number;
  systemDefaults: number;
}

export function planEvaluations(random: Random, config: Config, catalogue: IndicatorCatalogue, cases: CasePlan[], end: number, targets: RatingTargets): PlannedEvaluation[] {
  const options = [...(catalogue.versions.get(catalogue.current)?.values() ?? [])];
  const planning: EvaluationPlanning = { random, config, pools: indicatorPools(options), indicatorVersion: catalogue.current, end };
  const completed: Array<{ kase: CasePlan; stage: StagePlan }> = [];
  for (const kase of cases) for (const stage of kase.stages) if (isRateable(stage, end)) completed.push({ kase, stage });
  const chosen = sampleWithout(random, completed, (c) => c.stage.rateWeight, targets.firsts);
  const chosenIds = new Set(chosen.map((c) => c.stage.id));
  // Rate in a stable order (by stage id), so the random draws do not depend on the sampling order.
  chosen.sort((a, b) => (a.stage.id < b.stage.id ? -1 : 1));
  const planned: PlannedEvaluation[] = [];
  const rated: RatedStage[] = [];
  for (const { kase, stage } of chosen) {
    const first = planFirstRating(planning, kase, stage);
    planned.push(first.evaluation);
    rated.push(first.rated);
  }
  // Follow-ups mostly come after a bad rating, once the unit has answered.
  const followable = rated.filter((r) => followUpRoom(planning, r) > HOUR);
  for (const r of sampleWithout(random, followable, (x) => (BAD_LEVELS.has(x.level) ? 8 : x.level === 3 ? 3 : 1), targets.followUps)) planned.push(planFollowUp(planning, r));
  if (targets.systemDefaults > 0) {
    const afterMs = Math.min(config.rules.systemDefault.afterDays * DAY, config.rules.ratingWindowDays * DAY - HOUR);
    const unrated = completed.filter((c) => !chosenIds.has(c.stage.id) && (c.stage.completedAt ?? end) + afterMs <= end - MINUTE);
    for (const { kase, stage } of random.shuffle(unrated).slice(0, targets.systemDefaults)) planned.push(planSystemDefault(planning, kase, stage, afterMs));
  }
  return planned;
}
