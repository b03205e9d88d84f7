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
      store.save(revoked);
      r.notices.announce('sessions');
    },
    onChange(fn) {
      r.notices.on('change', (area) => area === 'sessions' && fn());
      r.notices.on('reload', fn);
    },
  };
}
