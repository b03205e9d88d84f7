import type { LoginLimiter } from './console-deps.js';

interface Entry {
  failures: number;
  /** No attempt before this time, epoch ms. */
  until: number;
  last: number;
}

/**
 * memoryLoginLimiter: the first `free` failures of a key cost nothing; each further failure doubles the
 * wait (1 s, 2 s, 4 s … up to maxWaitMs). A key's failures are forgotten after `forgetMs` of quiet or on a
 * successful sign-in. Used when the gateway passes no limiter of its own.
 */
export function memoryLoginLimiter(
  opts: { free?: number; maxWaitMs?: number; forgetMs?: number; now?: () => number } = {},
): LoginLimiter {
  const free = opts.free ?? 5;
  const maxWait = opts.maxWaitMs ?? 15 * 60_000;
  const forget = opts.forgetMs ?? 60 * 60_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const e = entries.get(key);
    if (e && now() - e.last > forget) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    check: (key) => Math.max(0, (live(key)?.until ?? 0) - now()),
    fail(key) {
      if (entries.size > 10_000) for (const k of entries.keys()) live(k);
      const e = live(key) ?? { failures: 0, until: 0, last: 0 };
      e.failures += 1;
      e.last = now();
      if (e.failures > free) e.until = now() + Math.min(maxWait, 1000 * 2 ** (e.failures - free - 1));
      entries.set(key, e);
    },
    succeed: (key) => void entries.delete(key),
  };
}
