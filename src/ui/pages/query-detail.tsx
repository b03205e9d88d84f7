import type { HistoryRow } from '../../history/history-repo.js';
import type { ConsoleApp, ConsoleKit } from '../console-app.js';
import { formatCount, formatDuration, formatTime, stateBadge } from '../format.js';
import { ErrorPage, Layout } from '../layout.js';

/** Query ids are Trino's (20250101_000000_00000_abcde) or the gateway's own; nothing else is looked up. */
export const QUERY_ID = /^[a-z0-9_]{1,128}$/;

function Fact({ label, children }: { label: string; children?: unknown }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children ?? <span class="muted">–</span>}</dd>
    </>
  );
}

function Detail({ r, sql, clusterUrl }: { r: HistoryRow; sql: string; clusterUrl?: string }) {
  const elapsed = r.elapsedMs ?? (r.finishedAt ? r.finishedAt - r.submittedAt : null);
  return (
    <>
      <section class="card" data-query={r.queryId}>
        <h2 class="row">
          <span class="mono">{r.queryId}</span>
          <span class={`badge ${stateBadge(r.state)}`}>{r.state}</span>
        </h2>
        {clusterUrl ? (
          <p>
            <a class="button" href={clusterUrl} rel="noreferrer" id="cluster-ui">
              Open in the cluster's UI
            </a>
          </p>
        ) : null}
        <dl class="facts">
          <Fact label="User">{r.user}</Fact>
          <Fact label="Source">{r.source || undefined}</Fact>
          <Fact label="Client address">{r.clientAddress || undefined}</Fact>
          <Fact label="Routing group">{r.routingGroup}</Fact>
          <Fact label="Rule">{r.rule || <span class="muted">none (no rule matched)</span>}</Fact>
          <Fact label="Backend">
            {r.backend}
            {r.policy ? <span class="muted small"> (picked by {r.policy})</span> : null}
          </Fact>
          <Fact label="Submitted (UTC)">{formatTime(r.submittedAt)}</Fact>
          <Fact label="Finished (UTC)">{r.finishedAt ? formatTime(r.finishedAt) : undefined}</Fact>
          <Fact label="Elapsed">{elapsed !== null ? formatDuration(elapsed) : undefined}</Fact>
          <Fact label="Rows">{r.rows !== null ? formatCount(r.rows) : undefined}</Fact>
          <Fact label="Bytes">{r.bytes !== null ? formatCount(r.bytes) : undefined}</Fact>
        </dl>
      </section>
      {r.errorName || r.errorMessage ? (
        <section class="card" id="error">
          <h2>
            Error <span class="badge bad">{r.errorName ?? 'error'}</span>{' '}
            {r.errorType ? <span class="muted small">{r.errorType}</span> : null}
          </h2>
          <pre class="sql full">{r.errorMessage ?? ''}</pre>
        </section>
      ) : null}
      <section class="card">
        <h2>SQL</h2>
        <pre class="sql full" id="sql">
          {sql}
        </pre>
      </section>
    </>
  );
}

/** One query of the history: who, where it went and why, its timings, its error, and its SQL (redacted). */
export function registerQueryDetail(app: ConsoleApp, k: ConsoleKit): void {
  app.get('/console/queries/:id', async (c) => {
    const id = c.req.param('id');
    const row = QUERY_ID.test(id) ? await k.deps.history.get(id) : undefined;
    if (!row)
      return c.html(
        <ErrorPage
          status={404}
          title="No such query"
          message={`The history holds no query ${id.slice(0, 128)} (it may be older than the retention).`}
          ctx={c.get('ctx')}
        />,
        404,
      );
    const ext = k.deps.registry.get(row.backend)?.externalUrl;
    return c.html(
      <Layout ctx={c.get('ctx')} title="Query" section="queries">
        <p class="small">
          <a href="/console/queries">← Query history</a>
        </p>
        <Detail
          r={row}
          sql={k.deps.redactSql(row.sql)}
          clusterUrl={ext ? `${ext}/ui/query.html?${row.queryId}` : undefined}
        />
      </Layout>,
    );
  });
}
