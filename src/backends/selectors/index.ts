import type { Selector } from '../selector.js';
import { leastLoaded } from './least-loaded.js';

/** Selection policies by the name used in config; an unknown name fails at startup. */
export const SELECTORS: Record<string, () => Selector> = {
  'least-loaded': () => leastLoaded(),
};

export function createSelector(name: string): Selector {
  const make = SELECTORS[name];
  if (!make)
    throw new Error(`unknown selection policy "${name}" (known: ${Object.keys(SELECTORS).join(', ')})`);
  return make();
}
