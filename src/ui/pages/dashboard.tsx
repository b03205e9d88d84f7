import type { Backend } from '../../backends/backend.js';
import { LatencyLines, seriesOf, StackedBars, STATE_COLORS, timeline } from '../charts.js';
import type { ConsoleApp, ConsoleKit } from '../console-app.js';
import { activity, formatCount, healthBadge } from '../format.js';
import { Layout } from '../layout.js';
import { LoadLines } from '../load-chart.js';

const HOURS = [1, 3, 6, 12, 24];
/** The dashboard reloads itself this often: the per-cluster load is live, the charts follow. */
const REFRESH_SECONDS = 15;

function BackendLine({ b }: { b: Backend }) {
  const health = healthBadge(b);
  const act = activity(b);
  return (
    <div class="backend-line" data-backend={b.name}>
      <span>
        <a href={`/console/backends#${b.name}`}>
          <b>{b.name}</b>
        </a>{' '}
        <span class={`badge ${health.kind}`} title={b.healthDetail ?? ''}>
          {health.label}
        </span>{' '}
        <span class={`badge ${act.kind}`}>{act.label}</span>
      </span>
      <span class="muted small">
        {b.inFlight} in flight ·{' '}
        {b.stats ? `${b.stats.runningQueries} running · ${b.stats.queuedQueries} queued` : 'no stats yet'}
      </span>
    </div>
  );
}

/** Queued and running queries per cluster now (as the clusters report them), as bars. */
function LiveLoad({ backends }: { backends: Backend[] }) {
  const max = Math.max(
    1,
    ...backends.map((b) => (b.stats?.runningQueries ?? 0) + (b.stats?.queuedQueries ?? 0)),
  );
  const pct = (v: number) => `${((v / max) * 100).toFixed(1)}%`;
  return (
    <div class="load" data-chart="load">
      {backends.map((b) => {
        const running = b.stats?.runningQueries ?? 0;
        const queued = b.stats?.queuedQueries ?? 0;
        return (
          <div class="load-row" data-load={b.name}>
            <span class="load-name">{b.name}</span>
            <span class="load-bar" role="img" aria-label={`${b.name}: ${running} running, ${queued} queued`}>
              <i class="running" style={`width:${pct(running)}`}></i>
              <i class="queued" style={`width:${pct(queued)}`}></i>
            </span>
            <span class="small muted load-num">
              {b.stats ? `${running} running · ${queued} queued` : 'no stats yet'} · {b.inFlight} in flight
            </span>
          </div>
        );
      })}
      {backends.length === 0 ? <p class="muted">No backends.</p> : null}
      <ul class="legend">
        <li>
          <i style="background:#1f5fbf"></i>running
        </li>
        <li>
          <i style="background:#e0a43a"></i>queued
        </li>
      </ul>
    </div>
  );
}

function Stat(props: { value: string; label: string }) {
  return (
    <div class="stat">
      <b>{props.value}</b>
      <span>{props.label}</span>
    </div>
  );
}

/** chartData reads the dashboard's aggregates (undefined when the console has no history stats). */
async function chartData(k: ConsoleKit, hours: number) {
  const stats = k.deps.historyStats;
  if (!stats) return undefined;
  const t = timeline(k.now(), hours);
  const [byBackend, byGroup, byState, latency] = await Promise.all([
    stats.countsBy('backend', t.start, t.bucketMs),
    stats.countsBy('group', t.start, t.bucketMs),
    stats.countsBy('state', t.start, t.bucketMs),
    stats.latency(t.start, t.bucketMs),
  ]);
  return { t, byBackend, byGroup, byState, latency };
}

function Charts({ data }: { data: Awaited<ReturnType<typeof chartData>> }) {
  if (!data) return null;
  const t = data.t;
  const chart = (id: string, title: string, body: unknown) => (
    <section class="card" id={id}>
      <h2>{title}</h2>
      {body}
    </section>
  );
  return (
    <div class="charts">
      {chart(
        'by-backend',
        'Queries per backend',
        <StackedBars t={t} what="queries per backend" series={seriesOf(data.byBackend, t)} />,
      )}
      {chart(
        'by-group',
        'Queries per routing group',
        <StackedBars t={t} what="queries per routing group" series={seriesOf(data.byGroup, t)} />,
      )}
      {chart(
        'by-state',
        'Finished and failed',
        <StackedBars t={t} what="queries by final state" series={seriesOf(data.byState, t, STATE_COLORS)} />,
      )}
      {chart('latency', 'Query time p50 / p95', <LatencyLines t={t} rows={data.latency} />)}
    </div>
  );
}

/**
 * The dashboard: totals; queries per backend, per group and by final state, and the query time p50/p95,
 * over a window (default one hour); queued and running per cluster now; backends per group.
 */
export function registerDashboard(app: ConsoleApp, k: ConsoleKit): void {
  app.get('/console', async (c) => {
    const asked = Number(c.req.query('hours'));
    const hours = HOURS.includes(asked) ? asked : 1;
    const now = k.now();
    const { registry, history } = k.deps;
    const backends = registry.all();
    const [perMinute, charts] = await Promise.all([
      history.countsPerMinute(now - 3_600_000),
      chartData(k, hours),
    ]);
    const lastHour = perMinute.reduce((a, r) => a + Number(r.count), 0);
    const sum = (f: (b: Backend) => number) => backends.reduce((a, b) => a + f(b), 0);
    const healthy = backends.filter((b) => b.health === 'HEALTHY').length;
    return c.html(
      <Layout ctx={c.get('ctx')} title="Dashboard" section="dashboard" refreshSeconds={REFRESH_SECONDS}>
        <div class="stats">
          <Stat value={`${healthy} / ${backends.length}`} label="backends healthy" />
          <Stat value={formatCount(sum((b) => b.inFlight))} label="in flight (this gateway)" />
          <Stat value={formatCount(sum((b) => b.stats?.runningQueries ?? 0))} label="running (clusters)" />
          <Stat value={formatCount(sum((b) => b.stats?.queuedQueries ?? 0))} label="queued (clusters)" />
          <Stat value={formatCount(lastHour)} label="queries in the last hour" />
        </div>
        <section class="card" id="load">
          <h2>
            Queued and running per cluster{' '}
            <span class="muted small">now, refreshed every {REFRESH_SECONDS} s</span>
          </h2>
          <LiveLoad backends={backends} />
          {k.deps.loadSamples ? (
            <div class="charts">
              {(['running', 'queued'] as const).map((field) => (
                <div>
                  <h2 class="sub">{field === 'running' ? 'Running' : 'Queued'} over the last hour</h2>
                  <LoadLines
                    samples={k.deps.loadSamples!.all()}
                    field={field}
                    start={now - 3_600_000}
                    end={now}
                  />
                </div>
              ))}
            </div>
          ) : null}
        </section>
        <div class="row window">
          <span class="muted">Window (over the last {hours === 1 ? 'hour' : `${hours} hours`}):</span>
          {HOURS.map((h) => (h === hours ? <b>{h} h</b> : <a href={`/console?hours=${h}`}>{h} h</a>))}
        </div>
        <Charts data={charts} />
        <div class="grid">
          {registry.groups().map((g) => {
            const members = registry.inGroup(g.name);
            return (
              <section class="card" data-group={g.name}>
                <h2>
                  {g.name}{' '}
                  <span class="muted small">
                    {g.policy}
                    {g.fallback ? ` · falls back to ${g.fallback}` : ''}
                  </span>
                </h2>
                {members.length === 0 ? (
                  <p class="muted">No backends.</p>
                ) : (
                  members.map((b) => <BackendLine b={b} />)
                )}
              </section>
            );
          })}
        </div>
      </Layout>,
    );
  });
}
