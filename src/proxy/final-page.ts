import type { QueryTracker } from './query-tracker.js';
import type { StatementFacts } from './statement-scanner.js';

/** What the last page of a query tells: its final state, error and totals (Trino's QueryResults/StatementStats). */
export interface QueryOutcome {
  state: string;
  errorName?: string;
  errorType?: string;
  errorMessage?: string;
  rows?: number;
  bytes?: number;
  elapsedMs?: number;
}

interface PageJson {
  stats?: { state?: string; processedRows?: number; processedBytes?: number; elapsedTimeMillis?: number };
  error?: { errorName?: string; errorType?: string; message?: string };
}

const STATE = /"state"\s*:\s*"([A-Z_]+)"/g;

/**
 * readOutcome reads the outcome of a final page: fully parsed when the whole body is at hand, else from
 * its tail (stats and error come after data in Trino's field order).
 */
export function readOutcome(body: Buffer, complete: boolean): QueryOutcome {
  if (complete) {
    try {
      const page = JSON.parse(body.toString('utf8')) as PageJson;
      return fromPage(page);
    } catch {
      // fall through to the tail reading
    }
  }
  const text = body.toString('utf8');
  let state = 'FINISHED';
  for (const m of text.matchAll(STATE)) state = m[1];
  const errorName = /"errorName"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  const errorType = /"errorType"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  const errorMessage = /"error"\s*:\s*\{[^}]*?"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  const num = (k: string) => {
    const m = new RegExp(`"${k}"\\s*:\\s*(\\d+)`).exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    state: errorName ? 'FAILED' : state,
    errorName,
    errorType,
    errorMessage,
    rows: num('processedRows'),
    bytes: num('processedBytes'),
    elapsedMs: num('elapsedTimeMillis'),
  };
}

function fromPage(page: PageJson): QueryOutcome {
  const e = page.error;
  return {
    state: e ? 'FAILED' : (page.stats?.state ?? 'FINISHED'),
    errorName: e?.errorName,
    errorType: e?.errorType,
    errorMessage: e?.message?.slice(0, 4000),
    rows: page.stats?.processedRows,
    bytes: page.stats?.processedBytes,
    elapsedMs: page.stats?.elapsedTimeMillis,
  };
}

/**
 * finishOnLastPage ends the query in the tracker when `facts` are of its last page (no nextUri) and the
 * page was read to its end.
 */
export function finishOnLastPage(facts: StatementFacts | undefined, tracker: QueryTracker): void {
  if (!facts?.queryId || facts.hasNext || !facts.finalBody) return;
  tracker.finished(facts.queryId, readOutcome(facts.finalBody, facts.finalComplete ?? false));
}
