// The risk engine (pure): a batch of fresh ratings, the ratings around them in time, and the
// policy in force give each fresh rating a score and readable reasons. Every path (rating link,
// poster, hall device, integrator, SMS reply, IVR) goes through the same detectors; what differs
// by path is only which keys a rating has (an app, a device, a browser install, a network, a
// phone). A detector that finds a group (a cluster) names every member, so ratings assessed
// earlier that turn out to belong to it are returned as escalations.
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { combinedScore, type RiskPolicy } from './policy.ts';
import { abusiveWordsIn, hammingDistance, textFingerprint, type TextFingerprint } from './text.ts';

export const RATING_PATHS = ['link', 'poster', 'kiosk', 'integrator', 'sms', 'ivr'] as const;
export type RatingPath = (typeof RATING_PATHS)[number];

/** What the engine knows of one rating. Keys are opaque (keyed hashes where personal). */
export interface RatingFacts {
  id: string;
  /** When the rater rated. */
  at: Date;
  level: number;
  comment: string | null;
  isDefault: boolean;
  path: RatingPath;
  /** The integrator app, or our own page, hotline or device source. */
  source: string;
  deviceId: string | null;
  installKey: string | null;
  networkKey: string | null;
  phoneKey: string | null;
  caseId: string | null;
  caseStageId: string | null;
  orgId: string;
  windowId: string | null;
  staffId: string | null;
  /** When the rated stage was completed, if a stage was rated. */
  completedAt: Date | null;
  /** The rater showed a right to rate (a signed link, a code, a device push, a phone, an app vouching); false at a poster's own rating. */
  proven: boolean;
}

export const REASON_CODES = [
  'near_duplicate_text',
  'machine_speed',
  'fast_after_completion',
  'uniform_timing',
  'phone_velocity',
  'install_velocity',
  'network_concentration',
  'target_surge',
  'abusive_language',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface RiskReason {
  code: ReasonCode;
  weight: number;
  /** Figures a reviewer reads: how many, within how long, which words. */
  detail: Record<string, number | string>;
}

export interface Assessment {
  evaluationId: string;
  score: number;
  reasons: RiskReason[];
}

export interface EngineResult {
  assessments: Assessment[];
  /** Ratings assessed before that belong to a group found now: the reasons found now. */
  escalations: Array<{ evaluationId: string; reasons: RiskReason[] }>;
}

/** A rating's most specific target: the staff member, else the window, else the org. */
export function targetKeyOf(r: RatingFacts): string {
  return r.staffId !== null ? `staff:${r.staffId}` : r.windowId !== null ? `window:${r.windowId}` : `org:${r.orgId}`;
}

/** Who made it, as far as the path tells: the app, the device, the browser (or network), the phone. */
export function sourceKeyOf(r: RatingFacts): string | null {
  switch (r.path) {
    case 'integrator':
      return `app:${r.source}`;
    case 'kiosk':
      return `device:${r.deviceId ?? r.source}`;
    case 'link':
    case 'poster':
      return r.installKey !== null ? `install:${r.installKey}` : r.networkKey !== null ? `net:${r.networkKey}` : null;
    case 'sms':
    case 'ivr':
      return r.phoneKey !== null ? `phone:${r.phoneKey}` : null;
  }
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const within = (anchor: RatingFacts, windowMs: number) => (r: RatingFacts) => Math.abs(r.at.getTime() - anchor.at.getTime()) <= windowMs;
const delaySeconds = (r: RatingFacts) => (r.completedAt === null ? null : (r.at.getTime() - r.completedAt.getTime()) / 1000);
const WEB_PATHS: ReadonlySet<RatingPath> = new Set(['link', 'poster']);
const isExtreme = (level: number) => level === 5 || BAD_LEVELS.has(level);

/** Assess `fresh` against the ratings around them (`history` may include them; duplicates are ignored). */
export function assessRatings(fresh: readonly RatingFacts[], history: readonly RatingFacts[], policy: RiskPolicy): EngineResult {
  const freshIds = new Set(fresh.map((r) => r.id));
  const byId = new Map<string, RatingFacts>();
  for (const r of [...history, ...fresh]) if (!r.isDefault) byId.set(r.id, r);
  const all = [...byId.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  const anchors = all.filter((r) => freshIds.has(r.id));
  const found = new Map<string, Map<ReasonCode, RiskReason>>();
  const note = (ids: Iterable<string>, reason: RiskReason) => {
    for (const id of ids) {
      const reasons = found.get(id) ?? new Map<ReasonCode, RiskReason>();
      const before = reasons.get(reason.code);
      if (!before || before.weight < reason.weight) reasons.set(reason.code, reason);
      found.set(id, reasons);
    }
  };
  const anchorsIn = (group: readonly RatingFacts[]) => group.filter((r) => freshIds.has(r.id));

  // Near-duplicate distinctive text, on one target (many hands, one script) or from one source.
  const prints = new Map<string, TextFingerprint>();
  for (const r of all) {
    const print = textFingerprint(r.comment);
    if (print) prints.set(r.id, print);
  }
  const withText = all.filter((r) => prints.has(r.id));
  for (const [scope, keyOf] of [['target', targetKeyOf], ['source', sourceKeyOf]] as const) {
    for (const group of groupBy(withText, keyOf).values()) {
      for (const anchor of anchorsIn(group)) {
        const print = prints.get(anchor.id) as TextFingerprint;
        const members = group.filter(within(anchor, policy.text.windowHours * HOUR)).filter((r) => hammingDistance(print, prints.get(r.id) as TextFingerprint) <= policy.text.maxDistance);
        if (members.length >= policy.text.clusterSize) {
          note(members.map((m) => m.id), { code: 'near_duplicate_text', weight: policy.text.weight, detail: { scope, count: members.length, hours: policy.text.windowHours } });
        }
      }
    }
  }

  // Machine speed: rated sooner after completion than a person can read the screen.
  for (const group of groupBy(all, sourceKeyOf).values()) {
    const fast = group.filter((r) => {
      const delay = delaySeconds(r);
      return delay !== null && delay < policy.speed.minHumanSeconds;
    });
    for (const anchor of anchorsIn(fast)) {
      const members = fast.filter(within(anchor, policy.speed.windowMinutes * MINUTE));
      if (members.length >= policy.speed.clusterSize) {
        note(members.map((m) => m.id), { code: 'machine_speed', weight: policy.speed.weight, detail: { count: members.length, seconds: policy.speed.minHumanSeconds, minutes: policy.speed.windowMinutes } });
      } else {
        note([anchor.id], { code: 'fast_after_completion', weight: policy.speed.singleWeight, detail: { seconds: Math.round(delaySeconds(anchor) as number) } });
      }
    }
  }

  // Uniform timing: one source rates one target at one level, always the same while after completion.
  for (const group of groupBy(all, (r) => {
    const source = sourceKeyOf(r);
    return source === null ? null : `${source}|${targetKeyOf(r)}|${r.level}`;
  }).values()) {
    for (const anchor of anchorsIn(group)) {
      if (!isExtreme(anchor.level) || delaySeconds(anchor) === null) continue;
      const members = group.filter(within(anchor, policy.timing.windowMinutes * MINUTE)).filter((r) => delaySeconds(r) !== null);
      if (members.length < policy.timing.clusterSize) continue;
      const delays = members.map((m) => delaySeconds(m) as number);
      const spread = Math.max(...delays) - Math.min(...delays);
      if (spread <= policy.timing.maxDelaySpreadSeconds) {
        note(members.map((m) => m.id), { code: 'uniform_timing', weight: policy.timing.weight, detail: { count: members.length, spread: Math.round(spread), minutes: policy.timing.windowMinutes } });
      }
    }
  }

  // One phone across many cases (any channel, any org).
  for (const group of groupBy(all, (r) => r.phoneKey).values()) {
    for (const anchor of anchorsIn(group)) {
      const near = group.filter(within(anchor, policy.phone.windowHours * HOUR));
      const bad = near.filter((r) => BAD_LEVELS.has(r.level));
      const badCases = new Set(bad.map((r) => r.caseId ?? r.id));
      if (BAD_LEVELS.has(anchor.level) && badCases.size >= policy.phone.badCases) {
        note(bad.map((m) => m.id), { code: 'phone_velocity', weight: policy.phone.weight, detail: { cases: badCases.size, bad: 1, hours: policy.phone.windowHours } });
      }
      const cases = new Set(near.map((r) => r.caseId ?? r.id));
      if (cases.size >= policy.phone.anyCases) {
        note(near.map((m) => m.id), { code: 'phone_velocity', weight: policy.phone.weight, detail: { cases: cases.size, bad: 0, hours: policy.phone.windowHours } });
      }
    }
  }

  // One browser install rating many stages or places.
  for (const group of groupBy(all, (r) => r.installKey).values()) {
    for (const anchor of anchorsIn(group)) {
      const near = group.filter(within(anchor, policy.install.windowMinutes * MINUTE));
      const subjects = new Set(near.map((r) => r.caseStageId ?? targetKeyOf(r)));
      if (subjects.size >= policy.install.subjects) {
        note(near.map((m) => m.id), { code: 'install_velocity', weight: policy.install.weight, detail: { subjects: subjects.size, minutes: policy.install.windowMinutes } });
      }
    }
  }

  // One network rating one target again and again (fresh installs or none), on the web paths: a
  // hall device's address is the hall's, and the device is its source.
  for (const group of groupBy(all, (r) => (r.networkKey === null || !WEB_PATHS.has(r.path) ? null : `${r.networkKey}|${targetKeyOf(r)}`)).values()) {
    for (const anchor of anchorsIn(group)) {
      const near = group.filter(within(anchor, policy.network.windowMinutes * MINUTE));
      if (near.length >= policy.network.perTarget) {
        note(near.map((m) => m.id), { code: 'network_concentration', weight: policy.network.weight, detail: { count: near.length, minutes: policy.network.windowMinutes } });
      }
    }
  }

  // A surge (a change point): one window or staff member suddenly rated at one extreme level through
  // one path, far above what it got that way per window over the look-back before. Per path, so
  // that honest ratings arriving by other paths in the same hour are not swept in.
  for (const group of groupBy(all, (r) => (r.staffId === null && r.windowId === null ? null : `${targetKeyOf(r)}|${r.level}|${r.path}`)).values()) {
    for (const anchor of anchorsIn(group)) {
      if (!isExtreme(anchor.level)) continue;
      const windowMs = policy.surge.windowMinutes * MINUTE;
      const near = group.filter(within(anchor, windowMs));
      const start = anchor.at.getTime() - windowMs;
      const before = group.filter((r) => r.at.getTime() < start && r.at.getTime() >= anchor.at.getTime() - policy.lookbackHours * HOUR).length;
      const baseline = (before * policy.surge.windowMinutes) / (policy.lookbackHours * 60 - policy.surge.windowMinutes);
      if (near.length >= policy.surge.perTarget && near.length >= policy.surge.baselineFactor * baseline) {
        // A surge alone holds the ratings nobody proved a right to give (a poster's own rating);
        // proven ones in the same hour are shown to reviewers with a lighter weight.
        const detail = { count: near.length, level: anchor.level, minutes: policy.surge.windowMinutes };
        note(near.filter((m) => !m.proven).map((m) => m.id), { code: 'target_surge', weight: policy.surge.weight, detail });
        note(near.filter((m) => m.proven).map((m) => m.id), { code: 'target_surge', weight: policy.surge.provenWeight, detail });
      }
    }
  }

  // Insults in a 差评 aimed at one person.
  for (const anchor of anchors) {
    if (!BAD_LEVELS.has(anchor.level) || anchor.staffId === null) continue;
    const words = abusiveWordsIn(anchor.comment);
    if (words.length > 0) note([anchor.id], { code: 'abusive_language', weight: policy.abuse.weight, detail: { words: words.join('、') } });
  }

  const reasonsOf = (id: string) => [...(found.get(id)?.values() ?? [])].sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code));
  const assessments = fresh.map((r) => {
    const reasons = r.isDefault ? [] : reasonsOf(r.id);
    return { evaluationId: r.id, score: roundScore(combinedScore(reasons.map((x) => x.weight))), reasons };
  });
  const escalations = [...found.keys()].filter((id) => !freshIds.has(id)).map((id) => ({ evaluationId: id, reasons: reasonsOf(id) }));
  return { assessments, escalations };
}

export const roundScore = (score: number) => Math.round(score * 1000) / 1000;

/** Reasons known before and found now, one per code (the heavier one). */
export function mergeReasons(before: readonly RiskReason[], now: readonly RiskReason[]): RiskReason[] {
  const merged = new Map<ReasonCode, RiskReason>();
  for (const reason of [...before, ...now]) {
    const known = merged.get(reason.code);
    if (!known || known.weight < reason.weight) merged.set(reason.code, reason);
  }
  return [...merged.values()].sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code));
}
