import { describe, expect, it } from 'vitest';
import { asyncPort } from '../../src/store/async-port.js';

interface CounterPort {
  add(n: number): Promise<number>;
  fail(): Promise<void>;
}

/** A synchronous implementation, as a better-sqlite3 repo is. */
class Counter {
  total = 0;
  calls: string[] = [];
  add(n: number): number {
    this.calls.push(`add ${n}`);
    return (this.total += n);
  }
  fail(): void {
    this.calls.push('fail');
    throw new Error('SQLITE_BUSY: database is locked');
  }
  notInPort(): string {
    return 'hidden';
  }
}

describe('asyncPort', () => {
  it('runs each call at once, on the implementation, and resolves its value', async () => {
    const impl = new Counter();
    const port = asyncPort<CounterPort>(impl, { add: true, fail: true });
    const p = port.add(2);
    expect(impl.calls).toEqual(['add 2']); // ran before anything awaited it
    expect(await p).toBe(2);
    expect(await port.add(3)).toBe(5);
    expect(impl.total).toBe(5);
  });

  it('turns a throw into a rejection, never a synchronous throw', async () => {
    const port = asyncPort<CounterPort>(new Counter(), { add: true, fail: true });
    let p: Promise<void> | undefined;
    expect(() => (p = port.fail())).not.toThrow();
    await expect(p).rejects.toThrow('SQLITE_BUSY: database is locked');
  });

  it('offers only the listed methods', () => {
    const port = asyncPort<CounterPort>(new Counter(), { add: true, fail: true });
    expect(Object.keys(port).sort()).toEqual(['add', 'fail']);
    expect((port as unknown as Record<string, unknown>).notInPort).toBeUndefined();
  });
});
