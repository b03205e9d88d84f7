import type { Backend } from './backend.js';

/** What a selector may use besides the pool: who is asking. */
export interface SelectionFacts {
  user: string;
}

/**
 * A selection policy. select returns one backend of the pool, or undefined when the pool is empty.
 * The pool holds only available backends (isAvailable decided that); a selector never reads health.
 */
export interface Selector {
  select(pool: readonly Backend[], facts: SelectionFacts): Backend | undefined;
}
