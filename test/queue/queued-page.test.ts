import { describe, expect, it } from 'vitest';
import { failedPage, queuedPage } from '../../src/queue/queued-page.js';

const q = { id: '20261202_054639_00000_abcde', slug: 'yabc', token: 3, enqueuedAt: 10_000 };
const urls = { publicUrl: 'https://gw.example', handle: 'h.sig' };

describe('queuedPage', () => {
  it("is Trino's QUEUED page with a nextUri back to the gateway's queue", () => {
    const page = JSON.parse(queuedPage(q, urls, 12_500));
    expect(page).toMatchObject({
      id: q.id,
      infoUri: `https://gw.example/ui/query.html?${q.id}`,
      nextUri: `https://gw.example/v1/statement/queued/${q.id}/yabc~h.sig/3`,
      stats: { state: 'QUEUED', queued: true, queuedTimeMillis: 2500, elapsedTimeMillis: 2500 },
      warnings: [],
    });
    expect(page.error).toBeUndefined();
  });

  it('never shows a negative wait (a clock that stepped back)', () => {
    expect(JSON.parse(queuedPage(q, urls, 9_000)).stats.queuedTimeMillis).toBe(0);
  });
});

describe('failedPage', () => {
  it('is a FAILED page with the error and no nextUri', () => {
    const err = {
      message: 'queue full',
      errorCode: 131_075,
      errorName: 'QUERY_QUEUE_FULL',
      errorType: 'INSUFFICIENT_RESOURCES' as const,
    };
    const page = JSON.parse(failedPage(q, urls, 11_000, err));
    expect(page.nextUri).toBeUndefined();
    expect(page.stats).toMatchObject({ state: 'FAILED', queued: false, elapsedTimeMillis: 1000 });
    expect(page.error).toEqual({
      ...err,
      failureInfo: { type: 'io.trino.gateway.QueueError', message: 'queue full', suppressed: [], stack: [] },
    });
    expect(page.infoUri).toBe(`https://gw.example/ui/query.html?${q.id}`);
  });
});
