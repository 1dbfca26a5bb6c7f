import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  DUPLICATE_SIGNAL_WINDOW_MS,
  onStopSignals,
  portVariable,
  stopWhenParentExits,
} from '../../src/lifecycle.ts';

describe('onStopSignals', () => {
  it('stops on the first signal, ignores its echo, and forces on a later one', () => {
    const target = new EventEmitter();
    let now = 1_000;
    const calls: string[] = [];
    onStopSignals({
      stop: (signal) => calls.push(`stop ${signal}`),
      force: (signal) => calls.push(`force ${signal}`),
      now: () => now,
      target: target as unknown as Pick<NodeJS.Process, 'on'>,
    });
    target.emit('SIGINT');
    now += 5;
    target.emit('SIGINT');
    expect(calls).toEqual(['stop SIGINT']);
    now += DUPLICATE_SIGNAL_WINDOW_MS;
    target.emit('SIGTERM');
    expect(calls).toEqual(['stop SIGINT', 'force SIGTERM']);
  });
});

describe('portVariable', () => {
  it('names the variable that decided the port', () => {
    expect(portVariable({})).toBe('PORT');
    expect(portVariable({ FLASK_PORT: '5000' })).toBe('FLASK_PORT');
    expect(portVariable({ PORT: '3000', FLASK_PORT: '5000' })).toBe('PORT');
    expect(portVariable({ CONTAINER_PORT: '3000', FLASK_PORT: '5000' })).toBe('CONTAINER_PORT');
  });
});

describe('stopWhenParentExits', () => {
  it('stops once when npm, the parent, is gone (re-parented), and only for npm-started runs', () => {
    vi.useFakeTimers();
    try {
      let parent = 4242;
      let stops = 0;
      stopWhenParentExits({
        startedByNpm: true,
        stop: () => (stops += 1),
        parentPid: () => parent,
        intervalMs: 100,
      });
      let directStops = 0;
      stopWhenParentExits({
        startedByNpm: false,
        stop: () => (directStops += 1),
        parentPid: () => parent,
        intervalMs: 100,
      });
      vi.advanceTimersByTime(1_000);
      expect(stops).toBe(0);
      parent = 1;
      vi.advanceTimersByTime(1_000);
      expect(stops).toBe(1);
      expect(directStops).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
