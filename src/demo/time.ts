// Simulated time for the demo: Beijing calendar days, office hours, and when people come.
import { CumulativeSampler, type Random } from './random.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const BEIJING = 8 * HOUR;

/** How a case reaches the government: at a hall window, online, or through the 12345 hotline. */
export type Mode = 'hall' | 'online' | 'hotline';

export function beijingMidnight(ms: number): number {
  return Math.floor((ms + BEIJING) / DAY) * DAY - BEIJING;
}

export function beijingWeekday(ms: number): number {
  return new Date(ms + BEIJING).getUTCDay();
}

export function beijingDate8(ms: number): string {
  return new Date(ms + BEIJING).toISOString().slice(0, 10).replaceAll('-', '');
}

/** The same instant if it falls in office hours (Mon–Fri 9:00–12:00, 13:30–17:30), else the start of the next office period. */
export function intoOfficeHours(random: Random, ms: number): number {
  let at = ms;
  for (let guard = 0; guard < 14; guard++) {
    const day = beijingMidnight(at);
    const weekday = beijingWeekday(day);
    const hour = (at - day) / HOUR;
    if (weekday >= 1 && weekday <= 5) {
      if (hour < 9) return day + 9 * HOUR + random.int(0, 45) * MINUTE;
      if (hour < 12) return at;
      if (hour < 13.5) return day + 13.5 * HOUR + random.int(0, 30) * MINUTE;
      if (hour < 17.5) return at;
    }
    at = day + DAY;
  }
  return at;
}

// Weights of the 48 half-hour slots of a day, per kind of case.
function slotWeights(mode: Mode): number[] {
  const weights = new Array<number>(48).fill(0);
  const set = (fromHour: number, toHour: number, weight: number) => {
    for (let slot = fromHour * 2; slot < toHour * 2; slot++) weights[slot] = weight;
  };
  if (mode === 'hall') {
    set(9, 9.5, 0.9);
    set(9.5, 11, 1.3);
    set(11, 12, 1.0);
    set(13.5, 15, 0.8);
    set(15, 16.5, 0.9);
    set(16.5, 17.5, 0.5);
  } else if (mode === 'online') {
    set(0, 7, 0.04);
    set(7, 9, 0.4);
    set(9, 11.5, 1.0);
    set(11.5, 14, 0.6);
    set(14, 17.5, 0.9);
    set(17.5, 19, 0.5);
    set(19, 22.5, 0.8);
    set(22.5, 24, 0.3);
  } else {
    set(0, 8, 0.02);
    set(8, 12, 1.0);
    set(12, 14, 0.6);
    set(14, 18, 0.9);
    set(18, 22, 0.5);
    set(22, 24, 0.1);
  }
  return weights;
}

function dayWeight(mode: Mode, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  if (mode === 'hall') return weekday === 0 ? 0 : weekday === 6 ? 0.12 : 1; // 周六不打烊 in some halls
  if (mode === 'online') return weekend ? 0.5 : 1;
  return weekend ? 0.7 : 1;
}

export class TimeSampler {
  private readonly days: CumulativeSampler<number>;
  private readonly slots: CumulativeSampler<number>;

  constructor(
    mode: Mode,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.days = new CumulativeSampler<number>();
    const firstDay = beijingMidnight(start);
    const span = Math.max(1, end - start);
    for (let day = firstDay; day < end; day += DAY) {
      const covered = Math.min(day + DAY, end) - Math.max(day, start);
      if (covered <= 0) continue;
      // A slight growth over the period, as adoption spreads.
      const trend = 0.9 + 0.2 * ((day - start) / span);
      this.days.add(day, dayWeight(mode, beijingWeekday(day)) * trend * (covered / DAY));
    }
    if (this.days.size === 0) this.days.add(firstDay, 1);
    this.slots = new CumulativeSampler<number>();
    slotWeights(mode).forEach((weight, slot) => this.slots.add(slot, weight));
  }

  sample(random: Random): number {
    for (let attempt = 0; attempt < 20; attempt++) {
      const at = this.days.sample(random) + this.slots.sample(random) * 30 * MINUTE + Math.floor(random.next() * 30 * MINUTE);
      if (at >= this.start && at <= this.end) return at;
    }
    return this.start + Math.floor(random.next() * (this.end - this.start));
  }
}
