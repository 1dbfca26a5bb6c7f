import type { Clock } from '../../src/core/index.ts';

export type TestClock = Clock & { set(at: string | Date): void; advance(ms: number): void };

export function createTestClock(start: string | Date): TestClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}
