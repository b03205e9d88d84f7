import type { RevocationStore } from '../ui/session.js';
import type { Replica } from './replica.js';

/**
 * sharedRevocations makes console logouts hold in every process on the store: a save is announced, and
 * a notice from another process makes the session codec merge the stored revocations.
 */
export function sharedRevocations(store: RevocationStore, r: Replica): RevocationStore {
  return {
    load: () => store.load(),
    save(revoked) {
      // Announced once written: the others re-read the stored value when told.
      void Promise.resolve(store.save(revoked)).then(() => r.notices.announce('sessions'));
    },
    onChange(fn) {
      const again = () => (store.refresh ? void store.refresh().then(fn, fn) : fn());
      r.notices.on('change', (area) => area === 'sessions' && again());
      r.notices.on('reload', again);
    },
  };
}
