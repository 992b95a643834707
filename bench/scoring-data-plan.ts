// The planning half of the scoring benchmark's data (bench/scoring-data.ts): the demo's Sichuan
// province, then day by day the service cases created that day with their stages and stage
// completions, and the evaluations received that day with their tickets, as COPY text in chunks.
// Pure computation, no I/O, deterministic for a seed; it runs in worker threads
// (bench/scoring-data-worker.ts) beside the database writes, or in-process. Several plans can run
// side by side, each a `part` with its share of the days and chains of its own (PlanSettings.part).
//
// How the days are made:
// - Cases are created day by day (hall, online and hotline cases with the demo's day and hour
//   profiles, stage shapes, windows and staff); a stage is completed when the demo's timing says,
//   or is still in progress at the end of the period.
// - Each stage is rated (first rating) with a probability calibrated so that about 80 % of completed
//   stages are actively rated; the rating's channel, delay, level (by the quality of the org, the
//   staff member and the channel's candour), indicators and comment follow the demo's rules. A few
//   unrated stages get a system default (level 3, afterDays later); a few ratings get a follow-up.
// - Evaluations are kept in per-day buckets by the Beijing day they are received and written when
//   that day is complete (no later case can add to it), sorted by receipt time: the hash chain runs
//   in receipt order, as intake writes it. Pending buckets hold only what is received after the day
//   being planned (about 1–2 days of volume), so memory follows the daily volume, not the total.
// - Exactly `evaluations` are written: the number of cases per day is steered by the evaluations
//   still needed and the yield a case has in the days left (measured on a pre-pass), and the last
//   day (of each part) stops at the target, or leaves out a few of the evaluations planned.
// - Every bad evaluation (level ≤ 2) opens a ticket whose events are planned as a story (closed in
//   time, late, unanswered, reopened, extended, cannot fix, appealed), folded by the real state
//   machine into the ticket's projection, with the watch's escalations of missed deadlines.
import { hash as oneShotHash } from 'node:crypto';
import { chinaCalendar } from '../src/calendar/china-calendar.ts';
import { canonicalRecord, GENESIS_HASH, type LedgerRecord } from '../src/ledger/canonical.ts';
import type { IndicatorOption } from '../src/evaluations/indicators.ts';
import type { Channel } from '../src/evaluations/channels.ts';
import { BAD_LEVELS } from '../src/evaluations/levels.ts';
import { appealDeadline, openingDeadlines, runningDeadlines, type TicketSettings } from '../src/tickets/rules.ts';
import { applyEvent, deadlineOf, isRefusal, openTicket, TERMINAL_STATES, type Actor, type CallbackOutcome, type DeadlineName, type Ticket, type TicketEvent } from '../src/tickets/state-machine.ts';
import { projectionOf } from '../src/tickets/store.ts';
import { TICKET_WATCH } from '../src/tickets/opening.ts';
import {
  BAD_COMMENTS,
  commentTheme,
  FOLLOW_UP_COMMENTS,
  GOOD_COMMENTS,
  MIDDLING_COMMENTS,
  TICKET_APPEAL_REASONS,
  TICKET_CANNOT_FIX_REASONS,
  TICKET_DECISION_NOTES,
  TICKET_EXTENSION_REASONS,
  TICKET_REPLIES,
  TICKET_SECOND_REPLIES,
} from '../src/demo/content.ts';
import { planProvince, type ItemPlan, type OrgPlan, type Province, type RegionRow, type StaffPlan, type WindowPlan } from '../src/demo/province.ts';
import { CumulativeSampler, seededRandom, type Random } from '../src/demo/random.ts';
import { draftCase, type Setting, type StageDraft } from '../src/demo/cases.ts';
import { ANONYMOUS_SHARE, awake, CHANNEL_CANDOUR, CHANNEL_MIX, chooseIndicators, indicatorPools, ratingDelay, type IndicatorPools } from '../src/demo/ratings.ts';
import { demoActorId, prefecturePath } from '../src/demo/tickets.ts';
import { beijingWeekday, DAY, HOUR, intoOfficeHours, MINUTE, TimeSampler, type Mode } from '../src/demo/time.ts';

/** source_app (and data_source) of everything this generator writes. */
export const BENCH_SOURCE_APP = 'bench-scoring';

// ---------------------------------------------------------------------------------------------
// Tables and COPY text

/** The columns written, per table, in the order of the COPY text. Columns left out take their default (NULL). */
export const TABLE_COLUMNS = {
  org: ['id', 'dept_code', 'name', 'kind', 'region_code', 'created_at'],
  service_item: ['id', 'task_code', 'name', 'item_type', 'org_id', 'region_code', 'created_at'],
  service_window: ['id', 'org_id', 'code', 'name', 'created_at'],
  staff: ['id', 'org_id', 'window_id', 'staff_no', 'name', 'created_at'],
  service_case: ['id', 'project_no', 'item_id', 'org_id', 'region_code', 'pro_status', 'accept_at', 'result_at', 'promise_at', 'user_prop', 'data_source', 'source_app', 'created_at', 'updated_at'],
  case_stage: ['id', 'case_id', 'service_number', 'name', 'status', 'completed_at', 'org_id', 'window_id', 'staff_id'],
  stage_completion: ['case_stage_id', 'completed_day', 'region_code', 'org_id', 'item_id', 'window_id', 'staff_id', 'recorded_at'],
  // The rater's personal data (rater_pii … rater_cert_lookup) is not generated: NULL, as for a rating without rater.
  evaluation: [
    'id', 'chain_id', 'seq', 'hash', 'receipt_no', 'received_at', 'assessed_at', 'assessed_day', 'subject', 'case_stage_id', 'case_id', 'project_no', 'service_number',
    'assess_number', 'level', 'indicator_version', 'indicator_codes', 'comment', 'channel', 'is_default', 'is_anonymous', 'region_code', 'org_id', 'item_id', 'window_id',
    'staff_id', 'user_prop', 'source_app', 'client_id',
  ],
  evaluation_slot: ['case_stage_id', 'assess_number', 'evaluation_id'],
  ticket: [
    'id', 'evaluation_id', 'receipt_no', 'case_stage_id', 'org_id', 'region_code', 'region_path', 'evaluation_region_code', 'level', 'channel', 'evaluated_at', 'opened_day', 'opened_verify_due_at',
    'opened_reply_due_at', 'state', 'version', 'verify_due_at', 'verify_done_at', 'reply_due_at', 'reply_done_at', 'extension_state', 'extension_days', 'appeal_kind',
    'appeal_state', 'appeal_due_at', 'appeal_decided_at', 'escalated', 'reopen_count', 'last_callback', 'callback_at', 'last_reply_at', 'updated_at', 'watch_done',
  ],
  ticket_event: ['ticket_id', 'seq', 'type', 'payload', 'actor_role', 'actor_id', 'at', 'note', 'attachments'],
  evaluation_event: ['id', 'evaluation_id', 'kind', 'reason', 'actor', 'at'],
  scheduled_job: ['id', 'kind', 'subject_id', 'due_at', 'payload', 'created_at'],
} as const;

export type TableName = keyof typeof TABLE_COLUMNS;

/** Write order within a chunk: referenced rows before the rows referring to them. */
export const TABLE_ORDER: readonly TableName[] = [
  'org', 'service_item', 'service_window', 'staff', 'service_case', 'case_stage', 'stage_completion',
  'evaluation', 'evaluation_slot', 'ticket', 'ticket_event', 'evaluation_event', 'scheduled_job',
];

export interface TableText {
  table: TableName;
  rows: number;
  /** COPY text format, UTF-8. */
  text: Uint8Array<ArrayBuffer>;
}

export interface Chunk {
  tables: TableText[];
  /** Planning progress: the Beijing day reached, and evaluations written so far including this chunk. */
  day: string;
  evaluations: number;
}

const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A text value in COPY text format. */
function esc(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const opt = (value: string | null) => (value === null ? NULL : esc(value));
// Strings written many times (ids, times) are made flat, in one piece: a string built by `+` or a
// template is a tree of pieces, and every line that embeds it walks the tree again when written.
// Building them from bytes keeps the lines about twice as cheap to write.
const scratch = Buffer.allocUnsafe(64);
const DIGIT = 48;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const isoDays = new Map<number, Buffer>();

function two(at: number, n: number): void {
  scratch[at] = DIGIT + Math.floor(n / 10);
  scratch[at + 1] = DIGIT + (n % 10);
}

/** new Date(ms).toISOString(), without the Date (the date part is cached per UTC day). */
function iso(instant: number): string {
  const ms = Math.floor(instant);
  const day = Math.floor(ms / DAY);
  let prefix = isoDays.get(day);
  if (prefix === undefined) {
    prefix = Buffer.from(new Date(day * DAY).toISOString().slice(0, 11), 'latin1');
    isoDays.set(day, prefix);
  }
  prefix.copy(scratch, 0);
  let rest = ms - day * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  two(11, hours);
  scratch[13] = 58;
  two(14, minutes);
  scratch[16] = 58;
  two(17, seconds);
  scratch[19] = 46;
  scratch[20] = DIGIT + Math.floor(millis / 100);
  two(21, millis % 100);
  scratch[23] = 90;
  return scratch.toString('latin1', 0, 24);
}

/** `parts` joined, as a flat string. */
const flat = (...parts: Array<string | number>) => parts.join('');
const isoOpt = (ms: number | null) => (ms === null ? NULL : iso(ms));
const dateOpt = (d: Date | null) => (d === null ? NULL : d.toISOString());
const num = (n: number | null) => (n === null ? NULL : String(n));
/** A text[] literal of simple words (digits, letters, underscores), which need no quoting. */
const words = (items: readonly string[]) => `{${items.join(',')}}`;

/**
 * ArrayBuffers for the chunks' text, used again once written: the writer hands them back (they
 * travel to the other thread and return), so a long run allocates no new memory per chunk.
 * Without it, buffers the main thread is done with pile up faster than its rare GCs free them.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  private bytes = 0;
  /** Kept for later up to this many bytes; what is handed back beyond is left to the GC. */
  private static readonly LIMIT = 192 * 1024 * 1024;

  /** A buffer of at least `size` bytes: the smallest free one that fits, or a new one. */
  get(size: number): ArrayBuffer {
    let best = -1;
    this.free.forEach((b, i) => {
      if (b.byteLength >= size && (best < 0 || b.byteLength < (this.free[best]?.byteLength ?? 0))) best = i;
    });
    if (best < 0) return new ArrayBuffer(size);
    const buffer = this.free.splice(best, 1)[0] as ArrayBuffer;
    this.bytes -= buffer.byteLength;
    return buffer;
  }

  put(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || this.bytes + buffer.byteLength > BufferPool.LIMIT) return;
    this.free.push(buffer);
    this.bytes += buffer.byteLength;
  }
}

/** A table's COPY text, written as UTF-8 straight into a growing buffer. */
class ByteSink {
  private buffer: Buffer;
  length = 0;
  rows = 0;

  constructor(private readonly pool: BufferPool) {
    this.buffer = Buffer.from(pool.get(1 << 20));
  }

  line(text: string): void {
    // At most 3 bytes per UTF-16 code unit, and the newline.
    const room = text.length * 3 + 1;
    if (this.length + room > this.buffer.length) {
      const bigger = Buffer.from(this.pool.get(Math.max(this.buffer.length * 2, this.length + room)));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.pool.put(this.buffer.buffer as ArrayBuffer);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
    this.buffer[this.length++] = 10;
    this.rows++;
  }

  /** The bytes written, on an ArrayBuffer of their own (to transfer to another thread); the sink goes on with another. */
  take(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.buffer.buffer as ArrayBuffer, 0, this.length);
    this.buffer = Buffer.from(this.pool.get(this.buffer.length));
    this.length = 0;
    this.rows = 0;
    return out;
  }
}

class ChunkBuilder {
  private readonly sinks = new Map<TableName, ByteSink>();
  total = 0;

  constructor(readonly pool: BufferPool) {}

  add(table: TableName, line: string): void {
    let sink = this.sinks.get(table);
    if (!sink) {
      sink = new ByteSink(this.pool);
      this.sinks.set(table, sink);
    }
    sink.line(line);
    this.total++;
  }

  take(day: string, evaluations: number): Chunk {
    const tables: TableText[] = [];
    for (const table of TABLE_ORDER) {
      const sink = this.sinks.get(table);
      if (sink && sink.rows > 0) tables.push({ table, rows: sink.rows, text: sink.take() });
    }
    this.total = 0;
    return { tables, day, evaluations };
  }
}

// ---------------------------------------------------------------------------------------------
// Settings and summary

export interface RegionInfo extends RegionRow {
  path: string;
}

export interface PlanSettings {
  evaluations: number;
  seed: number;
  /** Beijing days, inclusive: 'YYYY-MM-DD'. */
  fromDay: string;
  toDay: string;
  /** Ledger chains the evaluations are spread over (round robin in receipt order), numbered 1 … chains. */
  chains: number;
  /** Sichuan's regions down to county level, with their paths. */
  regions: RegionInfo[];
  /** The current indicator set. */
  indicatorVersion: string;
  indicators: IndicatorOption[];
  tickets: TicketSettings;
  ratingWindowDays: number;
  systemDefault: { level: number; afterDays: number };
  /** Rows (all tables together) per chunk. */
  chunkRows: number;
  /** Also build each row's canonical record with src/ledger/canonical.ts and compare (slower; for tests). */
  checkCanonical?: boolean;
  /**
   * This plan is part `index` of `count` planned side by side (one worker thread each): it creates
   * the cases of its share of the days (consecutive days, split by expected evaluations), with a
   * random stream of its own, and appends to the chains c with (c − 1) mod count = index, which
   * therefore needs chains ≥ count. Part 0 also writes the catalogue. Default: the only part.
   */
  part?: { index: number; count: number };
}

export interface ChainHead {
  chainId: number;
  headSeq: number;
  headHash: Uint8Array;
}

export interface PlanSummary {
  evaluations: number;
  firstRatings: number;
  followUps: number;
  systemDefaults: number;
  cases: number;
  stages: number;
  stagesCompleted: number;
  /** Completed stages without an active (non-default) first rating. */
  stagesUnrated: number;
  tickets: number;
  ticketEvents: number;
  ticketStates: Record<string, number>;
  evaluationEvents: number;
  scheduledJobs: number;
  levels: Record<string, number>;
  channels: Record<string, number>;
  orgs: number;
  items: number;
  windows: number;
  staff: number;
  chains: ChainHead[];
  /** Calibrated scale of the probability that a stage is rated (see prepass). */
  ratingScale: number;
  /** In a worker: seconds the plan waited for the writes to catch up (the database was the bottleneck). */
  plannerWaitedSeconds?: number;
}

// ---------------------------------------------------------------------------------------------
// Ids

/** Hex digits of the low `count` nibbles of `value` into scratch[at …]. */
function hexInto(at: number, value: number, count: number): void {
  let v = value;
  for (let i = at + count - 1; i >= at; i--) {
    scratch[i] = HEX_DIGITS[v & 15] ?? DIGIT;
    v = Math.floor(v / 16);
  }
}

/** A UUIDv7 of the instant `ms` with seeded random bits: time-ordered, reproducible. */
function uuid7(random: Random, ms: number): string {
  const time = Math.max(0, Math.floor(ms));
  const a = random.uint32();
  const b = random.uint32();
  const c = random.uint32();
  hexInto(0, Math.floor(time / 65536), 8);
  scratch[8] = 45;
  hexInto(9, time % 65536, 4);
  scratch[13] = 45;
  scratch[14] = 55; // version 7
  hexInto(15, a & 0xfff, 3);
  scratch[18] = 45;
  hexInto(19, 0x8000 | ((a >>> 12) & 0x3fff), 4); // variant 10
  scratch[23] = 45;
  hexInto(24, b, 8);
  hexInto(32, c >>> 16, 4);
  return scratch.toString('latin1', 0, 36);
}

const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Receipt numbers look like intake's (12 Crockford base32 characters, 60 random bits), from the seeded generator. */
function receiptNo(random: Random): string {
  for (let i = 0, at = 0; i < 12; i++, at++) {
    if (i === 4 || i === 8) scratch[at++] = 45;
    scratch[at] = RECEIPT_ALPHABET.charCodeAt(Math.floor(random.next() * 32));
  }
  return scratch.toString('latin1', 0, 14);
}

// ---------------------------------------------------------------------------------------------
// Cases: adapted from src/demo/cases.ts (planCase), for one case at a time.


interface CasePlan {
  id: string;
  projectNo: string;
  item: ItemPlan;
  regionCode: string;
  userProp: number;
  createdAt: number;
  stages: StagePlan[];
}

interface StagePlan {
  id: string;
  kase: CasePlan;
  serviceNumber: number;
  name: string;
  org: OrgPlan;
  window: WindowPlan | null;
  staff: StaffPlan | null;
  /** When the stage is (or would be) completed; beyond the end of the period it is still open. */
  completedAt: number;
  done: boolean;
  setting: Setting;
  rateWeight: number;
}


// ---------------------------------------------------------------------------------------------
// Ratings: adapted from src/demo/ratings.ts, one stage at a time.

/** ≈ 90 % satisfied or very satisfied, ≈ 5 % basically satisfied, ≈ 4 % bad for an average unit; `badness` scales the bad share. */
function sampleLevel(random: Random, badness: number): number {
  const p1 = 0.016 * badness;
  const p2 = 0.026 * badness;
  const p3 = 0.035 * Math.sqrt(badness);
  const p4 = 0.24;
  const p5 = Math.max(0.05, 1 - p1 - p2 - p3 - p4);
  return random.weighted([[1, p1], [2, p2], [3, p3], [4, p4], [5, p5]] as const);
}

function transmissionDelay(random: Random, channel: Channel): number {
  if (channel === 'sms') return random.int(10, 900) * 1000;
  if (channel === 'hotline') return random.int(30, 600) * 1000;
  return random.int(1, 20) * 1000;
}


/** The comment, and for a bad one the theme its ticket's reply answers. */
function chooseComment(random: Random, setting: Setting, level: number, indicators: IndicatorOption[]): { comment: string | null; theme: string } {
  if (BAD_LEVELS.has(level)) {
    const theme = indicators.length > 0 ? commentTheme(random.pick(indicators).nameZh) : 'other';
    if (!random.chance(0.75)) return { comment: null, theme };
    return { comment: random.pick(BAD_COMMENTS[theme] ?? BAD_COMMENTS.other ?? ['希望改进']), theme };
  }
  if (level === 3) return { comment: random.chance(0.35) ? random.pick(MIDDLING_COMMENTS) : null, theme: 'other' };
  const praise = GOOD_COMMENTS[setting === 'hall' || setting === 'hotline' ? 'offline' : 'online'];
  return { comment: random.chance(level === 5 ? 0.15 : 0.2) ? random.pick(praise[level === 5 ? 5 : 4]) : null, theme: 'other' };
}

interface Candidate {
  stage: StagePlan;
  assessNumber: 1 | 2;
  isDefault: boolean;
  assessedAt: number;
  receivedAt: number;
  level: number;
  channel: Channel;
  codes: string[];
  comment: string | null;
  theme: string;
  anonymous: boolean;
  userProp: number | null;
  /** Left out to hit the target count exactly (only ever in the last day's bucket). */
  dropped: boolean;
  /** A first rating whose follow-up is planned too (it cannot be left out alone). */
  hasFollowUp: boolean;
}

/** Share of evaluations that are follow-ups: weights by the first rating's level, scaled to ≈ 3 %. */
const FOLLOW_UP_BASE = 0.022;
const FOLLOW_UP_WEIGHT = (level: number) => (BAD_LEVELS.has(level) ? 8 : level === 3 ? 3 : 1);
const FOLLOW_UP_GAP = 26 * HOUR;
/** Of the completed stages left unrated, this share gets a system default after `afterDays`. */
const DEFAULT_SHARE_OF_UNRATED = 0.09;
/** Share of completed stages to be actively rated (before the end of the period cuts some off). */
const TARGET_RATED_SHARE = 0.8;

interface RatingContext {
  pools: IndicatorPools;
  windowDays: number;
  systemDefault: { level: number; afterDays: number };
  /** P(first rating) = min(0.97, ratingScale × the stage's rateWeight). */
  ratingScale: number;
}

function firstRating(random: Random, ctx: RatingContext, stage: StagePlan): Candidate {
  const completedAt = stage.completedAt;
  const latest = completedAt + ctx.windowDays * DAY - 30 * MINUTE;
  const channel = random.weighted(CHANNEL_MIX[stage.setting]);
  let assessedAt = awake(random, channel, completedAt + ratingDelay(random, channel));
  if (assessedAt > latest) assessedAt = completedAt + MINUTE + Math.floor(random.next() * Math.max(0, latest - completedAt - MINUTE));
  const badness = stage.org.quality * (stage.staff?.quality ?? 1) * CHANNEL_CANDOUR[channel];
  const level = sampleLevel(random, badness);
  const indicators = chooseIndicators(random, ctx.pools, stage.setting, level);
  const { comment, theme } = chooseComment(random, stage.setting, level, indicators);
  const anonymous = random.chance(ANONYMOUS_SHARE[channel]);
  return {
    stage,
    assessNumber: 1,
    isDefault: false,
    assessedAt,
    receivedAt: assessedAt + transmissionDelay(random, channel),
    level,
    channel,
    codes: indicators.map((i) => i.code),
    comment,
    theme,
    anonymous,
    userProp: anonymous ? null : stage.kase.userProp,
    dropped: false,
    hasFollowUp: false,
  };
}

function followUpOf(random: Random, ctx: RatingContext, first: Candidate): Candidate | null {
  const stage = first.stage;
  const latest = stage.completedAt + ctx.windowDays * DAY - 30 * MINUTE;
  const earliest = first.assessedAt + FOLLOW_UP_GAP;
  const room = latest - earliest;
  if (room <= HOUR) return null;
  const channel = random.weighted([['mobile', 0.5], ['sms', 0.3], ['pc', 0.2]] as const);
  let assessedAt = awake(random, channel, earliest + Math.floor(random.next() * Math.min(room, 10 * DAY)));
  if (assessedAt > latest) assessedAt = earliest + Math.floor(random.next() * room);
  let level: number;
  let comment: string | null;
  if (BAD_LEVELS.has(first.level)) {
    const outcome = random.weighted([['resolved', 0.5], ['middling', 0.3], ['unresolved', 0.2]] as const);
    level = outcome === 'resolved' ? random.pick([4, 5, 5]) : outcome === 'middling' ? 3 : random.pick([...BAD_LEVELS]);
    comment = random.chance(0.75) ? random.pick(outcome === 'unresolved' ? FOLLOW_UP_COMMENTS.unresolved : FOLLOW_UP_COMMENTS.resolved) : null;
  } else {
    level = first.level === 3 ? random.pick([3, 4, 5]) : random.chance(0.8) ? first.level : random.pick([3, 4, 5]);
    comment = random.chance(0.6) ? random.pick(FOLLOW_UP_COMMENTS.neutral) : null;
  }
  const indicators = chooseIndicators(random, ctx.pools, stage.setting, level);
  let theme = first.theme;
  if (BAD_LEVELS.has(level)) {
    const chosen = chooseComment(random, stage.setting, level, indicators);
    theme = chosen.theme;
    comment ??= chosen.comment;
  }
  return {
    stage,
    assessNumber: 2,
    isDefault: false,
    assessedAt,
    receivedAt: assessedAt + transmissionDelay(random, channel),
    level,
    channel,
    codes: indicators.map((i) => i.code),
    comment,
    theme,
    anonymous: first.anonymous,
    userProp: first.userProp,
    dropped: false,
    hasFollowUp: false,
  };
}

function systemDefault(random: Random, ctx: RatingContext, stage: StagePlan): Candidate {
  const assessedAt = stage.completedAt + ctx.systemDefault.afterDays * DAY;
  return {
    stage,
    assessNumber: 1,
    isDefault: true,
    assessedAt,
    receivedAt: assessedAt + random.int(1, 60) * 1000,
    level: ctx.systemDefault.level,
    channel: 'system',
    codes: [],
    comment: null,
    theme: 'other',
    anonymous: false,
    userProp: null,
    dropped: false,
    hasFollowUp: false,
  };
}

/** The evaluations a stage would get if time went on for ever: a first rating (maybe with a follow-up), a system default, or none. */
function ratingsOf(random: Random, ctx: RatingContext, stage: StagePlan): Candidate[] {
  if (random.chance(Math.min(0.97, ctx.ratingScale * stage.rateWeight))) {
    const first = firstRating(random, ctx, stage);
    if (random.chance(FOLLOW_UP_BASE * FOLLOW_UP_WEIGHT(first.level))) {
      const followUp = followUpOf(random, ctx, first);
      if (followUp) {
        first.hasFollowUp = true;
        return [first, followUp];
      }
    }
    return [first];
  }
  if (random.chance(DEFAULT_SHARE_OF_UNRATED)) return [systemDefault(random, ctx, stage)];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Tickets: a story per bad evaluation (adapted from src/demo/tickets.ts planTicket), folded by the
// state machine, with the watch's escalations.

type Story = 'closed' | 'closed_late' | 'unanswered' | 'reopened' | 'appeal' | 'extension' | 'cannot_fix';

const STORIES: ReadonlyArray<readonly [Story, number]> = [
  ['closed', 0.843],
  ['reopened', 0.04],
  ['closed_late', 0.045],
  ['unanswered', 0.025],
  ['extension', 0.02],
  ['cannot_fix', 0.015],
  ['appeal', 0.012],
];
/** Of appeals, the share a supervisor upholds (≈ 0.5 % of all bad evaluations). */
const APPEAL_UPHELD = 0.45;
/** Tickets opened this recently are live work: some not yet taken up or not yet verified. */
const LIVE_DAYS = 10;

interface PlannedStep {
  at: number;
  by: 'handler' | 'supervisor';
  event: TicketEvent;
  note: string | null;
}

interface TicketContext {
  now: number;
  calendar: ReturnType<typeof chinaCalendar>;
  settings: TicketSettings;
}

function officeBetween(random: Random, earliest: number, latest: number): number {
  const at = intoOfficeHours(random, earliest);
  if (at <= latest) return at;
  return latest <= earliest ? earliest : earliest + Math.floor(random.next() * (latest - earliest));
}

function closingOutcome(random: Random): CallbackOutcome {
  return random.chance(0.7) ? 'satisfied' : 'basically_satisfied';
}

function planTicketSteps(random: Random, facts: { evaluatedAt: number; verifyDueAt: number; replyDueAt: number; theme: string }, ctx: TicketContext): PlannedStep[] {
  const { evaluatedAt, verifyDueAt, replyDueAt } = facts;
  const story = random.weighted(STORIES);
  const steps: PlannedStep[] = [];
  const last = () => steps.at(-1)?.at ?? evaluatedAt;
  const add = (at: number, by: PlannedStep['by'], event: TicketEvent | ((at: number) => TicketEvent), note: string | null = null) => {
    const when = Math.max(Math.floor(at), last() + random.int(1, 20) * MINUTE);
    steps.push({ at: when, by, event: typeof event === 'function' ? event(when) : event, note });
  };
  const office = (at: number) => intoOfficeHours(random, at);
  const replyText = () => random.pick(TICKET_REPLIES[facts.theme] ?? TICKET_REPLIES.other ?? ['您好，您反映的问题已整改完毕。']);
  // No rater phone is generated, so callbacks are made by phone by the handling org.
  const replyAndCallback = (replyAt: number, text: string, outcome: CallbackOutcome) => {
    add(replyAt, 'handler', { type: 'reply', text });
    add(office(last() + random.between(1 * DAY, 3 * DAY)), 'handler', { type: 'callback', outcome, by: 'phone' }, '电话回访');
  };
  const replyDays = () => 2 + 12 * random.next() ** 1.7;
  const onTimeReplyAt = (earliest: number) => officeBetween(random, Math.max(earliest, evaluatedAt + replyDays() * DAY), replyDueAt - 30 * MINUTE);

  add(office(evaluatedAt + random.between(10 * MINUTE, 3 * HOUR)), 'handler', { type: 'accept' });
  const verifyAt = random.chance(0.06) ? office(verifyDueAt + random.between(1 * HOUR, 30 * HOUR)) : officeBetween(random, last() + random.between(20 * MINUTE, 4 * HOUR), verifyDueAt - 5 * MINUTE);
  if (story === 'appeal') {
    const kind = random.chance(0.6) ? 'mistaken' : 'malicious';
    const reason = random.pick(TICKET_APPEAL_REASONS[kind]);
    add(verifyAt, 'handler', (at) => ({ type: 'judge_invalid', kind, reason, decideBy: appealDeadline(new Date(at), ctx.calendar, ctx.settings).dueAt.toISOString() }));
    const decideBy = appealDeadline(new Date(last()), ctx.calendar, ctx.settings).dueAt.getTime();
    const upheld = random.chance(APPEAL_UPHELD);
    add(officeBetween(random, last() + random.between(4 * HOUR, 3 * DAY), decideBy - HOUR), 'supervisor', { type: 'decide_appeal', upheld }, random.pick(upheld ? TICKET_DECISION_NOTES.appealUpheld : TICKET_DECISION_NOTES.appealRefused));
    if (!upheld) replyAndCallback(officeBetween(random, last() + random.between(1 * DAY, 4 * DAY), replyDueAt - 30 * MINUTE), replyText(), closingOutcome(random));
  } else {
    add(verifyAt, 'handler', { type: 'verified' });
    switch (story) {
      case 'closed':
        replyAndCallback(onTimeReplyAt(last() + 2 * HOUR), replyText(), closingOutcome(random));
        break;
      case 'closed_late':
        replyAndCallback(office(replyDueAt + random.between(1 * DAY, 10 * DAY)), replyText(), closingOutcome(random));
        break;
      case 'unanswered':
        break;
      case 'reopened':
        replyAndCallback(onTimeReplyAt(last() + 2 * HOUR), replyText(), 'unsatisfied');
        replyAndCallback(office(last() + random.between(2 * DAY, 6 * DAY)), random.pick(TICKET_SECOND_REPLIES), closingOutcome(random));
        break;
      case 'extension': {
        const days = Math.min(ctx.settings.maxExtensionDays, random.int(5, 15));
        add(office(Math.max(last() + DAY, evaluatedAt + random.between(8 * DAY, 12 * DAY))), 'handler', { type: 'request_extension', days, reason: random.pick(TICKET_EXTENSION_REASONS), maxDays: ctx.settings.maxExtensionDays });
        const granted = random.chance(0.8);
        add(office(last() + random.between(4 * HOUR, 2 * DAY)), 'supervisor', { type: 'decide_extension', granted }, random.pick(granted ? TICKET_DECISION_NOTES.extensionGranted : TICKET_DECISION_NOTES.extensionRefused));
        const replyAt = granted
          ? officeBetween(random, Math.max(last() + 2 * HOUR, replyDueAt + random.between(1 * DAY, Math.max(1, days - 1) * DAY)), replyDueAt + days * DAY - HOUR)
          : office(last() + random.between(1 * DAY, 3 * DAY));
        replyAndCallback(replyAt, replyText(), closingOutcome(random));
        break;
      }
      case 'cannot_fix': {
        add(office(Math.max(last() + DAY, evaluatedAt + random.between(3 * DAY, 9 * DAY))), 'handler', { type: 'request_cannot_fix', reason: random.pick(TICKET_CANNOT_FIX_REASONS) });
        const approved = random.chance(0.8);
        add(office(last() + random.between(12 * HOUR, 3 * DAY)), 'supervisor', { type: 'decide_cannot_fix', approved, replyFollows: true }, random.pick(approved ? TICKET_DECISION_NOTES.cannotFixApproved : TICKET_DECISION_NOTES.cannotFixRefused));
        replyAndCallback(office(last() + random.between(1 * DAY, 3 * DAY)), replyText(), closingOutcome(random));
        break;
      }
    }
  }
  // Live work: of the recent tickets some are not taken up or not verified yet.
  let keep = steps.length;
  if (ctx.now - evaluatedAt < LIVE_DAYS * DAY) {
    const u = random.next();
    if (u < 0.06) keep = 0;
    else if (u < 0.12) keep = 1;
  }
  const taken: PlannedStep[] = [];
  for (const step of steps.slice(0, keep)) {
    if (step.at > ctx.now) break;
    taken.push(step);
  }
  return taken;
}

/** The deadlines still running in the ticket's state (as src/tickets/rules.ts runningDeadlines). */
interface FoldedEvent {
  event: TicketEvent;
  actor: Actor;
  at: number;
  note: string | null;
}

const SYSTEM_ACTOR: Actor = { role: 'system', id: 'scheduler' };

/**
 * The ticket's events through the state machine: the planned steps, and before each (and up to
 * now) the escalation the watch writes a minute or two after a deadline is missed.
 */
function foldTicket(random: Random, opening: Ticket, steps: readonly PlannedStep[], actors: { handler: Actor; supervisor: Actor }, ctx: TicketContext): { ticket: Ticket; events: FoldedEvent[] } {
  let ticket = opening;
  const events: FoldedEvent[] = [];
  const lag: Record<DeadlineName, number> = { verify: random.int(1, 120) * 1000, reply: random.int(1, 120) * 1000, appeal: random.int(1, 120) * 1000 };
  const apply = (event: TicketEvent, actor: Actor, at: number, note: string | null) => {
    const next = applyEvent(ticket, event, actor, new Date(at));
    if (isRefusal(next)) throw new Error(`scoring data: the ticket state machine refused ${event.type} in ${ticket.state}: ${next.code} ${JSON.stringify(next.details)}`);
    ticket = next;
    events.push({ event, actor, at, note });
  };
  const escalateBefore = (limit: number) => {
    for (;;) {
      let best: { name: DeadlineName; at: number } | null = null;
      for (const name of runningDeadlines(ticket)) {
        const deadline = deadlineOf(ticket, name);
        if (!deadline || ticket.escalated.includes(name)) continue;
        const at = Math.max(deadline.dueAt.getTime() + lag[name], (events.at(-1)?.at ?? 0) + 1000);
        if (at < limit && (best === null || at < best.at)) best = { name, at };
      }
      if (best === null) return;
      apply({ type: 'escalate', deadline: best.name }, SYSTEM_ACTOR, best.at, null);
    }
  };
  for (const step of steps) {
    escalateBefore(step.at);
    apply(step.event, step.by === 'handler' ? actors.handler : actors.supervisor, step.at, step.note);
  }
  escalateBefore(ctx.now);
  return { ticket, events };
}

// ---------------------------------------------------------------------------------------------
// The plan

/** The share of one creation day's case volume falling on each mode, by weekday (demo's dayWeight). */
function modeDayWeight(mode: Mode, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  if (mode === 'hall') return weekday === 0 ? 0 : weekday === 6 ? 0.12 : 1;
  if (mode === 'online') return weekend ? 0.5 : 1;
  return weekend ? 0.7 : 1;
}

const MODES: readonly Mode[] = ['hall', 'online', 'hotline'];
const PREPASS_CASES = 30_000;
const OFFSET_DAYS = 120;

function beijingDayStart(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00+08:00`))) throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  return Date.parse(`${day}T00:00:00+08:00`);
}

export class ScoringDataPlan {
  private readonly random: Random;
  private readonly province: Province;
  private readonly start: number;
  private readonly end: number;
  private readonly days: number;
  private readonly samplers: Record<Mode, CumulativeSampler<ItemPlan>>;
  private readonly modeWeight: Record<Mode, number>;
  private readonly regionPath = new Map<string, string>();
  private readonly ratingContext: RatingContext;
  private readonly ticketContext: TicketContext;
  private readonly handlerActors = new Map<string, Actor>();
  private readonly supervisorActors = new Map<string, Actor>();
  /** Potential evaluations per case by days after the case's creation day (index), for steering the volume. */
  private readonly offsets = new Float64Array(OFFSET_DAYS + 1);
  private offsetCases = 0;
  private readonly sequences = new Map<string, number>();
  private readonly buckets = new Map<number, Candidate[]>();
  private readonly heads: Array<{ chainId: number; seq: number; hash: Buffer }>;
  private readonly part: { index: number; count: number };
  /** This part's creation days [first, end), and the evaluations it plans. */
  private firstDay = 0;
  private endDay = 0;
  private target = 0;
  private readonly builder: ChunkBuilder;
  private readonly dayText = new Map<number, string>();
  /** Evaluations planned within the period (written, or waiting in a bucket). */
  private planned = 0;
  private written = 0;
  private readonly summary: PlanSummary;

  /** `pool`: buffers to write the chunks into, shared by the plans of one thread (see BufferPool). */
  constructor(
    private readonly settings: PlanSettings,
    pool = new BufferPool(),
  ) {
    this.builder = new ChunkBuilder(pool);
    if (!Number.isInteger(settings.evaluations) || settings.evaluations < 0) throw new RangeError(`evaluations must be a whole number ≥ 0, got ${settings.evaluations}`);
    if (!Number.isInteger(settings.chains) || settings.chains < 1) throw new RangeError(`chains must be ≥ 1, got ${settings.chains}`);
    this.start = beijingDayStart(settings.fromDay);
    this.end = beijingDayStart(settings.toDay) + DAY;
    this.days = Math.round((this.end - this.start) / DAY);
    if (this.days < 1) throw new RangeError(`toDay (${settings.toDay}) is before fromDay (${settings.fromDay})`);
    this.part = settings.part ?? { index: 0, count: 1 };
    if (!Number.isInteger(this.part.count) || this.part.count < 1 || this.part.index < 0 || this.part.index >= this.part.count) throw new RangeError(`bad part ${JSON.stringify(this.part)}`);
    if (settings.chains < this.part.count) throw new RangeError(`${this.part.count} parts need at least as many chains, got ${settings.chains}`);
    for (const region of settings.regions) this.regionPath.set(region.code, region.path);
    const regions: RegionRow[] = settings.regions.map(({ code, name, level, parent_code }) => ({ code, name, level, parent_code }));
    // Every part plans the same province; the cases and ratings of each come from a stream of its own.
    const random = seededRandom(settings.seed);
    this.province = planProvince(random, regions, 'all', this.start - 30 * DAY);
    this.random = this.part.index === 0 ? random : seededRandom(Math.imul(settings.seed ^ 0x2545f491, 0x9e3779b1 + this.part.index) >>> 0);

    // Items per mode, weighted as the demo's planCases weighs them (provinces ≈ 3 % of cases).
    const countyItemWeight = this.province.items.reduce((sum, i) => sum + (i.county ? i.county.volume * i.template.volume : 0), 0);
    const provincialTemplateWeight = this.province.items.reduce((sum, i) => sum + (i.county ? 0 : i.template.volume), 0);
    const provincialScale = provincialTemplateWeight > 0 ? ((0.03 / 0.97) * Math.max(countyItemWeight, 1)) / provincialTemplateWeight : 0;
    this.samplers = { hall: new CumulativeSampler(), online: new CumulativeSampler(), hotline: new CumulativeSampler() };
    this.modeWeight = { hall: 0, online: 0, hotline: 0 };
    const add = (mode: Mode, item: ItemPlan, weight: number) => {
      if (!(weight > 0)) return;
      this.samplers[mode].add(item, weight);
      this.modeWeight[mode] += weight;
    };
    for (const item of this.province.items) {
      const volume = item.template.volume * (item.county ? item.county.volume : provincialScale);
      if (item.template.type === 'hotline') add('hotline', item, volume);
      else if (item.county) {
        add('hall', item, volume * item.template.inPerson);
        add('online', item, volume * (1 - item.template.inPerson));
      } else add('online', item, volume);
    }

    this.ratingContext = { pools: indicatorPools(settings.indicators), windowDays: settings.ratingWindowDays, systemDefault: settings.systemDefault, ratingScale: 1 };
    this.ticketContext = { now: this.end, calendar: chinaCalendar(), settings: settings.tickets };
    this.heads = [];
    for (let chainId = 1; chainId <= settings.chains; chainId++) if ((chainId - 1) % this.part.count === this.part.index) this.heads.push({ chainId, seq: 0, hash: GENESIS_HASH });
    this.summary = {
      evaluations: 0,
      firstRatings: 0,
      followUps: 0,
      systemDefaults: 0,
      cases: 0,
      stages: 0,
      stagesCompleted: 0,
      stagesUnrated: 0,
      tickets: 0,
      ticketEvents: 0,
      ticketStates: {},
      evaluationEvents: 0,
      scheduledJobs: 0,
      levels: {},
      channels: {},
      orgs: this.province.orgs.length,
      items: this.province.items.length,
      windows: this.province.windows.length,
      staff: this.province.staff.length,
      chains: [],
      ratingScale: 1,
    };
    this.prepass();
    this.splitDays();
  }

  /** This part's days and target: the days split in `count` runs of about equal expected evaluations. */
  private splitDays(): void {
    const { index, count } = this.part;
    const scores = Array.from({ length: this.days }, (_, k) => this.dayWeight(k) * this.yieldWithin(this.days - k));
    const total = scores.reduce((a, b) => a + b, 0);
    const bounds = [0];
    let cumulative = 0;
    const cumulativeAt = [0];
    for (let k = 0; k < this.days; k++) {
      cumulative += scores[k] ?? 0;
      if (bounds.length < count && cumulative >= (total * bounds.length) / count) {
        bounds.push(k + 1);
        cumulativeAt.push(cumulative);
      }
    }
    while (bounds.length < count) {
      bounds.push(this.days);
      cumulativeAt.push(total);
    }
    bounds.push(this.days);
    cumulativeAt.push(total);
    this.firstDay = bounds[index] ?? 0;
    this.endDay = bounds[index + 1] ?? this.days;
    const share = (c: number) => (total > 0 ? Math.round((this.settings.evaluations * c) / total) : 0);
    this.target = index === count - 1 ? this.settings.evaluations - share(cumulativeAt[index] ?? 0) : share(cumulativeAt[index + 1] ?? 0) - share(cumulativeAt[index] ?? 0);
  }

  /** Relative case volume of creation day `k` (mode mix by weekday, slight growth over the period). */
  private dayWeight(k: number): number {
    const dayStart = this.start + k * DAY;
    const weekday = beijingWeekday(dayStart);
    const trend = 0.9 + 0.2 * (k / Math.max(1, this.days));
    return trend * MODES.reduce((sum, m) => sum + this.modeWeight[m] * modeDayWeight(m, weekday), 0);
  }

  private pickMode(k: number): Mode {
    const weekday = beijingWeekday(this.start + k * DAY);
    return this.random.weighted(MODES.map((m) => [m, this.modeWeight[m] * modeDayWeight(m, weekday)] as const));
  }

  /**
   * A pre-pass on a generator of its own (nothing written): calibrate the rating probability so
   * that TARGET_RATED_SHARE of stages are rated, and measure when a case's evaluations arrive.
   */
  private prepass(): void {
    const random = seededRandom((this.settings.seed ^ 0x5bd1e995) >>> 0);
    const weights: number[] = [];
    const drafts: Array<{ k: number; stages: StageDraft[]; createdAt: number }> = [];
    for (let n = 0; n < PREPASS_CASES; n++) {
      const k = random.int(0, this.days - 1);
      const weekday = beijingWeekday(this.start + k * DAY);
      const mode = random.weighted(MODES.map((m) => [m, this.modeWeight[m] * modeDayWeight(m, weekday)] as const));
      const createdAt = new TimeSampler(mode, this.start + k * DAY, this.start + (k + 1) * DAY - 1).sample(random);
      const draft = draftCase(random, this.province, this.samplers[mode].sample(random), mode, createdAt);
      drafts.push({ k, stages: draft.stages, createdAt });
      for (const stage of draft.stages) weights.push(stage.rateWeight);
    }
    // Bisection on the scale s: mean of min(0.97, s·w) = target.
    let low = 0;
    let high = 10;
    for (let i = 0; i < 50; i++) {
      const mid = (low + high) / 2;
      const share = weights.reduce((sum, w) => sum + Math.min(0.97, mid * w), 0) / Math.max(1, weights.length);
      if (share < TARGET_RATED_SHARE) low = mid;
      else high = mid;
    }
    this.ratingContext.ratingScale = (low + high) / 2;
    this.summary.ratingScale = this.ratingContext.ratingScale;
    const kase: CasePlan = { id: '', projectNo: '', item: this.province.items[0] as ItemPlan, regionCode: '', userProp: 1, createdAt: 0, stages: [] };
    for (const { k, stages } of drafts) {
      const dayStart = this.start + k * DAY;
      for (const draft of stages) {
        const stage: StagePlan = { ...draft, id: '', kase, serviceNumber: 1, done: true };
        for (const c of ratingsOf(random, this.ratingContext, stage)) this.countOffset(c.receivedAt - dayStart);
      }
      this.offsetCases++;
    }
  }

  private countOffset(ms: number): void {
    const j = Math.min(OFFSET_DAYS, Math.max(0, Math.floor(ms / DAY)));
    this.offsets[j] = (this.offsets[j] ?? 0) + 1;
  }

  /** Evaluations within the period a case created `remaining` days before the end is expected to bring. */
  private yieldWithin(remaining: number): number {
    let sum = 0;
    for (let j = 0; j < Math.min(remaining, OFFSET_DAYS + 1); j++) sum += this.offsets[j] ?? 0;
    return sum / Math.max(1, this.offsetCases);
  }

  private day(ms: number): string {
    const index = Math.floor((ms + 8 * HOUR) / DAY);
    let text = this.dayText.get(index);
    if (text === undefined) {
      text = new Date(index * DAY).toISOString().slice(0, 10);
      this.dayText.set(index, text);
    }
    return text;
  }

  /** The catalogue, then chunk after chunk of cases and evaluations; returns the summary. */
  *chunks(): Generator<Chunk, PlanSummary> {
    if (this.part.index === 0) yield* this.catalogue();
    const target = this.target;
    const weights = Array.from({ length: this.days }, (_, k) => this.dayWeight(k));
    for (let k = this.firstDay; k < this.endDay; k++) {
      const last = k === this.endDay - 1;
      const need = target - this.planned;
      let denominator = 0;
      for (let k2 = k; k2 < this.endDay; k2++) denominator += (weights[k2] ?? 0) * this.yieldWithin(this.days - k2);
      const expected = denominator > 0 && need > 0 ? (need * (weights[k] ?? 0)) / denominator : 0;
      const count = Math.floor(expected) + (this.random.next() < expected - Math.floor(expected) ? 1 : 0);
      // Creation times of the day's cases, in order (case numbers and ids follow them).
      const dayStart = this.start + k * DAY;
      const timeSamplers = new Map<Mode, TimeSampler>();
      const sampleTime = (mode: Mode) => {
        let sampler = timeSamplers.get(mode);
        if (!sampler) {
          const margin = mode === 'hall' ? 30 * MINUTE : 10 * MINUTE;
          sampler = new TimeSampler(mode, dayStart, Math.min(dayStart + DAY, this.end - margin) - 1);
          timeSamplers.set(mode, sampler);
        }
        return sampler.sample(this.random);
      };
      const arrivals: Array<{ mode: Mode; at: number }> = [];
      for (let n = 0; n < count; n++) {
        const mode = this.pickMode(k);
        arrivals.push({ mode, at: sampleTime(mode) });
      }
      arrivals.sort((a, b) => a.at - b.at);
      for (const arrival of arrivals) {
        if (last && this.planned >= target) break;
        this.planCase(k, arrival.mode, arrival.at);
        if (this.builder.total >= this.settings.chunkRows) yield this.builder.take(this.day(dayStart), this.written);
      }
      // The last day tops up until the target is reached (if the days before fell short of it).
      const cap = count * 20 + 10_000;
      for (let extra = 0; last && this.planned < target && extra < cap; extra++) {
        const mode = this.pickMode(k);
        this.planCase(k, mode, sampleTime(mode));
        if (this.builder.total >= this.settings.chunkRows) yield this.builder.take(this.day(dayStart), this.written);
      }
      if (last) this.trimTo(target, k);
      // Day k is complete: nothing planned later is received on it.
      yield* this.emitBucket(k);
    }
    // What this part's cases get after its days (the other parts' days).
    for (let k = this.endDay; k < this.days; k++) yield* this.emitBucket(k);
    if (this.builder.total > 0) yield this.builder.take(this.settings.toDay, this.written);
    this.summary.evaluations = this.written;
    this.summary.chains = this.heads.map((h) => ({ chainId: h.chainId, headSeq: h.seq, headHash: new Uint8Array(h.hash) }));
    return this.summary;
  }

  private *catalogue(): Generator<Chunk> {
    const created = iso(this.start - 30 * DAY);
    const b = this.builder;
    for (const o of this.province.orgs) b.add('org', `${o.id}\t${o.deptCode}\t${esc(o.name)}\t${o.kind}\t${o.regionCode}\t${created}`);
    for (const i of this.province.items) b.add('service_item', `${i.id}\t${esc(i.taskCode)}\t${esc(i.name)}\t${i.type}\t${i.org.id}\t${i.org.regionCode}\t${created}`);
    for (const w of this.province.windows) b.add('service_window', `${w.id}\t${w.orgId}\t${esc(w.code)}\t${esc(w.name)}\t${created}`);
    for (const s of this.province.staff) b.add('staff', `${s.id}\t${s.orgId}\t${s.windowId}\t${esc(s.staffNo)}\t${esc(s.name)}\t${created}`);
    yield b.take(this.settings.fromDay, 0);
  }

  /** One case created at `createdAt` on day k: its rows, and its evaluations into their buckets. */
  private planCase(k: number, mode: Mode, createdAt: number): void {
    const random = this.random;
    const item = this.samplers[mode].sample(random);
    const draft = draftCase(random, this.province, item, mode, createdAt);
    const template = item.template;
    const latest = this.end - 5 * MINUTE;
    const waiting = mode === 'online' && createdAt > this.end - 2 * DAY && random.chance(0.3);
    const acceptAt = waiting ? null : Math.min(draft.accepted, draft.stages[0]?.completedAt ?? Number.POSITIVE_INFINITY, latest);
    // Numbered by the day of creation (the day of acceptance, as cases are accepted the day they come):
    // parts of the plan create cases on different days, so their numbers never collide.
    const key = `${item.org.regionCode}-${this.day(createdAt).replaceAll('-', '')}`;
    const sequence = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, sequence);
    const kase: CasePlan = {
      id: uuid7(random, createdAt),
      projectNo: flat(key, '-', String(sequence).padStart(6, '0')),
      item,
      regionCode: item.org.regionCode,
      userProp: draft.enterprise ? 2 : 1,
      createdAt,
      stages: [],
    };
    let open = false;
    const completedTimes: number[] = [];
    draft.stages.forEach((stageDraft, index) => {
      const done = !waiting && !open && stageDraft.completedAt <= latest;
      if (!done) open = true;
      const stage: StagePlan = { ...stageDraft, id: uuid7(random, createdAt), kase, serviceNumber: index + 1, done };
      kase.stages.push(stage);
      if (done) completedTimes.push(stage.completedAt);
    });
    const allDone = kase.stages.every((s) => s.done);
    const proStatus = waiting ? 1 : allDone ? 3 : 2;
    const resultAt = allDone ? (completedTimes.at(-1) ?? null) : null;
    const promiseAt = waiting || template.promiseDays === 0 ? null : (acceptAt ?? createdAt) + template.promiseDays * DAY;
    const updatedAt = Math.max(createdAt, ...completedTimes);
    const b = this.builder;
    b.add(
      'service_case',
      `${kase.id}\t${kase.projectNo}\t${item.id}\t${item.org.id}\t${kase.regionCode}\t${proStatus}\t${isoOpt(acceptAt)}\t${isoOpt(resultAt)}\t${isoOpt(promiseAt)}\t${kase.userProp}\t${BENCH_SOURCE_APP}\t${BENCH_SOURCE_APP}\t${iso(createdAt)}\t${iso(updatedAt)}`,
    );
    this.summary.cases++;
    const dayStart = this.start + k * DAY;
    kase.stages.forEach((stage, index) => {
      // A stage after an open one waits (1); the first open one is in progress (2).
      const status = stage.done ? 3 : kase.stages.slice(0, index).every((s) => s.done) && !waiting ? 2 : 1;
      b.add(
        'case_stage',
        `${stage.id}\t${kase.id}\t${stage.serviceNumber}\t${esc(stage.name)}\t${status}\t${stage.done ? iso(stage.completedAt) : NULL}\t${stage.org.id}\t${stage.window?.id ?? NULL}\t${stage.staff?.id ?? NULL}`,
      );
      this.summary.stages++;
      const ratings = ratingsOf(random, this.ratingContext, stage);
      for (const c of ratings) this.countOffset(c.receivedAt - dayStart);
      if (!stage.done) return;
      this.summary.stagesCompleted++;
      // Recorded when the completion reached the province (a push seconds to a minute or two later).
      const recordedAt = Math.min(stage.completedAt + random.int(1, 90) * 1000, this.end - 1);
      b.add(
        'stage_completion',
        `${stage.id}\t${this.day(stage.completedAt)}\t${kase.regionCode}\t${stage.org.id}\t${item.id}\t${stage.window?.id ?? NULL}\t${stage.staff?.id ?? NULL}\t${iso(recordedAt)}`,
      );
      let activelyRated = false;
      for (const c of ratings) {
        // Within the period only; a follow-up only with its first rating.
        if (c.receivedAt >= this.end || c.assessedAt >= this.end) break;
        if (c.assessNumber === 1 && !c.isDefault) activelyRated = true;
        const bucket = Math.floor((c.receivedAt - this.start) / DAY);
        let list = this.buckets.get(bucket);
        if (!list) {
          list = [];
          this.buckets.set(bucket, list);
        }
        list.push(c);
        this.planned++;
      }
      if (!activelyRated) this.summary.stagesUnrated++;
    });
    this.offsetCases++;
  }

  /**
   * Leave out planned evaluations (at random, from the latest days received on, not before day k)
   * until exactly `target` remain. A first rating with a planned follow-up stays.
   */
  private trimTo(target: number, k: number): void {
    for (let bucket = this.days - 1; bucket >= k && this.planned > target; bucket--) {
      const eligible = (this.buckets.get(bucket) ?? []).filter((c) => !c.dropped && !c.hasFollowUp);
      // A partial Fisher–Yates shuffle picks the ones to leave out.
      for (let i = 0; i < eligible.length && this.planned > target; i++) {
        const j = i + Math.floor(this.random.next() * (eligible.length - i));
        const c = eligible[j] as Candidate;
        eligible[j] = eligible[i] as Candidate;
        c.dropped = true;
        if (c.assessNumber === 1 && !c.isDefault) this.summary.stagesUnrated++;
        this.planned--;
      }
    }
  }

  private hashInput = Buffer.allocUnsafe(1 << 16);

  /** chainHash of src/ledger/canonical.ts: SM3(canonical ‖ previous hash), in one call on a reused buffer. */
  private chainHash(canonical: string, previous: Uint8Array): Buffer {
    const room = canonical.length * 3 + previous.length;
    if (room > this.hashInput.length) this.hashInput = Buffer.allocUnsafe(room * 2);
    const n = this.hashInput.write(canonical, 0, 'utf8');
    this.hashInput.set(previous, n);
    return oneShotHash('sm3', this.hashInput.subarray(0, n + previous.length), 'buffer');
  }

  private handlerOf(org: OrgPlan): Actor {
    let actor = this.handlerActors.get(org.id);
    if (!actor) {
      actor = { role: 'handler', id: demoActorId(`handler:${org.id}`) };
      this.handlerActors.set(org.id, actor);
    }
    return actor;
  }

  private supervisorOf(regionPath: string): Actor {
    const path = prefecturePath(regionPath);
    let actor = this.supervisorActors.get(path);
    if (!actor) {
      actor = { role: 'supervisor', id: demoActorId(`supervisor:${path}`) };
      this.supervisorActors.set(path, actor);
    }
    return actor;
  }

  /** The evaluations received on day k, in receipt order, with their slots, tickets and flags. */
  private *emitBucket(k: number): Generator<Chunk> {
    const list = this.buckets.get(k);
    this.buckets.delete(k);
    if (!list) return;
    list.sort((a, b) => a.receivedAt - b.receivedAt);
    const dayText = this.day(this.start + k * DAY);
    for (const c of list) {
      if (c.dropped) continue;
      this.emitEvaluation(c);
      if (this.builder.total >= this.settings.chunkRows) yield this.builder.take(dayText, this.written);
    }
  }

  private emitEvaluation(c: Candidate): void {
    const random = this.random;
    const b = this.builder;
    const stage = c.stage;
    const kase = stage.kase;
    const head = this.heads[this.written % this.heads.length];
    if (!head) throw new Error('no chain head');
    const id = uuid7(random, c.receivedAt);
    const chainId = head.chainId;
    const seq = head.seq + 1;
    const receipt = receiptNo(random);
    const receivedIso = iso(c.receivedAt);
    const assessedIso = iso(c.assessedAt);
    const assessedDay = this.day(c.assessedAt);
    const version = this.settings.indicatorVersion;
    const windowId = stage.window?.id ?? null;
    const staffId = stage.staff?.id ?? null;
    const clientId = flat('derived:', kase.projectNo, '#', stage.serviceNumber, '#', c.assessNumber);
    // The canonical record (src/ledger/canonical.ts, format 1), written out directly: the same text
    // as canonicalRecord(row) for the row as it will be read back (checkCanonical compares them).
    const q = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
    const canonical =
      `[1,"${id}",${chainId},${seq},"${receipt}","${receivedIso}","${assessedIso}","${assessedDay}","case_stage","${stage.id}","${kase.id}",${q(kase.projectNo)},` +
      `${stage.serviceNumber},${c.assessNumber},${c.level},${q(version)},${JSON.stringify(c.codes)},${q(c.comment)},"${c.channel}",${c.isDefault},${c.anonymous},` +
      `"${kase.regionCode}","${stage.org.id}","${kase.item.id}",${q(windowId)},${q(staffId)},${c.userProp ?? 'null'},null,null,null,null,null,${q(BENCH_SOURCE_APP)},${q(clientId)}]`;
    if (this.settings.checkCanonical) {
      const record: LedgerRecord = {
        id,
        chain_id: chainId,
        seq,
        receipt_no: receipt,
        received_at: new Date(Math.floor(c.receivedAt)),
        assessed_at: new Date(Math.floor(c.assessedAt)),
        assessed_day: assessedDay,
        subject: 'case_stage',
        case_stage_id: stage.id,
        case_id: kase.id,
        project_no: kase.projectNo,
        service_number: stage.serviceNumber,
        assess_number: c.assessNumber,
        level: c.level,
        indicator_version: version,
        indicator_codes: c.codes,
        comment: c.comment,
        channel: c.channel,
        is_default: c.isDefault,
        is_anonymous: c.anonymous,
        region_code: kase.regionCode,
        org_id: stage.org.id,
        item_id: kase.item.id,
        window_id: windowId,
        staff_id: staffId,
        user_prop: c.userProp,
        rater_pii: null,
        rater_pii_key_id: null,
        rater_masked: null,
        rater_phone_lookup: null,
        rater_cert_lookup: null,
        source_app: BENCH_SOURCE_APP,
        client_id: clientId,
      };
      if (canonicalRecord(record) !== canonical) throw new Error(`canonical text differs from canonicalRecord:\n${canonical}\n${canonicalRecord(record)}`);
    }
    const hash = this.chainHash(canonical, head.hash);
    head.seq = seq;
    head.hash = hash;
    this.written++;
    b.add(
      'evaluation',
      `${id}\t${chainId}\t${seq}\t\\\\x${hash.toString('hex')}\t${receipt}\t${receivedIso}\t${assessedIso}\t${assessedDay}\tcase_stage\t${stage.id}\t${kase.id}\t${esc(kase.projectNo)}\t${stage.serviceNumber}\t${c.assessNumber}\t${c.level}\t${esc(version)}\t${words(c.codes)}\t${opt(c.comment)}\t${c.channel}\t${c.isDefault ? 't' : 'f'}\t${c.anonymous ? 't' : 'f'}\t${kase.regionCode}\t${stage.org.id}\t${kase.item.id}\t${windowId ?? NULL}\t${staffId ?? NULL}\t${num(c.userProp)}\t${BENCH_SOURCE_APP}\t${esc(clientId)}`,
    );
    b.add('evaluation_slot', `${stage.id}\t${c.assessNumber}\t${id}`);
    const s = this.summary;
    if (c.isDefault) s.systemDefaults++;
    else if (c.assessNumber === 2) s.followUps++;
    else s.firstRatings++;
    s.levels[c.level] = (s.levels[c.level] ?? 0) + 1;
    s.channels[c.channel] = (s.channels[c.channel] ?? 0) + 1;
    if (BAD_LEVELS.has(c.level)) this.emitTicket(c, id, receipt);
  }

  private emitTicket(c: Candidate, evaluationId: string, receipt: string): void {
    const random = this.random;
    const b = this.builder;
    const ctx = this.ticketContext;
    const org = c.stage.org;
    const regionPath = this.regionPath.get(org.regionCode);
    if (regionPath === undefined) throw new Error(`region ${org.regionCode} has no path`);
    const deadlines = openingDeadlines(new Date(c.receivedAt), ctx.calendar, ctx.settings);
    const opening = openTicket({ verifyDueAt: deadlines.verifyDueAt, replyDueAt: deadlines.replyDueAt });
    const steps = planTicketSteps(random, { evaluatedAt: c.receivedAt, verifyDueAt: deadlines.verifyDueAt.getTime(), replyDueAt: deadlines.replyDueAt.getTime(), theme: c.theme }, ctx);
    const supervisor = this.supervisorOf(regionPath);
    const { ticket, events } = foldTicket(random, opening, steps, { handler: this.handlerOf(org), supervisor }, ctx);
    const id = uuid7(random, c.receivedAt);
    const p = projectionOf(ticket);
    const updatedAt = events.at(-1)?.at ?? c.receivedAt;
    b.add(
      'ticket',
      [
        id, evaluationId, receipt, c.stage.id, org.id, org.regionCode, esc(regionPath), c.stage.kase.regionCode, c.level, c.channel, iso(c.receivedAt), this.day(c.receivedAt),
        deadlines.verifyDueAt.toISOString(), deadlines.replyDueAt.toISOString(), p.state, p.version, p.verify_due_at.toISOString(), dateOpt(p.verify_done_at),
        p.reply_due_at.toISOString(), dateOpt(p.reply_done_at), p.extension_state ?? NULL, num(p.extension_days), p.appeal_kind ?? NULL, p.appeal_state ?? NULL,
        dateOpt(p.appeal_due_at), dateOpt(p.appeal_decided_at), words(p.escalated), p.reopen_count, p.last_callback ?? NULL, dateOpt(p.callback_at), dateOpt(p.last_reply_at),
        iso(updatedAt), words(['opened']),
      ].join('\t'),
    );
    events.forEach((e, i) => {
      const { type, ...payload } = e.event;
      b.add('ticket_event', `${id}\t${i + 1}\t${type}\t${esc(JSON.stringify(payload))}\t${e.actor.role}\t${esc(e.actor.id)}\t${iso(e.at)}\t${opt(e.note)}\t[]`);
      // The supervisor upheld the appeal: the evaluation leaves the figures by an append-only flag.
      if (e.event.type === 'decide_appeal' && e.event.upheld) {
        b.add('evaluation_event', `${uuid7(random, e.at)}\t${evaluationId}\tappeal_upheld\t${esc(e.note ?? `ticket ${id}`)}\t${esc(e.actor.id)}\t${iso(e.at)}`);
        this.summary.evaluationEvents++;
      }
    });
    // An open ticket keeps its watch booked (src/tickets/commands.ts step); a closed one's was cancelled.
    if (!TERMINAL_STATES.has(ticket.state)) {
      b.add('scheduled_job', `${uuid7(random, c.receivedAt)}\t${TICKET_WATCH}\t${id}\t${iso(updatedAt)}\t{}\t${iso(c.receivedAt)}`);
      this.summary.scheduledJobs++;
    }
    const s = this.summary;
    s.tickets++;
    s.ticketEvents += events.length;
    s.ticketStates[ticket.state] = (s.ticketStates[ticket.state] ?? 0) + 1;
  }
}
