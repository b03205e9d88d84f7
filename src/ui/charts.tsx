import type { BucketCount, BucketLatency } from '../history/history-stats-repo.js';
import { formatClock, formatDuration } from './format.js';

/** Every chart of a window has this many buckets: 1 min each over one hour, 24 min over a day. */
export const BUCKETS = 60;
const MINUTE = 60_000;
/** The most series a chart draws; smaller ones are summed as "other". */
const MAX_SERIES = 6;
const PALETTE = ['#1f5fbf', '#17803d', '#b86e00', '#7b3fb0', '#0e7c86', '#b8326b', '#5d6778'];
export const STATE_COLORS: Record<string, string> = {
  FINISHED: '#17803d',
  FAILED: '#b42318',
  CANCELED: '#8a94a6',
  ABANDONED: '#b86e00',
  RUNNING: '#1f5fbf',
};

/** The buckets of a window that ends with the current minute. */
export interface Timeline {
  start: number;
  bucketMs: number;
  n: number;
}

export function timeline(now: number, hours: number): Timeline {
  const bucketMs = Math.max(1, Math.round((hours * 60) / BUCKETS)) * MINUTE;
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  return { start: end - BUCKETS * bucketMs, bucketMs, n: BUCKETS };
}

export interface Series {
  name: string;
  color: string;
  values: number[];
}

/**
 * seriesOf spreads bucket counts over the timeline, one series per key, the largest first; beyond
 * MAX_SERIES the smallest are summed as "other". `colors` pins a key's colour (final states).
 */
export function seriesOf(
  rows: readonly BucketCount[],
  t: Timeline,
  colors: Record<string, string> = {},
): Series[] {
  const byKey = new Map<string, number[]>();
  for (const r of rows) {
    const i = Math.floor((Number(r.bucket) - t.start) / t.bucketMs);
    if (i < 0 || i >= t.n) continue;
    const key = r.key ?? '(none)';
    if (!byKey.has(key)) byKey.set(key, new Array<number>(t.n).fill(0));
    byKey.get(key)![i] += Number(r.count);
  }
  const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const sorted = [...byKey].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
  const kept = sorted.length > MAX_SERIES ? sorted.slice(0, MAX_SERIES - 1) : sorted;
  const rest = sorted.slice(kept.length);
  const out = kept.map(([name, values], i) => ({
    name,
    values,
    color: colors[name] ?? PALETTE[i % PALETTE.length],
  }));
  if (rest.length)
    out.push({
      name: `other (${rest.length})`,
      color: PALETTE[PALETTE.length - 1],
      values: rest.reduce((acc, [, v]) => acc.map((x, i) => x + v[i]), new Array<number>(t.n).fill(0)),
    });
  return out;
}

function Axis({ t }: { t: Timeline }) {
  return (
    <div class="axis">
      <span>{formatClock(t.start)}</span>
      <span>{formatClock(t.start + (t.n / 2) * t.bucketMs)}</span>
      <span>{formatClock(t.start + t.n * t.bucketMs)} UTC</span>
    </div>
  );
}

function Legend({ items }: { items: Array<{ name: string; color: string; note?: string }> }) {
  return (
    <ul class="legend">
      {items.map((s) => (
        <li>
          <i style={`background:${s.color}`}></i>
          {s.name}
          {s.note ? <span class="muted"> {s.note}</span> : null}
        </li>
      ))}
    </ul>
  );
}

const per = (t: Timeline) => (t.bucketMs === MINUTE ? 'minute' : `${t.bucketMs / MINUTE} minutes`);

/** StackedBars draws counts per bucket, one colour per series, as a server-rendered SVG. */
export function StackedBars({ t, series, what }: { t: Timeline; series: Series[]; what: string }) {
  const sums = Array.from({ length: t.n }, (_, i) => series.reduce((a, s) => a + s.values[i], 0));
  const max = Math.max(0, ...sums);
  const total = sums.reduce((a, b) => a + b, 0);
  const h = (c: number) => (max === 0 ? 0 : (c / max) * 100);
  const label = `${what} per ${per(t)}: ${total} in total, at most ${max} per ${per(t)}.`;
  return (
    <figure class="fig" data-chart={what}>
      <div class="axis">
        <span>
          peak {max} / {per(t)}
        </span>
        <span>{total} queries</span>
      </div>
      <svg
        class="chart"
        viewBox={`0 0 ${t.n} 100`}
        preserveAspectRatio="none"
        role="img"
        aria-label={label}
        xmlns="http://www.w3.org/2000/svg"
      >
        <line
          x1="0"
          y1="100"
          x2={String(t.n)}
          y2="100"
          stroke="#c5ccd8"
          stroke-width="1"
          vector-effect="non-scaling-stroke"
        />
        {sums.map((_, i) => {
          let y = 100;
          return series.map((s) => {
            const v = s.values[i];
            if (v === 0) return null;
            const height = Math.max(1, h(v));
            y -= height;
            return (
              <rect x={String(i + 0.1)} width="0.8" y={String(y)} height={String(height)} fill={s.color}>
                <title>{`${formatClock(t.start + i * t.bucketMs)} UTC · ${s.name}: ${v}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <Axis t={t} />
      {total === 0 ? <p class="muted small">No queries in this window.</p> : <Legend items={series} />}
    </figure>
  );
}

/** LatencyLines draws p50 and p95 of the query time per bucket; buckets without queries leave a gap. */
export function LatencyLines({ t, rows }: { t: Timeline; rows: readonly BucketLatency[] }) {
  const p50 = new Array<number | null>(t.n).fill(null);
  const p95 = new Array<number | null>(t.n).fill(null);
  for (const r of rows) {
    const i = Math.floor((Number(r.bucket) - t.start) / t.bucketMs);
    if (i >= 0 && i < t.n) [p50[i], p95[i]] = [Number(r.p50), Number(r.p95)];
  }
  const max = Math.max(0, ...p95.map((v) => v ?? 0));
  const y = (v: number) => 100 - (max === 0 ? 0 : (v / max) * 96);
  const path = (vs: (number | null)[]) =>
    vs
      .map((v, i) =>
        v === null ? '' : `${i === 0 || vs[i - 1] === null ? 'M' : 'L'}${i + 0.5} ${y(v).toFixed(2)}`,
      )
      .filter(Boolean)
      .join(' ');
  const dots = (vs: (number | null)[], color: string, name: string) =>
    vs.map((v, i) =>
      v !== null && (vs[i - 1] ?? null) === null && (vs[i + 1] ?? null) === null ? (
        <rect x={String(i + 0.1)} width="0.8" y={String(y(v) - 1.5)} height="3" fill={color}>
          <title>{`${formatClock(t.start + i * t.bucketMs)} UTC · ${name}: ${formatDuration(v)}`}</title>
        </rect>
      ) : null,
    );
  const lines = [
    { name: 'p50', color: '#1f5fbf', values: p50 },
    { name: 'p95', color: '#b86e00', values: p95 },
  ];
  const n = rows.reduce((a, r) => a + Number(r.n), 0);
  return (
    <figure class="fig" data-chart="query time">
      <div class="axis">
        <span>peak p95 {formatDuration(max)}</span>
        <span>{n} completed queries</span>
      </div>
      <svg
        class="chart"
        viewBox={`0 0 ${t.n} 100`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Query time p50 and p95 per ${per(t)}; p95 at most ${formatDuration(max)}.`}
        xmlns="http://www.w3.org/2000/svg"
      >
        <line
          x1="0"
          y1="100"
          x2={String(t.n)}
          y2="100"
          stroke="#c5ccd8"
          stroke-width="1"
          vector-effect="non-scaling-stroke"
        />
        {lines.map((l) => (
          <path
            d={path(l.values)}
            fill="none"
            stroke={l.color}
            stroke-width="2"
            vector-effect="non-scaling-stroke"
          />
        ))}
        {lines.map((l) => dots(l.values, l.color, l.name))}
      </svg>
      <Axis t={t} />
      {n === 0 ? <p class="muted small">No completed queries in this window.</p> : <Legend items={lines} />}
    </figure>
  );
}
