// The rules of the hotline channel, as pure functions: what an SMS reply says, when the
// invitation to rate may go out, and the texts the platform sends. See docs/hotline.md.
import { addDays } from '../clock.ts';
import type { Scope } from '../auth/policy.ts';
import type { QuietHours } from '../config/config.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';

/** The source app of the links and evaluations the hotline makes. */
export const HOTLINE_SOURCE = 'hcp-hotline';

/** The indicator a 差评 by SMS or key press carries: 其他问题 (scope any); details may follow through the link. */
export const HOTLINE_BAD_INDICATOR = '509';

/** The gateway or IVR app that called a webhook, and the region it may act on. */
export interface HotlineSource extends Scope {
  appId: string;
}

export type SmsReply = { kind: 'level'; level: 1 | 2 | 3 | 4 | 5 } | { kind: 'unsubscribe' } | { kind: 'unknown' };

const LEVEL_WORDS: ReadonlyMap<string, 1 | 2 | 3 | 4 | 5> = new Map([
  ['1', 1],
  ['2', 2],
  ['3', 3],
  ['4', 4],
  ['5', 5],
  ['非常不满意', 1],
  ['不满意', 2],
  ['基本满意', 3],
  ['满意', 4],
  ['非常满意', 5],
]);

// The usual opt-out words of Chinese SMS (运营商退订指令).
const UNSUBSCRIBE_WORDS: ReadonlySet<string> = new Set(['T', 'TD', '退订']);

// Spaces, punctuation (ASCII and CJK), symbols (～, emoji), combining marks (the keycap of 5️⃣) and
// invisible format characters such as zero-width spaces.
const NOISE = /[\p{P}\p{S}\p{M}\p{Z}\p{Cc}\p{Cf}]/gu;

/**
 * What an SMS reply means. The whole text counts, after width folding (NFKC: '２' is '2') and with
 * spaces and punctuation removed, so '满意' inside '不满意' or '非常满意' never matches by itself.
 */
export function parseSmsReply(text: string): SmsReply {
  const folded = text.normalize('NFKC').replace(NOISE, '').toUpperCase();
  const level = LEVEL_WORDS.get(folded);
  if (level !== undefined) return { kind: 'level', level };
  if (UNSUBSCRIBE_WORDS.has(folded)) return { kind: 'unsubscribe' };
  return { kind: 'unknown' };
}

const BEIJING_OFFSET_MS = 8 * 3600_000;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** The end of the quiet hours `now` falls in (Beijing time), or null when it falls in none. */
export function quietHoursEnd(now: Date, quiet: QuietHours | null): Date | null {
  if (quiet === null) return null;
  const local = now.getTime() + BEIJING_OFFSET_MS;
  const midnight = Math.floor(local / DAY_MS) * DAY_MS;
  const hour = (local - midnight) / HOUR_MS;
  const { startHour, endHour } = quiet;
  const inside = startHour < endHour ? hour >= startHour && hour < endHour : hour >= startHour || hour < endHour;
  if (!inside) return null;
  // Quiet hours across midnight end tomorrow when they started today.
  const endDay = startHour > endHour && hour >= startHour ? midnight + DAY_MS : midnight;
  return new Date(endDay + endHour * HOUR_MS - BEIJING_OFFSET_MS);
}

export interface InvitationSettings {
  inviteAfterDays: number;
  quietHours: QuietHours | null;
  ratingWindowDays: number;
}

/** What the invitation job knows about the stage when it runs. */
export interface InvitationFacts {
  /** Null while the stage is not completed. */
  completedAt: Date | null;
  hasPhone: boolean;
  optedOut: boolean;
  invited: boolean;
  rated: boolean;
}

export type SkipReason = 'invited' | 'rated' | 'not_completed' | 'no_phone' | 'opted_out' | 'window_closed';

export type InvitationPlan = { kind: 'skip'; reason: SkipReason } | { kind: 'wait'; until: Date } | { kind: 'send'; windowClosesAt: Date };

export function invitationDueAt(completedAt: Date, settings: Pick<InvitationSettings, 'inviteAfterDays'>): Date {
  return addDays(completedAt, settings.inviteAfterDays);
}

/** Whether to send the invitation now, later (and when), or never. */
export function planInvitation(facts: InvitationFacts, now: Date, settings: InvitationSettings): InvitationPlan {
  if (facts.invited) return { kind: 'skip', reason: 'invited' };
  if (facts.rated) return { kind: 'skip', reason: 'rated' };
  if (facts.completedAt === null) return { kind: 'skip', reason: 'not_completed' };
  if (!facts.hasPhone) return { kind: 'skip', reason: 'no_phone' };
  if (facts.optedOut) return { kind: 'skip', reason: 'opted_out' };
  const windowClosesAt = addDays(facts.completedAt, settings.ratingWindowDays);
  const due = invitationDueAt(facts.completedAt, settings);
  const earliest = due.getTime() > now.getTime() ? due : now;
  const send = quietHoursEnd(earliest, settings.quietHours) ?? earliest;
  if (send.getTime() >= windowClosesAt.getTime()) return { kind: 'skip', reason: 'window_closed' };
  if (send.getTime() > now.getTime()) return { kind: 'wait', until: send };
  return { kind: 'send', windowClosesAt };
}

// Texts. The sign (【…】) comes first, as Chinese carriers require; the instructions are the same
// in every message that asks for a reply.
const SIGN = '【政务服务好差评】';
export const REPLY_INSTRUCTIONS = '回复数字评价：5非常满意 4满意 3基本满意 2不满意 1非常不满意';

/** At most `max` characters, with an ellipsis when cut (names can be long; SMS are paid by length). */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function invitationText(facts: { orgName: string; itemName: string; shortUrl: string }): string {
  return `${SIGN}您在${clip(facts.orgName, 20)}办理的“${clip(facts.itemName, 20)}”已办结，请对服务作出评价。${REPLY_INSTRUCTIONS}，或点击链接评价：${facts.shortUrl}`;
}

export function thanksText(facts: { level: number; levelName: string; receiptNo: string; replyDays: number; shortUrl: string; receiptUrl: string }): string {
  if (BAD_LEVELS.has(facts.level)) {
    return `${SIGN}您的评价（${facts.levelName}）已收到，回执号${facts.receiptNo}。办理单位将核实整改，并在${facts.replyDays}日内答复您。如需补充具体问题，请点击链接：${facts.shortUrl}`;
  }
  return `${SIGN}感谢您的评价（${facts.levelName}），回执号${facts.receiptNo}，可凭回执号查询：${facts.receiptUrl}`;
}

export function helpText(shortUrl: string): string {
  return `${SIGN}未能识别您的回复。请只回复一个数字：5非常满意 4满意 3基本满意 2不满意 1非常不满意；或点击链接评价：${shortUrl}`;
}

export const NO_PENDING_TEXT = `${SIGN}您目前没有待评价的办件（可能已评价或已超过评价期限），感谢您的关注。`;
