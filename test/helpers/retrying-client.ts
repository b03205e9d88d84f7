import http from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

/**
 * freshRequest sends one request on a connection of its own (no keep-alive), so that successive requests
 * are spread over a gateway's worker processes as a balancer spreads new connections.
 */
export function freshRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: o.method ?? 'GET',
        headers: { connection: 'close', ...o.headers },
        agent: false,
        timeout: o.timeoutMs ?? 30_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}

interface Page {
  id?: string;
  nextUri?: string;
  data?: unknown[][];
  stats?: { state?: string };
  error?: { message?: string };
}

/** A query driven page by page, as Trino's StatementClientV1 drives one. */
export class RetryingQuery {
  rows: unknown[][] = [];
  id = '';
  state = '';
  /** Polls that failed (a connection error, 502, 503, 504) and were sent again. */
  retries = 0;
  private next: string | undefined;

  private constructor(private readonly headers: Record<string, string>) {}

  /** submit POSTs the statement (never retried: a lost POST may have started the query) and reads page 1. */
  static async submit(base: string, sql: string, headers: Record<string, string>): Promise<RetryingQuery> {
    const q = new RetryingQuery(headers);
    const a = await freshRequest(`${base}/v1/statement`, { method: 'POST', headers, body: sql });
    if (a.status !== 200) throw new Error(`submission answered ${a.status}: ${a.body.slice(0, 300)}`);
    q.take(JSON.parse(a.body) as Page);
    return q;
  }

  get done(): boolean {
    return this.next === undefined;
  }

  /**
   * poll GETs nextUri once, retrying a connection error or a 502/503/504 every 100 ms until deadlineMs
   * passes (StatementClientV1 retries these for its request timeout).
   */
  async poll(deadlineMs = 60_000): Promise<void> {
    if (!this.next) return;
    const until = Date.now() + deadlineMs;
    for (;;) {
      let a: Answer | undefined;
      try {
        a = await freshRequest(this.next, { headers: this.headers });
      } catch {
        a = undefined;
      }
      if (a && a.status === 200) return this.take(JSON.parse(a.body) as Page);
      if (a && ![502, 503, 504].includes(a.status))
        throw new Error(`poll answered ${a.status}: ${a.body.slice(0, 300)}`);
      if (Date.now() > until) throw new Error(`poll kept failing (${a?.status ?? 'connection error'})`);
      this.retries++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** finish polls until the last page. */
  async finish(): Promise<this> {
    while (!this.done) await this.poll();
    return this;
  }

  private take(p: Page): void {
    this.id ||= p.id ?? '';
    if (p.data) this.rows.push(...p.data);
    this.state = p.stats?.state ?? this.state;
    if (p.error) throw new Error(`query failed: ${p.error.message}`);
    this.next = p.nextUri;
  }
}
