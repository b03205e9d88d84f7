import type { Backend } from '../../backends/backend.js';
import { AppError } from '../../app-error.js';
import type { ConsoleApp, ConsoleKit } from '../console-app.js';
import { activity, formatCount, formatTime, healthBadge } from '../format.js';
import { Cell, CsrfField, ErrorPage, Layout, Message } from '../layout.js';

function BackendRow({ b, csrf }: { b: Backend; csrf: string }) {
  const health = healthBadge(b);
  const act = activity(b);
  const to = b.active ? 'deactivate' : 'activate';
  return (
    <tr id={b.name} data-backend={b.name}>
      <Cell label="Backend">
        <b>{b.name}</b>
        <div class="muted small mono">{b.url}</div>
        {b.externalUrl ? (
          <a class="small" href={`${b.externalUrl}/ui/`} rel="noreferrer">
            cluster UI
          </a>
        ) : null}
      </Cell>
      <Cell label="Group">{b.group}</Cell>
      <Cell label="Health">
        <span class={`badge ${health.kind}`}>{health.label}</span>
        {b.healthDetail ? <div class="muted small">{b.healthDetail}</div> : null}
      </Cell>
      <Cell label="Status">
        <span class={`badge ${act.kind}`}>{act.label}</span>
      </Cell>
      <Cell label="In flight" class="num">
        {b.inFlight}
      </Cell>
      <Cell label="Running" class="num">
        {formatCount(b.stats?.runningQueries, '–')}
      </Cell>
      <Cell label="Queued" class="num">
        {formatCount(b.stats?.queuedQueries, '–')}
      </Cell>
      <Cell label="Stats at" class="small muted">
        {b.stats ? formatTime(b.stats.updatedAt) : 'no stats yet'}
      </Cell>
      <Cell label="">
        <a class="button" href={`/console/backends/${encodeURIComponent(b.name)}/edit`}>
          Edit
        </a>{' '}
        <form
          class="inline"
          method="post"
          action={`/console/backends/${encodeURIComponent(b.name)}/${to}`}
          data-confirm={
            b.active ? `Drain ${b.name}? It takes no new queries; running ones finish.` : undefined
          }
        >
          <CsrfField token={csrf} />
          <button type="submit" class={b.active ? 'danger' : 'primary'}>
            {b.active ? 'Deactivate (drain)' : 'Activate'}
          </button>
        </form>{' '}
        <form
          class="inline"
          method="post"
          action={`/console/backends/${encodeURIComponent(b.name)}/delete`}
          data-confirm={`Delete ${b.name}? The gateway stops routing to it and forgets it.`}
        >
          <CsrfField token={csrf} />
          <button type="submit" class="danger">
            Delete
          </button>
        </form>
      </Cell>
    </tr>
  );
}

const DONE: Record<string, (name: string) => string> = {
  activate: (n) => `${n} is active again: it takes new queries when healthy.`,
  deactivate: (n) => `${n} is deactivated: it takes no new queries; the ones in flight finish.`,
  added: (n) => `${n} is added: it takes queries once healthy.`,
  edited: (n) => `${n} is saved.`,
  deleted: (n) => `${n} is deleted.`,
};

/** Backends: every backend with its health, activity and load; activate and deactivate (drain). */
export function registerBackends(app: ConsoleApp, k: ConsoleKit): void {
  app.get('/console/backends', (c) => {
    const { registry } = k.deps;
    const ctx = c.get('ctx');
    const done = c.req.query('done');
    const name = c.req.query('backend');
    const known = name && (done === 'deleted' ? !registry.get(name) : registry.get(name));
    const message = done && DONE[done] && name && known ? DONE[done](name) : undefined;
    const all = registry.all().sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
    return c.html(
      <Layout ctx={ctx} title="Backends" section="backends">
        {message ? <Message kind="info">{message}</Message> : null}
        <p class="row end">
          <a class="button primary" href="/console/backends/new" id="add-backend">
            Add a backend
          </a>
        </p>
        <section class="card scroll">
          <table class="stack">
            <thead>
              <tr>
                <th>Backend</th>
                <th>Group</th>
                <th>Health</th>
                <th>Status</th>
                <th class="num">In flight</th>
                <th class="num">Running</th>
                <th class="num">Queued</th>
                <th>Stats at (UTC)</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {all.map((b) => (
                <BackendRow b={b} csrf={ctx.csrf} />
              ))}
            </tbody>
          </table>
          {all.length === 0 ? <p class="muted">No backends are configured.</p> : null}
        </section>
      </Layout>,
    );
  });

  app.post('/console/backends/:name/:to{activate|deactivate}', async (c) => {
    const name = c.req.param('name');
    const to = c.req.param('to');
    try {
      await k.deps.registry.setActive(name, to === 'activate');
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return c.html(
        <ErrorPage status={e.status} title="Not changed" message={e.message} ctx={c.get('ctx')} />,
        e.status,
      );
    }
    return c.redirect(`/console/backends?done=${to}&backend=${encodeURIComponent(name)}`, 303);
  });
}
