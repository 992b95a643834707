// A small seeded pseudo-random generator for the demo data: the same seed gives the same province.
// mulberry32 (public domain): 32 bits of state, fast, good enough for test data, not for secrets.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An item chosen with probability proportional to its weight. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  /** Standard normal (Box–Muller). */
  gauss(): number;
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
  /** An unsigned 32-bit integer. */
  uint32(): number;
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let target = next() * total;
      for (const [item, weight] of items) {
        target -= weight;
        if (target < 0) return item;
      }
      const last = items.at(-1);
      if (!last) throw new Error('weighted pick from an empty list');
      return last[0];
    },
    gauss() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
    uint32: () => Math.floor(next() * 4294967296) >>> 0,
  };
  return random;
}

/** Sample from cumulative weights by binary search: index i with probability w[i] / Σw. */
export class CumulativeSampler<T> {
  private readonly totals: number[] = [];
  private readonly items: T[] = [];
  private sum = 0;

  add(item: T, weight: number): void {
    if (!(weight > 0)) return;
    this.sum += weight;
    this.totals.push(this.sum);
    this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  sample(random: Random): T {
    if (this.items.length === 0) throw new Error('sampling from no items');
    const target = random.next() * this.sum;
    let low = 0;
    let high = this.totals.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.totals[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    return this.items[low] as T;
  }
}
