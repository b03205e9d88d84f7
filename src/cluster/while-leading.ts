import type { Leadership } from './leadership.js';

/**
 * whileLeading calls `start` each time this process becomes the leader (at once when it already is),
 * with a signal that aborts when it stops leading or `signal` aborts: the loops started with it stop
 * with the term.
 */
export function whileLeading(l: Leadership, signal: AbortSignal, start: (term: AbortSignal) => void): void {
  let term: AbortController | undefined;
  const begin = () => {
    if (term || signal.aborted) return;
    term = new AbortController();
    start(AbortSignal.any([term.signal, signal]));
  };
  l.on('change', (leading) => {
    if (leading) begin();
    else {
      term?.abort();
      term = undefined;
    }
  });
  if (l.isLeader()) begin();
}
