import type { Selector } from '../selector.js';
import { leastLoaded } from './least-loaded.js';
import { randomPick } from './random.js';
import { roundRobin } from './round-robin.js';
import { userHash } from './user-hash.js';
import { weighted } from './weighted.js';

/** Selection policies by the name used in config; an unknown name fails at startup. */
export const SELECTORS: Record<string, () => Selector> = {
  'least-loaded': () => leastLoaded(),
  'round-robin': () => roundRobin(),
  random: () => randomPick(),
  weighted: () => weighted(),
  'user-hash': () => userHash(),
};

export function createSelector(name: string): Selector {
  const make = Object.hasOwn(SELECTORS, name) ? SELECTORS[name] : undefined; // not 'toString' & co.
  if (!make)
    throw new Error(`unknown selection policy "${name}" (known: ${Object.keys(SELECTORS).join(', ')})`);
  return make();
}
