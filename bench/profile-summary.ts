/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: self time of a V8 CPU profile (as written
 * by `node --cpu-prof`, e.g. `npx tsx bench/run.ts --quick --profile`), aggregated by function and
 * script, largest first, plus the totals by package (node_modules/<name>, node: internals, src/, …).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
  self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.search(/\/(src|bench|test)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}
function bucket(url: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.search(/\/(src|bench|test)\//);
  return src >= 0
    ? url
        .slice(src + 1)
        .split('/')
        .slice(0, 2)
        .join('/')
    : url;
}

const byFn = new Map<string, number>();
const byBucket = new Map<string, number>();
let total = 0;
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'}  ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const b = bucket(url);
  byBucket.set(b, (byBucket.get(b) ?? 0) + us);
  total += us;
}
const idle = [...self].reduce(
  (s, [id, us]) => (byId.get(id)!.callFrame.functionName === '(idle)' ? s + us : s),
  0,
);
const pct = (us: number) => ((100 * us) / total).toFixed(1).padStart(5);
const busy = total - idle;
console.log(
  `total ${(total / 1e3).toFixed(0)} ms sampled, idle ${(idle / 1e3).toFixed(0)} ms, busy ${(busy / 1e3).toFixed(0)} ms (percentages of all samples)\n`,
);
console.log('self ms    %   function  script:line');
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${(us / 1e3).toFixed(1).padStart(7)} ${pct(us)}   ${k}`);
console.log('\nself ms    %   by package');
for (const [k, us] of [...byBucket].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`${(us / 1e3).toFixed(1).padStart(7)} ${pct(us)}   ${k}`);
