// A piece of background work run every `intervalMs` in this process, never twice at once: the
// score feed and the risk assessor tick this way. A failed tick is logged and retried at the next.
export interface Ticker {
  /** Resolves once the tick under way (if any) has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Ticks only when intervalMs > 0 (0: the caller drives the work by hand, as tests do). */
export function startTicker(work: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): Ticker {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = work()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  if (intervalMs > 0) timer = setTimeout(tick, intervalMs);
  return {
    settled: async () => {
      await running;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
