import { isAvailable, type Backend } from './backend.js';
import type { BackendRegistry } from './registry.js';
import type { SelectionFacts, Selector } from './selector.js';
import { createSelector } from './selectors/index.js';

export interface Pick {
  backend: Backend;
  /** The group whose pool supplied the backend (the fallback group when the first was empty). */
  group: string;
  policy: string;
}

/**
 * BackendPicker turns a routing group into a backend: the pool is the group's available backends
 * (isAvailable, the one rule), the group's policy selects, and an empty pool falls back to the
 * group's configured fallback group (one hop, no chains).
 */
export class BackendPicker {
  private readonly selectors = new Map<string, Selector>();

  constructor(private readonly registry: BackendRegistry) {}

  pick(group: string, facts: SelectionFacts, exclude?: Backend): Pick | undefined {
    const first = this.pickIn(group, facts, exclude);
    if (first) return first;
    const fallback = this.registry.group(group)?.fallback;
    return fallback ? this.pickIn(fallback, facts, exclude) : undefined;
  }

  /** pool lists the group's backends that may take a new query now. */
  pool(group: string, exclude?: Backend): Backend[] {
    return this.registry.inGroup(group).filter((b) => b !== exclude && isAvailable(b));
  }

  private pickIn(group: string, facts: SelectionFacts, exclude?: Backend): Pick | undefined {
    const policy = this.registry.group(group)?.policy ?? 'least-loaded';
    const backend = this.selector(group, policy).select(this.pool(group, exclude), facts);
    return backend ? { backend, group, policy } : undefined;
  }

  private selector(group: string, policy: string): Selector {
    const key = `${group}\u0000${policy}`;
    let s = this.selectors.get(key);
    if (!s) {
      s = createSelector(policy);
      this.selectors.set(key, s);
    }
    return s;
  }
}
