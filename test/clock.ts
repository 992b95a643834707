import type { Clock } from '../src/clock.ts';

export interface TestClock extends Clock {
  set(instant: Date | string): void;
  advance(ms: number): void;
}

/** A clock that stands still until moved. */
export function testClock(start: Date | string): TestClock {
  let now = new Date(start);
  const clock = (() => new Date(now)) as TestClock;
  clock.set = (instant) => {
    now = new Date(instant);
  };
  clock.advance = (ms) => {
    now = new Date(now.getTime() + ms);
  };
  return clock;
}
