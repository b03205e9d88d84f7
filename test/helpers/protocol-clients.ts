/**
 * Two Trino clients this suite cannot run (they are Java and Python), written out from their source so
 * tests can see what each one does with an answer and what it shows its user:
 * - statementClientV1: io.trino.client.StatementClientV1 (JDBC, CLI). The POST is sent once; any answer
 *   but a 200 QueryResults fails with "Error starting query at … returned an invalid response: … [Error:
 *   body]" ("Authentication failed: body" for a 401). Polls (advance) retry 502, 503 and 504
 *   (HttpStatusCodes.shouldRetry) with a back-off of attempts × 100 ms until the request timeout. A query
 *   error shows as TrinoResultSet does: "Query failed (#id): message".
 * - pythonClient: trino-python-client's TrinoRequest/TrinoQuery. Every request, the POST too, is sent up to
 *   max_attempts (3) times while it gets 502, 503 or 504 (_retry_with, exponential back-off from 100 ms,
 *   no Retry-After); raise_response_error hides the body of those three ("error 503: service
 *   unavailable") and shows it for others ("error 429: b'…'"); a page's `error` raises TrinoQueryError.
 */

interface Page {
  id: string;
  nextUri?: string;
  data?: unknown[][];
  error?: { message: string; errorName: string; errorType: string };
}

export interface ClientRun {
  /** POSTs of the statement the client sent. */
  posts: number;
  rows: unknown[][];
  /** What the client shows its user when the query did not succeed. */
  shown?: string;
  errorName?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RETRIED = new Set([502, 503, 504]);

export async function statementClientV1(
  server: string,
  sql: string,
  headers: Record<string, string>,
  requestTimeoutMs = 5_000,
): Promise<ClientRun> {
  const url = `${server}/v1/statement`;
  const res = await fetch(url, { method: 'POST', body: sql, headers });
  const run: ClientRun = { posts: 1, rows: [] };
  const body = await res.text();
  let page = res.status === 200 ? parse(body) : undefined;
  if (!page) {
    run.shown =
      res.status === 401
        ? `Authentication failed: ${body}`
        : `Error starting query at ${url} returned an invalid response: JsonResponse{statusCode=${res.status}} [Error: ${body}]`;
    return run;
  }
  for (;;) {
    if (page.data) run.rows.push(...page.data);
    if (!page.nextUri) break;
    const next: string = page.nextUri;
    const start = Date.now();
    for (let attempts = 0; ; attempts++) {
      if (attempts > 0) {
        if (Date.now() - start > requestTimeoutMs) {
          run.shown = `Error fetching next (attempts: ${attempts})`;
          return run;
        }
        await sleep(attempts * 100);
      }
      const r = await fetch(next, { headers });
      const text = await r.text();
      const p = r.status === 200 ? parse(text) : undefined;
      if (p) {
        page = p;
        break;
      }
      if (!RETRIED.has(r.status)) {
        run.shown = `Error fetching next at ${next} returned an invalid response: JsonResponse{statusCode=${r.status}} [Error: ${text}]`;
        return run;
      }
    }
  }
  if (page.error) {
    run.shown = `Query failed (#${page.id}): ${page.error.message}`;
    run.errorName = page.error.errorName;
  }
  return run;
}

export async function pythonClient(
  server: string,
  sql: string,
  headers: Record<string, string>,
  maxAttempts = 3,
): Promise<ClientRun> {
  const run: ClientRun = { posts: 0, rows: [] };
  const send = async (url: string, post: boolean) => {
    let res: Response | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (post) run.posts++;
      res = await fetch(url, post ? { method: 'POST', body: sql, headers } : { headers });
      if (!RETRIED.has(res.status)) return res;
      if (attempt < maxAttempts) await sleep(100 * 2 ** attempt * Math.random());
    }
    return res!;
  };
  /** process: TrinoRequest.process, or what it raises. */
  const processed = async (res: Response): Promise<Page | string> => {
    if (res.status === 502) return 'error 502: bad gateway';
    if (res.status === 503) return 'error 503: service unavailable';
    if (res.status === 504) return 'error 504: gateway timeout';
    const text = await res.text();
    if (res.status >= 400) return `error ${res.status}${text ? `: b'${text}'` : ''}`;
    const page = JSON.parse(text) as Page;
    if (page.error) {
      run.errorName = page.error.errorName;
      const e = page.error;
      return `TrinoQueryError(type=${e.errorType}, name=${e.errorName}, message="${e.message}", query_id=${page.id})`;
    }
    return page;
  };
  let page = await processed(await send(`${server}/v1/statement`, true));
  for (;;) {
    if (typeof page === 'string') {
      run.shown = page;
      return run;
    }
    if (page.data) run.rows.push(...page.data);
    if (!page.nextUri) return run;
    page = await processed(await send(page.nextUri, false));
  }
}

function parse(text: string): Page | undefined {
  try {
    const p = JSON.parse(text) as Page;
    return typeof p.id === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}
