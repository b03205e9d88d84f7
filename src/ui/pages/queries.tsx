import type { HistoryFilter, HistoryRow } from '../../history/history-repo.js';
import { encodeCursor, parseFilter } from '../../history/history-routes.js';
import type { ConsoleApp, ConsoleKit } from '../console-app.js';
import { formatCount, formatDuration, formatTime, stateBadge } from '../format.js';
import { Cell, Layout, Message } from '../layout.js';
import { QUERY_ID } from './query-detail.js';

const STATES = ['RUNNING', 'FINISHED', 'FAILED', 'CANCELED', 'ABANDONED', 'LOST'];
const SIZES = ['25', '50', '100', '200'];
/** Longest SQL text shown per row; the page stays light however long the statements are. */
const SQL_SHOWN = 2000;
const FILTER_KEYS = ['user', 'group', 'backend', 'state', 'q', 'from', 'to', 'limit'] as const;

/** A datetime-local value has no zone: the form says UTC, so it is read as UTC. */
const asUtc = (v: string | undefined): string | undefined =>
  v && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(v) ? `${v}Z` : v;

function Select(props: { name: string; label: string; value?: string; options: string[]; any?: string }) {
  return (
    <div>
      <label for={props.name}>{props.label}</label>
      <select id={props.name} name={props.name}>
        {props.any !== undefined ? <option value="">{props.any}</option> : null}
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

function Field(props: { name: string; label: string; value?: string; type?: string; placeholder?: string }) {
  return (
    <div>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        placeholder={props.placeholder}
      />
    </div>
  );
}

function QueryRow({ r, sql, clusterUrl }: { r: HistoryRow; sql: string; clusterUrl?: string }) {
  const shown = sql.length > SQL_SHOWN ? `${sql.slice(0, SQL_SHOWN)}…` : sql;
  return (
    <tr data-query={r.queryId}>
      <Cell label="Submitted" class="small">
        {formatTime(r.submittedAt)}
      </Cell>
      <Cell label="Query" class="mono small">
        <a href={`/console/queries/${r.queryId}`} title="Details">
          {r.queryId}
        </a>
        {clusterUrl ? (
          <div>
            <a class="small" href={clusterUrl} rel="noreferrer" title="Open in the cluster's UI">
              cluster UI
            </a>
          </div>
        ) : null}
      </Cell>
      <Cell label="User">{r.user}</Cell>
      <Cell label="Source">{r.source ?? ''}</Cell>
      <Cell label="Group">
        {r.routingGroup}
        {r.rule ? <div class="muted small">rule {r.rule}</div> : null}
      </Cell>
      <Cell label="Backend">{r.backend}</Cell>
      <Cell label="State">
        <span class={`badge ${stateBadge(r.state)}`}>{r.state}</span>
        {r.errorName ? <div class="small muted">{r.errorName}</div> : null}
      </Cell>
      <Cell label="Elapsed" class="num">
        {formatDuration(r.elapsedMs ?? (r.finishedAt ? r.finishedAt - r.submittedAt : null))}
      </Cell>
      <Cell label="Rows" class="num">
        {formatCount(r.rows)}
      </Cell>
      <Cell label="SQL" class="wide">
        <pre class="sql">{shown}</pre>
      </Cell>
    </tr>
  );
}

/** Query history: filters, newest first, cursor paging; SQL redacted, links to the cluster's own UI. */
export function registerQueries(app: ConsoleApp, k: ConsoleKit): void {
  app.get('/console/queries', async (c) => {
    const q = c.req.query();
    // Search by query id: the id, trimmed, opens its page (which says so when the history has no such query).
    const id = q.id?.trim().toLowerCase();
    if (id && QUERY_ID.test(id)) return c.redirect(`/console/queries/${id}`, 303);
    const { registry, history, redactSql } = k.deps;
    let filter: HistoryFilter | undefined;
    let error: string | undefined;
    try {
      filter = parseFilter({ ...q, from: asUtc(q.from), to: asUtc(q.to) });
    } catch (e) {
      error = `Bad filter: ${(e as Error).message}`;
    }
    if (id) {
      error = 'Bad filter: id: expected a query id, such as 20250101_120000_00042_abcde';
      filter = undefined;
    }
    const rows = filter ? await history.list(filter) : [];
    const kept = new URLSearchParams();
    for (const key of FILTER_KEYS) if (q[key]) kept.set(key, q[key]!);
    const next = filter && rows.length === filter.limit ? encodeCursor(rows[rows.length - 1]) : undefined;
    const link = (r: HistoryRow) => {
      const ext = registry.get(r.backend)?.externalUrl;
      return ext ? `${ext}/ui/query.html?${r.queryId}` : undefined;
    };
    const page = (cursor?: string) => {
      const p = new URLSearchParams(kept);
      if (cursor) p.set('cursor', cursor);
      return `/console/queries?${p}`;
    };
    return c.html(
      <Layout ctx={c.get('ctx')} title="Query history" section="queries">
        <form class="card filters" method="get" action="/console/queries">
          <Field name="id" label="Query id" value={q.id} placeholder="20250101_…" />
          <Field name="user" label="User" value={q.user} />
          <Select
            name="group"
            label="Group"
            value={q.group}
            any="any group"
            options={registry.groups().map((g) => g.name)}
          />
          <Select
            name="backend"
            label="Backend"
            value={q.backend}
            any="any backend"
            options={registry.all().map((b) => b.name)}
          />
          <Select
            name="state"
            label="State"
            value={q.state?.toUpperCase()}
            any="any state"
            options={STATES}
          />
          <Field name="q" label="SQL contains" value={q.q} />
          <Field name="from" label="From (UTC)" type="datetime-local" value={q.from} />
          <Field name="to" label="To (UTC)" type="datetime-local" value={q.to} />
          <Select
            name="limit"
            label="Per page"
            value={q.limit ?? '50'}
            options={SIZES.includes(q.limit ?? '50') ? SIZES : [...SIZES, q.limit!]}
          />
          <div class="row">
            <button class="primary" type="submit">
              Filter
            </button>
            <a class="button" href="/console/queries">
              Clear
            </a>
          </div>
        </form>
        {error ? <Message kind="error">{error}</Message> : null}
        <section class="card scroll">
          <table class="stack">
            <thead>
              <tr>
                <th>Submitted (UTC)</th>
                <th>Query</th>
                <th>User</th>
                <th>Source</th>
                <th>Group</th>
                <th>Backend</th>
                <th>State</th>
                <th class="num">Elapsed</th>
                <th class="num">Rows</th>
                <th>SQL</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <QueryRow r={r} sql={redactSql(r.sql)} clusterUrl={link(r)} />
              ))}
            </tbody>
          </table>
          {rows.length === 0 && !error ? <p class="muted">No queries match.</p> : null}
        </section>
        <p class="row">
          {q.cursor ? (
            <a class="button" href={page()}>
              ← Newest
            </a>
          ) : null}
          {next ? (
            <a class="button" href={page(next)} rel="next">
              Older →
            </a>
          ) : null}
        </p>
      </Layout>,
      error ? 400 : 200,
    );
  });
}
