import { describe, expect, it } from 'vitest';
import type { Affinity } from '../../src/proxy/affinity.js';
import { noteTransaction } from '../../src/proxy/transaction-headers.js';

function affinity() {
  const calls: string[] = [];
  const a = {
    rememberTransaction: (t: string, b: string) => calls.push(`remember ${t} ${b}`),
    forgetTransaction: (t: string) => calls.push(`forget ${t}`),
  } as unknown as Affinity;
  return { a, calls };
}

describe('transaction affinity from a statement answer', () => {
  it.each([
    [{ 'x-trino-started-transaction-id': 'tx1' }, ['remember tx1 t1']],
    [{ 'x-presto-started-transaction-id': 'tx2' }, ['remember tx2 t1']],
    [{ 'x-trino-clear-transaction-id': 'tx1' }, ['forget tx1']],
    [{ 'x-presto-clear-transaction-id': 'tx3' }, ['forget tx3']],
    [{ 'x-trino-started-transaction-id': '' }, []],
    [{ 'content-type': 'application/json' }, []],
  ])('%j → %j', (headers, want) => {
    const { a, calls } = affinity();
    noteTransaction(headers, 't1', a);
    expect(calls).toEqual(want);
  });
});
