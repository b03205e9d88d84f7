import type { BackendRecord, GroupRecord } from '../backends/backend-repo.js';
import { backendDifferences, groupDifferences, type FieldDifference } from '../backends/record-diff.js';
import type { GatewayConfig } from '../config/gateway-config.js';

const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));

const line = (key: string, d: FieldDifference) =>
  `${key}.${d.field}: file ${show(d.a)}, database ${show(d.b)}`;

/**
 * seedDifferences names each way the file's groups and backends differ from the stored ones that seeding
 * left alone (the database wins in seed mode): a changed field, or an entry deleted through the admin API
 * that the file still declares. Keys are the YAML's (`backends[1].url`), each with the entry's name.
 */
export function seedDifferences(
  cfg: Pick<GatewayConfig, 'groups' | 'backends'>,
  stored: { groups: readonly GroupRecord[]; backends: readonly BackendRecord[] },
  inserted: { groups: ReadonlySet<string>; backends: ReadonlySet<string> },
): string[] {
  const out: string[] = [];
  const groups = new Map(stored.groups.map((g) => [g.name, g]));
  cfg.groups.forEach((g, i) => {
    if (inserted.groups.has(g.name)) return;
    const key = `groups[${i}] (${g.name})`;
    const db = groups.get(g.name);
    if (!db) return void out.push(`${key}: deleted through the admin API, still in the file`);
    for (const d of groupDifferences({ name: g.name, policy: g.policy, fallback: g.fallback }, db))
      out.push(line(key, d));
  });
  const backends = new Map(stored.backends.map((b) => [b.name, b]));
  cfg.backends.forEach((b, i) => {
    if (inserted.backends.has(b.name)) return;
    const key = `backends[${i}] (${b.name})`;
    const db = backends.get(b.name);
    if (!db) return void out.push(`${key}: deleted through the admin API, still in the file`);
    for (const d of backendDifferences(b, db)) out.push(line(key, d));
  });
  return out;
}
