import { expect } from 'vitest';

export interface FailedError {
  message: string;
  errorCode: number;
  errorName: string;
  errorType: string;
}

interface Page {
  id: string;
  nextUri?: string;
  stats: { state: string };
  error?: FailedError;
}

/**
 * failedQuery reads a statement the gateway failed itself, as Trino fails a query before it runs: HTTP 200
 * with a QUEUED page and no error (trino-js reads only a first page's nextUri), whose nextUri leads to the
 * FAILED page with the error. Returns that error.
 */
export async function failedQuery(res: Response, headers: Record<string, string> = {}): Promise<FailedError> {
  expect(res.status).toBe(200);
  const first = (await res.json()) as Page;
  expect(first.stats.state).toBe('QUEUED');
  expect(first.error).toBeUndefined();
  expect(first.nextUri).toBeDefined();
  const poll = await fetch(first.nextUri!, { headers });
  expect(poll.status).toBe(200);
  const last = (await poll.json()) as Page;
  expect(last.id).toBe(first.id);
  expect(last.stats.state).toBe('FAILED');
  expect(last.nextUri).toBeUndefined();
  return last.error!;
}
