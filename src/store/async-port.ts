/** The synchronous form of an async port: every method returns its value instead of a promise of it. */
export type SyncOf<P> = {
  [K in keyof P]: P[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => R : never;
};

/**
 * asyncPort offers a synchronous implementation (a better-sqlite3 repo) as its async port. Each call runs
 * at once, as before, and returns a settled promise: a throw becomes a rejection, so callers handle one
 * failure path for both dialects. `methods` lists every method of the port (checked by the compiler).
 */
export function asyncPort<P extends object>(impl: SyncOf<P>, methods: { [K in keyof P]: true }): P {
  const port: Record<string, unknown> = {};
  for (const name of Object.keys(methods)) {
    const fn = (impl as Record<string, (...a: unknown[]) => unknown>)[name]!.bind(impl);
    port[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve(fn(...args));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  return port as P;
}
