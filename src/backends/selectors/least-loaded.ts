import type { Backend } from '../backend.js';
import type { Selector } from '../selector.js';

/**
 * load is the gateway's own live count (queries in flight plus submissions awaiting their first answer)
 * plus the queued and running queries the backend reported.
 */
export const load = (b: Backend): number =>
  b.inFlight + b.submitting + (b.stats ? b.stats.runningQueries + b.stats.queuedQueries : 0);

/** leastLoaded picks the backend with the lowest load; ties are broken at random. */
export function leastLoaded(random: () => number = Math.random): Selector {
  return {
    select(pool) {
      let best: Backend | undefined;
      let bestLoad = Infinity;
      let ties = 0;
      for (const b of pool) {
        const l = load(b);
        if (l < bestLoad) {
          best = b;
          bestLoad = l;
          ties = 1;
        } else if (l === bestLoad && random() * ++ties < 1) {
          best = b; // reservoir sampling: each tied backend wins with probability 1/ties
        }
      }
      return best;
    },
  };
}
