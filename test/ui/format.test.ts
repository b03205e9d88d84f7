import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import {
  activity,
  formatClock,
  formatCount,
  formatDuration,
  formatTime,
  healthBadge,
  stateBadge,
} from '../../src/ui/format.js';

/** A backend as the console reads it: only the fields format.ts looks at. */
const backend = (b: Partial<Pick<Backend, 'health' | 'active' | 'inFlight'>>) =>
  ({ health: 'UNKNOWN', active: true, inFlight: 0, ...b }) as Backend;

describe('formatTime and formatClock (UTC)', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    [0, '1970-01-01 00:00:00'],
    [Date.UTC(2026, 11, 2, 7, 5, 9, 999), '2026-12-02 07:05:09'],
  ])('formatTime(%s) is %j', (ms, want) => {
    expect(formatTime(ms)).toBe(want);
  });

  it.each([
    [0, '00:00'],
    [Date.UTC(2026, 0, 1, 23, 59, 59), '23:59'],
  ])('formatClock(%s) is %j', (ms, want) => {
    expect(formatClock(ms)).toBe(want);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [59_949, '59.9 s'],
    [60_000, '1 min 0 s'],
    [61_500, '1 min 2 s'],
    [3_599_000, '59 min 59 s'],
    [3_600_000, '1 h 0 min'],
    [26 * 3_600_000 + 5 * 60_000, '26 h 5 min'],
  ])('formatDuration(%s) is %j', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

describe('formatCount', () => {
  it.each([
    [null, undefined, ''],
    [undefined, '-', '-'],
    [0, undefined, '0'],
    [1234567, undefined, '1,234,567'],
  ])('formatCount(%s, %j) is %j', (n, empty, want) => {
    expect(formatCount(n, empty)).toBe(want);
  });
});

describe('badges', () => {
  it.each([
    ['HEALTHY', 'ok', 'healthy'],
    ['UNHEALTHY', 'bad', 'unhealthy'],
    ['PENDING', 'warn', 'pending'],
    ['UNKNOWN', 'off', 'unknown'],
  ] as const)('healthBadge of a %s backend is %s/%s', (health, kind, label) => {
    expect(healthBadge(backend({ health }))).toEqual({ kind, label });
  });

  it.each([
    [true, 0, 'ok', 'active'],
    [true, 3, 'ok', 'active'],
    [false, 2, 'warn', 'draining (2 in flight)'],
    [false, 0, 'off', 'drained'],
  ])('activity of active=%s inFlight=%s is %s/%j', (active, inFlight, kind, label) => {
    expect(activity(backend({ active, inFlight }))).toEqual({ kind, label });
  });

  it.each([
    ['FINISHED', 'ok'],
    ['applied', 'ok'],
    ['FAILED', 'bad'],
    ['failed', 'bad'],
    ['RUNNING', 'warn'],
    ['pending', 'warn'],
    ['dropping', 'warn'],
    ['QUEUED', 'off'],
    ['', 'off'],
  ])('stateBadge(%j) is %s', (state, want) => {
    expect(stateBadge(state)).toBe(want);
  });
});
