import { formatClock } from './format.js';

const MINUTE = 60_000;
/** At most this many bars: wider windows group minutes into buckets. */
const MAX_BARS = 180;

export interface Buckets {
  /** Start of the first bucket, epoch ms. */
  start: number;
  bucketMs: number;
  counts: number[];
}

/**
 * bucketCounts spreads per-minute counts over the `hours` ending with the current minute, in buckets of
 * whole minutes (at most MAX_BARS of them); minutes with no query count zero.
 */
export function bucketCounts(
  rows: ReadonlyArray<{ minute: number; count: number }>,
  now: number,
  hours: number,
) {
  const minutes = Math.round(hours * 60);
  const perBucket = Math.max(1, Math.ceil(minutes / MAX_BARS));
  const bucketMs = perBucket * MINUTE;
  const n = Math.ceil(minutes / perBucket);
  const end = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const start = end - n * bucketMs;
  const counts = new Array<number>(n).fill(0);
  for (const r of rows) {
    const i = Math.floor((r.minute - start) / bucketMs);
    if (i >= 0 && i < n) counts[i] += Number(r.count);
  }
  return { start, bucketMs, counts } satisfies Buckets;
}

/**
 * QueriesChart draws queries per bucket as an inline SVG bar chart, rendered on the server. Bars stretch
 * with the page; the labels are HTML so they stay legible at any width.
 */
export function QueriesChart({ buckets, hours }: { buckets: Buckets; hours: number }) {
  const { start, bucketMs, counts } = buckets;
  const n = counts.length;
  const max = Math.max(0, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const per = bucketMs === MINUTE ? 'minute' : `${bucketMs / MINUTE} minutes`;
  const label = `Queries per ${per} over the last ${hours} hours: ${total} in total, at most ${max} per ${per}.`;
  return (
    <figure style="margin:0">
      <div class="axis">
        <span>
          peak {max} / {per}
        </span>
        <span>{total} queries</span>
      </div>
      <svg
        class="chart"
        viewBox={`0 0 ${n} 100`}
        preserveAspectRatio="none"
        role="img"
        aria-label={label}
        xmlns="http://www.w3.org/2000/svg"
      >
        <line
          x1="0"
          y1="100"
          x2={String(n)}
          y2="100"
          stroke="#c5ccd8"
          stroke-width="1"
          vector-effect="non-scaling-stroke"
        />
        {counts.map((c, i) =>
          c === 0 ? null : (
            <rect x={String(i + 0.1)} width="0.8" y={String(100 - h(c, max))} height={String(h(c, max))}>
              <title>{`${formatClock(start + i * bucketMs)} UTC: ${c} ${c === 1 ? 'query' : 'queries'}`}</title>
            </rect>
          ),
        )}
      </svg>
      <div class="axis">
        <span>{formatClock(start)}</span>
        <span>{formatClock(start + Math.floor(n / 2) * bucketMs)}</span>
        <span>{formatClock(start + n * bucketMs)} UTC</span>
      </div>
      {total === 0 ? <p class="muted small">No queries in the last {hours} hours.</p> : null}
    </figure>
  );
}

/** Bar height in percent of the chart; a bucket with any query stays visible. */
const h = (c: number, max: number): number => Math.max(2, Math.round((c / max) * 1000) / 10);
