/**
 * The messages between the worker processes of one host (server.workers), relayed by the primary. A
 * worker publishes; the primary passes the message to every other live worker; nothing is stored, so a
 * message is for what a worker can also learn otherwise (a reload from the database, its own next probe).
 */

/** The envelope on the IPC channel: `kind` keeps these apart from any other message. */
export interface PeerEnvelope {
  kind: typeof PEER_KIND;
  topic: string;
  data: unknown;
}

export const PEER_KIND = 'switchyard:peer';

/** A role the primary gives a worker: whether it runs the once-per-host loops. */
export interface RoleMessage {
  kind: typeof ROLE_KIND;
  leader: boolean;
}

export const ROLE_KIND = 'switchyard:role';

/** What a worker tells the primary once it listens (a worker that dies before never gets restarted). */
export const READY_KIND = 'switchyard:ready';

/** What a worker that cannot start tells the primary instead of printing it: `{ kind, message }`. */
export const START_FAILED_KIND = 'switchyard:start-failed';

/** PeerBus: publish to the host's other workers, subscribe to what they publish. */
export interface PeerBus {
  /** publish sends `data` (JSON-serialisable, small) to every other worker; never back to this one. */
  publish(topic: string, data: unknown): void;
  subscribe(topic: string, fn: (data: unknown) => void): void;
}

/** noPeers is the bus of a gateway alone in its process group (server.workers: 1): nobody to tell. */
export const noPeers: PeerBus = { publish() {}, subscribe() {} };

/** isEnvelope: a message on the IPC channel is one of the bus's. */
export function isEnvelope(m: unknown): m is PeerEnvelope {
  const e = m as Partial<PeerEnvelope> | null;
  return !!e && typeof e === 'object' && e.kind === PEER_KIND && typeof e.topic === 'string';
}

/**
 * ipcPeerBus is a worker's bus over its IPC channel to the primary (process.send). A send while the
 * channel is closing (the worker stops, the primary is gone) is dropped: nothing is waited for.
 */
export function ipcPeerBus(proc: NodeJS.Process = process): PeerBus {
  const subscribers = new Map<string, Array<(data: unknown) => void>>();
  proc.on('message', (m: unknown) => {
    if (!isEnvelope(m)) return;
    for (const fn of subscribers.get(m.topic) ?? []) fn(m.data);
  });
  return {
    publish(topic, data) {
      if (!proc.send || !proc.connected) return;
      const envelope: PeerEnvelope = { kind: PEER_KIND, topic, data };
      try {
        proc.send(envelope, undefined, {}, () => undefined);
      } catch {
        // The channel closed meanwhile: the worker is stopping.
      }
    },
    subscribe(topic, fn) {
      subscribers.set(topic, [...(subscribers.get(topic) ?? []), fn]);
    },
  };
}
