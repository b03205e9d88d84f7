import { describe, expect, it } from 'vitest';
import { FairQueue, type Queued } from '../../src/queue/fair-queue.js';

interface Item extends Queued {
  name: string;
}
const item = (user: string, name: string, priority = 0): Item => ({ user, name, priority, removed: false });

function drainAll(q: FairQueue<Item>, canRun?: (i: Item) => boolean): string[] {
  const out: string[] = [];
  for (let i = q.next(canRun); i; i = q.next(canRun)) out.push(i.name);
  return out;
}

describe('FairQueue', () => {
  it('serves users in turn and each user first in, first out', () => {
    const q = new FairQueue<Item>();
    for (const n of ['a1', 'a2', 'a3']) q.push(item('a', n));
    for (const n of ['b1', 'b2']) q.push(item('b', n));
    q.push(item('c', 'c1'));
    expect(q.size).toBe(6);
    expect(drainAll(q)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(q.size).toBe(0);
  });

  it('lets a light user through after at most one query of a heavy one', () => {
    const q = new FairQueue<Item>();
    for (let i = 0; i < 50; i++) q.push(item('heavy', `h${i}`));
    expect(q.next()!.name).toBe('h0');
    q.push(item('light', 'l0'));
    expect(q.next()!.name).toBe('h1');
    expect(q.next()!.name).toBe('l0');
  });

  it('serves a higher priority first, round-robin within it', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a-low'));
    q.push(item('b', 'b-high', 5));
    q.push(item('a', 'a-high', 5));
    q.push(item('c', 'c-mid', 1));
    expect(drainAll(q)).toEqual(['b-high', 'a-high', 'c-mid', 'a-low']);
  });

  it('skips removed items and passes over users that may not run yet', () => {
    const q = new FairQueue<Item>();
    const a1 = item('a', 'a1');
    q.push(a1);
    q.push(item('a', 'a2'));
    q.push(item('b', 'b1'));
    q.remove(a1);
    q.remove(a1);
    expect(q.size).toBe(2);
    expect(drainAll(q, (i) => i.user !== 'a')).toEqual(['b1']);
    expect(q.size).toBe(1);
    expect(drainAll(q)).toEqual(['a2']);
  });

  it('puts a query back at the front of its user line', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a1'));
    q.push(item('a', 'a2'));
    const first = q.next()!;
    q.push(first, true);
    expect(q.inOrder().map((i) => i.name)).toEqual(['a1', 'a2']);
  });

  it('gives the turn back with an item put back (a slot that could not be handed out after all)', () => {
    const q = new FairQueue<Item>();
    for (const n of ['b1', 'b2']) q.push(item('b', n));
    q.push(item('d', 'd1'));
    const taken = q.next()!;
    expect(taken.name).toBe('b1');
    q.putBack(taken);
    expect(drainAll(q)).toEqual(['b1', 'd1', 'b2']);
  });

  it('gives the turn back to a user whose only item was put back', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a1'));
    q.push(item('b', 'b1'));
    q.push(item('c', 'c1'));
    q.push(item('c', 'c2'));
    expect(q.next()!.name).toBe('a1');
    const b1 = q.next()!;
    q.putBack(b1);
    expect(drainAll(q)).toEqual(['b1', 'c1', 'c2']);
  });

  it('lists the serving order without taking anything', () => {
    const q = new FairQueue<Item>();
    for (const n of ['a1', 'a2']) q.push(item('a', n));
    q.push(item('b', 'b1'));
    q.push(item('z', 'z1', 9));
    expect(q.inOrder().map((i) => i.name)).toEqual(['z1', 'a1', 'b1', 'a2']);
    expect(q.size).toBe(4);
  });
});
