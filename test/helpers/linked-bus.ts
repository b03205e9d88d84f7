import type { PeerBus } from '../../src/cluster/peer-bus.js';

/**
 * linkedBuses: two workers' buses joined as the primary's relay joins them: what one publishes reaches
 * the other (never itself), as JSON, asynchronously.
 */
export function linkedBuses(): [PeerBus, PeerBus] {
  const subs = [
    new Map<string, Array<(d: unknown) => void>>(),
    new Map<string, Array<(d: unknown) => void>>(),
  ];
  const bus = (me: number): PeerBus => ({
    publish(topic, data) {
      const copy = JSON.parse(JSON.stringify(data)) as unknown;
      setImmediate(() => (subs[1 - me].get(topic) ?? []).forEach((fn) => fn(copy)));
    },
    subscribe(topic, fn) {
      subs[me].set(topic, [...(subs[me].get(topic) ?? []), fn]);
    },
  });
  return [bus(0), bus(1)];
}

/** recordingBus: a bus that keeps what is published and lets a test deliver to its subscribers. */
export function recordingBus(): PeerBus & {
  sent: Array<[string, unknown]>;
  deliver(topic: string, data: unknown): void;
} {
  const subs = new Map<string, Array<(d: unknown) => void>>();
  const sent: Array<[string, unknown]> = [];
  return {
    sent,
    publish: (topic, data) => void sent.push([topic, data]),
    subscribe: (topic, fn) => void subs.set(topic, [...(subs.get(topic) ?? []), fn]),
    deliver: (topic, data) => (subs.get(topic) ?? []).forEach((fn) => fn(data)),
  };
}

/** tick waits for the relay's setImmediate delivery. */
export const tick = () => new Promise((r) => setImmediate(r));
