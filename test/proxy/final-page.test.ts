import { describe, expect, it } from 'vitest';
import { finishOnLastPage, readOutcome } from '../../src/proxy/final-page.js';
import type { QueryTracker } from '../../src/proxy/query-tracker.js';
import type { StatementFacts } from '../../src/proxy/statement-scanner.js';

const failed = JSON.stringify({
  id: 'q1',
  data: [[1]],
  stats: { state: 'FAILED', processedRows: 7, processedBytes: 70, elapsedTimeMillis: 12 },
  error: { errorName: 'DIVISION_BY_ZERO', errorType: 'USER_ERROR', message: 'Division by zero' },
});
const finished = JSON.stringify({ id: 'q1', stats: { state: 'FINISHED', processedRows: 3 } });

describe('the outcome of a last page', () => {
  it('is read in full when the whole body is at hand', () => {
    expect(readOutcome(Buffer.from(failed), true)).toEqual({
      state: 'FAILED',
      errorName: 'DIVISION_BY_ZERO',
      errorType: 'USER_ERROR',
      errorMessage: 'Division by zero',
      rows: 7,
      bytes: 70,
      elapsedMs: 12,
    });
  });

  it('is read from the tail of a page that streamed (the same facts)', () => {
    const tail = failed.slice(failed.indexOf('"stats"'));
    expect(readOutcome(Buffer.from(tail), false)).toMatchObject({
      state: 'FAILED',
      errorName: 'DIVISION_BY_ZERO',
      errorMessage: 'Division by zero',
      rows: 7,
    });
    expect(readOutcome(Buffer.from(finished), false)).toMatchObject({ state: 'FINISHED', rows: 3 });
  });

  it('ends the query in the tracker only on a complete last page', () => {
    const ended: string[] = [];
    const tracker = { finished: (q: string, o: { state: string }) => ended.push(`${q} ${o.state}`) };
    const facts = (f: Partial<StatementFacts>) => f as StatementFacts;
    const t = tracker as unknown as QueryTracker;
    finishOnLastPage(undefined, t);
    finishOnLastPage(facts({ queryId: 'q1', hasNext: true, finalBody: Buffer.from(finished) }), t);
    finishOnLastPage(facts({ queryId: 'q1', hasNext: false }), t);
    finishOnLastPage(facts({ hasNext: false, finalBody: Buffer.from(finished) }), t);
    expect(ended).toEqual([]);
    finishOnLastPage(
      facts({ queryId: 'q1', hasNext: false, finalBody: Buffer.from(finished), finalComplete: true }),
      t,
    );
    expect(ended).toEqual(['q1 FINISHED']);
  });
});
