import { formatClock } from './format.js';
import type { LoadSample } from './load-samples.js';

const PALETTE = ['#1f5fbf', '#17803d', '#b86e00', '#7b3fb0', '#0e7c86', '#b8326b', '#5d6778'];
/** At most this many clusters get a line each; the page's bars still list every cluster. */
const MAX_LINES = 7;

/**
 * LoadLines draws one count (running or queued) per cluster over the sampled window as lines, server-side
 * SVG. A sample without stats (the cluster reported none) breaks the line.
 */
export function LoadLines(props: {
  samples: ReadonlyMap<string, readonly LoadSample[]>;
  field: 'running' | 'queued';
  start: number;
  end: number;
}) {
  const { field, start, end } = props;
  const series = [...props.samples].slice(0, MAX_LINES);
  const span = Math.max(1, end - start);
  const peak = Math.max(0, ...series.flatMap(([, s]) => s.map((x) => x[field] ?? 0)));
  const max = Math.max(1, peak);
  const x = (t: number) => (((t - start) / span) * 100).toFixed(2);
  const y = (v: number) => (100 - (v / max) * 96).toFixed(2);
  const path = (s: readonly LoadSample[]) =>
    s
      .map((p, i) =>
        p[field] === null
          ? ''
          : `${i === 0 || s[i - 1][field] === null ? 'M' : 'L'}${x(p.at)} ${y(p[field]!)}`,
      )
      .filter(Boolean)
      .join(' ');
  const now = series.map(([name, s], i) => ({ name, color: PALETTE[i], last: s[s.length - 1]?.[field] }));
  return (
    <figure class="fig" data-chart={`${field} per cluster`}>
      <div class="axis">
        <span>
          peak {peak} {field}
        </span>
        <span>sampled in memory since the gateway started</span>
      </div>
      <svg
        class="chart"
        viewBox="0 0 100 100"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${field} queries per cluster: ${now.map((n) => `${n.name} ${n.last ?? 'no stats'}`).join(', ')}`}
        xmlns="http://www.w3.org/2000/svg"
      >
        <line
          x1="0"
          y1="100"
          x2="100"
          y2="100"
          stroke="#c5ccd8"
          stroke-width="1"
          vector-effect="non-scaling-stroke"
        />
        {series.map(([, s], i) => (
          <path
            d={path(s)}
            fill="none"
            stroke={PALETTE[i]}
            stroke-width="2"
            vector-effect="non-scaling-stroke"
          />
        ))}
      </svg>
      <div class="axis">
        <span>{formatClock(start)}</span>
        <span>{formatClock(end)} UTC</span>
      </div>
      <ul class="legend">
        {now.map((n) => (
          <li>
            <i style={`background:${n.color}`}></i>
            {n.name}
            <span class="muted"> now {n.last ?? '–'}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
