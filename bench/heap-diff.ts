/**
 * `npx tsx bench/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot N`: where a gateway's heap grew
 * between two snapshots (bench/lib/gateway-stats.ts `heap`, e.g. from bench/lib/diag-d.ts), per object
 * kind (constructor name, or the V8 node type for strings, arrays, code…), in bytes per one of N queries.
 * Self sizes only: what an object holds outside the JS heap (sockets' kernel buffers, libuv handles,
 * llhttp's WASM memory, Buffers' backing stores) shows in RSS, not here.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function summary(file: string): Map<string, { bytes: number; count: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt, width] = [
    f.indexOf('type'),
    f.indexOf('name'),
    f.indexOf('self_size'),
    f.length,
  ];
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    const key =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type} ${s.strings[s.nodes[i + nameAt]!]}`
        : `(${type})`;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += s.nodes[i + sizeAt]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const [a, b, nArg] = process.argv.slice(2);
const n = Number(nArg);
const before = summary(a!);
const after = summary(b!);
const rows = [...after].map(([k, v]) => {
  const w = before.get(k) ?? { bytes: 0, count: 0 };
  return { k, bytes: (v.bytes - w.bytes) / n, count: (v.count - w.count) / n };
});
rows.sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((t, r) => t + r.bytes, 0);
console.log(`heap growth per query: ${total.toFixed(0)} B over ${n} queries`);
console.log('  B/query  objects/query  kind');
for (const r of rows.slice(0, 40))
  console.log(`${r.bytes.toFixed(0).padStart(9)} ${r.count.toFixed(2).padStart(13)}  ${r.k.slice(0, 90)}`);
