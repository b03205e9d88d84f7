import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PEER_KIND, READY_KIND, ROLE_KIND } from '../../src/cluster/peer-bus.js';
import { soleReplica, workerReplica } from '../../src/cluster/replica.js';

/** A worker process's IPC side: what it sends is kept; what the primary sends arrives as 'message'. */
function workerProcess(connected = true) {
  const proc = Object.assign(new EventEmitter(), { connected, sent: [] as unknown[] });
  const send = (m: unknown) => (proc.sent.push(m), true);
  return Object.assign(proc, { send });
}
const asProcess = (p: EventEmitter) => p as unknown as NodeJS.Process;

describe('soleReplica', () => {
  it('is worker 0, always leads, and tells nobody', () => {
    expect(soleReplica.worker).toBe(0);
    expect(soleReplica.leadership.isLeader()).toBe(true);
    expect(() => soleReplica.ready()).not.toThrow();
  });
});

describe('workerReplica', () => {
  it('tells the primary it is ready, over an open channel only', () => {
    const proc = workerProcess();
    workerReplica(2, asProcess(proc)).ready();
    expect(proc.sent).toEqual([{ kind: READY_KIND }]);
    const closed = workerProcess(false);
    workerReplica(2, asProcess(closed)).ready();
    expect(closed.sent).toEqual([]);
  });

  it('joins its notices to its bus and its leadership to the primary’s roles', () => {
    const proc = workerProcess();
    const r = workerReplica(3, asProcess(proc));
    expect(r.worker).toBe(3);
    const heard: string[] = [];
    r.notices.on('change', (area) => heard.push(area));
    r.notices.announce('users');
    expect(proc.sent).toEqual([{ kind: PEER_KIND, topic: 'change', data: 'users' }]);
    proc.emit('message', { kind: PEER_KIND, topic: 'change', data: 'rules' });
    expect(heard).toEqual(['rules']);
    expect(r.leadership.isLeader()).toBe(false);
    proc.emit('message', { kind: ROLE_KIND, leader: true });
    expect(r.leadership.isLeader()).toBe(true);
  });
});
