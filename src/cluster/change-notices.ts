import { EventEmitter } from 'node:events';
import type { PeerBus } from './peer-bus.js';

/**
 * What a notice names: the area whose tables to reload. The PostgreSQL feed's areas
 * (src/store/pg/change-notice.ts) plus `sessions` (console logouts).
 */
export type ChangeArea = 'backends' | 'users' | 'catalogs' | 'rules' | 'sessions';

const AREAS = new Set<string>(['backends', 'users', 'catalogs', 'rules', 'sessions']);

/**
 * ChangeNotices tells this process about admin changes other processes committed, so it reloads the area
 * from the store. The PostgreSQL ChangeFeed (LISTEN/NOTIFY plus a version check) has the same events and
 * can replace the IPC one behind this interface; there announce is a no-op, since the write's own
 * transaction sends the notice.
 */
export interface ChangeNotices {
  /** announce tells the others that this process committed a change to `area` (after the commit). */
  announce(area: ChangeArea): void;
  /** change: another process changed `area`; reload: changes may have been missed, reload every area. */
  on(event: 'change', fn: (area: ChangeArea) => void): unknown;
  on(event: 'reload', fn: () => void): unknown;
}

/** noNotices: a gateway alone on its store hears of nothing (it made every change itself). */
export const noNotices: ChangeNotices = { announce() {}, on: () => undefined };

const TOPIC = 'change';

/**
 * PeerChangeNotices sends notices between the workers of one host over the primary's IPC relay. Why not a
 * version row polled on an interval: SQLite has no LISTEN, and polling each worker's connection every
 * 250 ms costs reads forever for changes that come a few times a day, while the relay delivers within
 * milliseconds. What the relay cannot do is tell a worker of a change made while it was not running; a
 * worker (re)started reads everything at start, so none is missed.
 */
export class PeerChangeNotices
  extends EventEmitter<{ change: [area: ChangeArea]; reload: [] }>
  implements ChangeNotices
{
  constructor(private readonly bus: PeerBus) {
    super();
    bus.subscribe(TOPIC, (data) => {
      if (typeof data === 'string' && AREAS.has(data)) this.emit('change', data as ChangeArea);
    });
  }

  announce(area: ChangeArea): void {
    this.bus.publish(TOPIC, area);
  }
}
