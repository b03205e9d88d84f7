import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { IpcLeadership, soleLeader } from '../../src/cluster/leadership.js';
import { ROLE_KIND } from '../../src/cluster/peer-bus.js';

/** A worker process's IPC side: the primary's messages arrive as 'message' events. */
const workerProcess = () => new EventEmitter();
const asProcess = (e: EventEmitter) => e as unknown as NodeJS.Process;

describe('IpcLeadership', () => {
  it('starts not leading and follows the roles the primary gives, telling each change once', () => {
    const proc = workerProcess();
    const l = new IpcLeadership(asProcess(proc));
    const changes: boolean[] = [];
    l.on('change', (leading) => changes.push(leading));
    expect(l.isLeader()).toBe(false);
    proc.emit('message', { kind: ROLE_KIND, leader: true });
    expect(l.isLeader()).toBe(true);
    proc.emit('message', { kind: ROLE_KIND, leader: true });
    proc.emit('message', { kind: ROLE_KIND, leader: false });
    proc.emit('message', { kind: ROLE_KIND, leader: false });
    expect(l.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('ignores messages that are not a role', () => {
    const proc = workerProcess();
    const l = new IpcLeadership(asProcess(proc));
    const changes: boolean[] = [];
    l.on('change', (leading) => changes.push(leading));
    for (const m of [
      null,
      'leader',
      { kind: 'switchyard:peer', leader: true },
      { kind: ROLE_KIND, leader: 'true' },
      { kind: ROLE_KIND },
    ]) {
      proc.emit('message', m);
    }
    expect(l.isLeader()).toBe(false);
    expect(changes).toEqual([]);
  });
});

describe('soleLeader', () => {
  it('always leads', () => {
    expect(soleLeader.isLeader()).toBe(true);
  });
});
