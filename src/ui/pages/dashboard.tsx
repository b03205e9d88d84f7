import type { Backend } from '../../backends/backend.js';
import { bucketCounts, QueriesChart } from '../chart.js';
import type { ConsoleApp, ConsoleKit } from '../console-app.js';
import { activity, formatCount, healthBadge } from '../format.js';
import { Layout } from '../layout.js';

const HOURS = [1, 3, 6, 12, 24];

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

function Stat(props: { value: string; label: string }) {
  return (
    <div class="stat">
      <b>{props.value}</b>
      <span>{props.label}</span>
    </div>
  );
}

/** The dashboard: totals, backends per group with health, activity and load, and queries per minute. */
export function registerDashboard(app: ConsoleApp, k: ConsoleKit): void {
  app.get('/console', (c) => {
    const asked = Number(c.req.query('hours'));
    const hours = HOURS.includes(asked) ? asked : 3;
    const now = k.now();
    const { registry, history } = k.deps;
    const backends = registry.all();
    const buckets = bucketCounts(history.countsPerMinute(now - hours * 3_600_000 - 60_000), now, hours);
    const lastHour = history.countsPerMinute(now - 3_600_000).reduce((a, r) => a + Number(r.count), 0);
    const sum = (f: (b: Backend) => number) => backends.reduce((a, b) => a + f(b), 0);
    const healthy = backends.filter((b) => b.health === 'HEALTHY').length;
    return c.html(
      <Layout ctx={c.get('ctx')} title="Dashboard" section="dashboard" refreshSeconds={30}>
        <div class="stats">
          <Stat value={`${healthy} / ${backends.length}`} label="backends healthy" />
          <Stat value={formatCount(sum((b) => b.inFlight))} label="in flight (this gateway)" />
          <Stat value={formatCount(sum((b) => b.stats?.runningQueries ?? 0))} label="running (clusters)" />
          <Stat value={formatCount(sum((b) => b.stats?.queuedQueries ?? 0))} label="queued (clusters)" />
          <Stat value={formatCount(lastHour)} label="queries in the last hour" />
        </div>
        <section class="card">
          <div class="row" style="justify-content:space-between">
            <h2>Queries</h2>
            <span class="row small">
              {HOURS.map((h) => (h === hours ? <b>{h} h</b> : <a href={`/console?hours=${h}`}>{h} h</a>))}
            </span>
          </div>
          <QueriesChart buckets={buckets} hours={hours} />
        </section>
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
