import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ipcPeerBus, isEnvelope, noPeers, PEER_KIND } from '../../src/cluster/peer-bus.js';

/** A worker process's IPC side: what it sends is kept; what the primary relays arrives as 'message'. */
function workerProcess(o: { connected?: boolean; throws?: boolean } = {}) {
  const proc = new EventEmitter() as EventEmitter & { connected: boolean; sent: unknown[]; send?: unknown };
  proc.connected = o.connected ?? true;
  proc.sent = [];
  proc.send = (m: unknown) => {
    if (o.throws) throw new Error('channel closed');
    proc.sent.push(m);
    return true;
  };
  return proc;
}

describe('isEnvelope', () => {
  it('tells the bus messages from any other on the channel', () => {
    expect(isEnvelope({ kind: PEER_KIND, topic: 't', data: 1 })).toBe(true);
    expect(isEnvelope({ kind: PEER_KIND, topic: 't' })).toBe(true);
    expect(isEnvelope({ kind: PEER_KIND, topic: 3 })).toBe(false);
    expect(isEnvelope({ kind: 'switchyard:role', topic: 't' })).toBe(false);
    expect(isEnvelope(null)).toBe(false);
    expect(isEnvelope('switchyard:peer')).toBe(false);
  });
});

describe('ipcPeerBus', () => {
  it('sends an envelope naming the topic to the primary', () => {
    const proc = workerProcess();
    const bus = ipcPeerBus(proc as unknown as NodeJS.Process);
    bus.publish('change', 'users');
    expect(proc.sent).toEqual([{ kind: PEER_KIND, topic: 'change', data: 'users' }]);
  });

  it('delivers relayed envelopes to the subscribers of their topic only', () => {
    const proc = workerProcess();
    const bus = ipcPeerBus(proc as unknown as NodeJS.Process);
    const a: unknown[] = [];
    const b: unknown[] = [];
    bus.subscribe('a', (d) => a.push(d));
    bus.subscribe('a', (d) => a.push(['again', d]));
    bus.subscribe('b', (d) => b.push(d));
    proc.emit('message', { kind: PEER_KIND, topic: 'a', data: 1 });
    proc.emit('message', { kind: 'switchyard:role', topic: 'a', data: 2 });
    proc.emit('message', { kind: PEER_KIND, topic: 'c', data: 3 });
    expect(a).toEqual([1, ['again', 1]]);
    expect(b).toEqual([]);
  });

  it('drops a publish when the channel is closed, closing, or has no send', () => {
    const closed = workerProcess({ connected: false });
    ipcPeerBus(closed as unknown as NodeJS.Process).publish('t', 1);
    expect(closed.sent).toEqual([]);
    const closing = workerProcess({ throws: true });
    expect(() => ipcPeerBus(closing as unknown as NodeJS.Process).publish('t', 1)).not.toThrow();
    const primary = workerProcess();
    delete primary.send;
    expect(() => ipcPeerBus(primary as unknown as NodeJS.Process).publish('t', 1)).not.toThrow();
  });
});

describe('noPeers', () => {
  it('publishes to nobody and never calls a subscriber', () => {
    let called = false;
    noPeers.subscribe('t', () => (called = true));
    noPeers.publish('t', 1);
    expect(called).toBe(false);
  });
});
