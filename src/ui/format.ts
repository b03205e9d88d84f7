import type { Backend } from '../backends/backend.js';

/** Times are shown in UTC, labelled as such: the server cannot know the reader's zone without a script. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatCount(n: number | null | undefined, empty = ''): string {
  return n === null || n === undefined ? empty : n.toLocaleString('en-US');
}

export type BadgeKind = 'ok' | 'bad' | 'warn' | 'off';

/** healthBadge maps a backend's health state to a badge colour and label. */
export function healthBadge(b: Backend): { kind: BadgeKind; label: string } {
  switch (b.health) {
    case 'HEALTHY':
      return { kind: 'ok', label: 'healthy' };
    case 'UNHEALTHY':
      return { kind: 'bad', label: 'unhealthy' };
    case 'PENDING':
      return { kind: 'warn', label: 'pending' };
    default:
      return { kind: 'off', label: 'unknown' };
  }
}

/** activity says whether a backend takes new queries, is draining, or is drained. */
export function activity(b: Backend): { kind: BadgeKind; label: string } {
  if (b.active) return { kind: 'ok', label: 'active' };
  return b.inFlight > 0
    ? { kind: 'warn', label: `draining (${b.inFlight} in flight)` }
    : { kind: 'off', label: 'drained' };
}

export function stateBadge(state: string): BadgeKind {
  if (state === 'FINISHED' || state === 'applied') return 'ok';
  if (state === 'FAILED' || state === 'failed') return 'bad';
  if (state === 'RUNNING' || state === 'pending' || state === 'dropping') return 'warn';
  return 'off';
}
