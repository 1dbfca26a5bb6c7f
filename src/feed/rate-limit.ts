/**
 * Fixed-window counters kept in memory, synchronous (a feed request must not pay an async hop or a
 * store round trip to be counted). One limiter per purpose, keyed by what it limits: a client
 * address for unknown-token guesses and admin authentication failures, a token for feed hits.
 */
export type WindowLimiter = {
  /** True when `key` already used up its budget in the current window (does not count). */
  isBlocked(key: string): boolean;
  /** Counts one hit for `key`; true when it is still within the budget. */
  hit(key: string): boolean;
  /** Keys currently tracked (for tests and metrics). */
  size(): number;
};

type Window = { count: number; resetAtMs: number };

/** Beyond this many tracked keys, expired windows are swept before adding another. */
const SWEEP_ABOVE = 10_000;

export function createWindowLimiter(options: {
  readonly max: number;
  readonly windowMs: number;
  readonly nowMs?: () => number;
}): WindowLimiter {
  const windows = new Map<string, Window>();
  const nowMs = options.nowMs ?? Date.now;

  function current(key: string, now: number): Window | undefined {
    const window = windows.get(key);
    if (window === undefined) return undefined;
    if (now >= window.resetAtMs) {
      windows.delete(key);
      return undefined;
    }
    return window;
  }

  function sweep(now: number): void {
    for (const [key, window] of windows) if (now >= window.resetAtMs) windows.delete(key);
  }

  return {
    isBlocked(key) {
      const window = current(key, nowMs());
      return window !== undefined && window.count >= options.max;
    },
    hit(key) {
      const now = nowMs();
      const window = current(key, now);
      if (window !== undefined) {
        window.count += 1;
        return window.count <= options.max;
      }
      if (windows.size >= SWEEP_ABOVE) sweep(now);
      windows.set(key, { count: 1, resetAtMs: now + options.windowMs });
      return 1 <= options.max;
    },
    size() {
      return windows.size;
    },
  };
}
