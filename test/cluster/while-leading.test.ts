import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Leadership } from '../../src/cluster/leadership.js';
import { whileLeading } from '../../src/cluster/while-leading.js';

/** A leadership a test hands out and takes back. */
function leadership(leading: boolean) {
  const e = new EventEmitter<{ change: [boolean] }>();
  const l: Leadership & { set(v: boolean): void } = Object.assign(e, {
    isLeader: () => leading,
    set(v: boolean) {
      leading = v;
      e.emit('change', v);
    },
  });
  return l;
}

describe('whileLeading', () => {
  it('starts at once when already leading, and stops the term when leadership goes', () => {
    const l = leadership(true);
    const terms: AbortSignal[] = [];
    whileLeading(l, new AbortController().signal, (t) => terms.push(t));
    expect(terms).toHaveLength(1);
    expect(terms[0].aborted).toBe(false);
    l.set(false);
    expect(terms[0].aborted).toBe(true);
  });

  it('starts a new term each time leadership comes back, once per term', () => {
    const l = leadership(false);
    const terms: AbortSignal[] = [];
    whileLeading(l, new AbortController().signal, (t) => terms.push(t));
    expect(terms).toHaveLength(0);
    l.set(true);
    l.set(true);
    expect(terms).toHaveLength(1);
    l.set(false);
    l.set(true);
    expect(terms).toHaveLength(2);
    expect(terms.map((t) => t.aborted)).toEqual([true, false]);
  });

  it('aborts the term with the outer signal, and starts no term after it', () => {
    const l = leadership(true);
    const outer = new AbortController();
    const terms: AbortSignal[] = [];
    whileLeading(l, outer.signal, (t) => terms.push(t));
    outer.abort();
    expect(terms[0].aborted).toBe(true);
    l.set(false);
    l.set(true);
    expect(terms).toHaveLength(1);
  });

  it('starts nothing when the outer signal is already aborted', () => {
    const outer = new AbortController();
    outer.abort();
    let started = 0;
    whileLeading(leadership(true), outer.signal, () => started++);
    expect(started).toBe(0);
  });
});
