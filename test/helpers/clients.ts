import { BasicAuth, Trino } from 'trino-client';
// presto-client ships no types; the surface used here is small.
import presto from 'presto-client';

export interface ClientResult {
  queryId?: string;
  columns: unknown[];
  rows: unknown[][];
  error?: { errorName?: string; message?: string };
}

/** runTrino runs a query through the real trino-client and gathers every page. */
export async function runTrino(
  server: string,
  sql: string,
  opts: { user?: string; password?: string; headers?: Record<string, string>; ssl?: object } = {},
): Promise<ClientResult> {
  const trino = Trino.create({
    server,
    catalog: 'tpch',
    schema: 'tiny',
    auth: new BasicAuth(opts.user ?? 'alice', opts.password),
    extraHeaders: opts.headers,
    ssl: opts.ssl,
  });
  const iter = await trino.query(sql);
  const out: ClientResult = { columns: [], rows: [] };
  for await (const page of iter) {
    out.queryId = page.id;
    if (page.columns) out.columns = page.columns;
    if (page.data) out.rows.push(...(page.data as unknown[][]));
    if (page.error) out.error = page.error;
  }
  return out;
}

export interface PrestoOptions {
  host: string;
  port: number;
  user?: string;
  password?: string;
  ssl?: object;
  engine?: 'trino' | 'presto';
}

/** runPresto runs a query through the real presto-client (callback API) and gathers every page. */
export function runPresto(
  o: PrestoOptions,
  sql: string,
  extra: {
    cancel?: () => boolean;
    state?: (id: string, stats: { state: string }) => void;
    /** presto-client's `session` option: the X-Presto-Session (or X-Trino-Session) header, `name=value,…`. */
    session?: string;
  } = {},
): Promise<ClientResult> {
  const client = new presto.Client({
    host: o.host,
    port: o.port,
    user: o.user ?? 'alice',
    engine: o.engine ?? 'trino',
    checkInterval: 10,
    ssl: o.ssl,
    basic_auth: o.password ? { user: o.user ?? 'alice', password: o.password } : undefined,
  });
  return new Promise((resolve, reject) => {
    const out: ClientResult = { columns: [], rows: [] };
    client.execute({
      query: sql,
      catalog: 'tpch',
      schema: 'tiny',
      cancel: extra.cancel,
      session: extra.session,
      state: (_e: unknown, id: string, stats: { state: string }) => {
        out.queryId = id;
        extra.state?.(id, stats);
      },
      columns: (_e: unknown, cols: unknown[]) => (out.columns = cols),
      data: (_e: unknown, rows: unknown[][]) => out.rows.push(...rows),
      success: () => resolve(out),
      error: (e: { message?: string; errorName?: string }) => {
        if (e && (e.errorName || e.message)) {
          out.error = e;
          resolve(out);
        } else reject(e);
      },
    });
  });
}
