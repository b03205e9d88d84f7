/**
 * Shared routing-bench fixtures: the 200 generated rules (cheap ones first, as rules/README.md advises),
 * the groups they route to and a ~500-character SQL text. The same generator as bench/routing-bench.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const GROUPS = ['adhoc', 'etl', 'batch', 'reporting', 'lakehouse'];

/** 200 rules: 120 on request headers and the principal (priorities 0-119), then 80 that need the SQL (120-199). */
export function generateRules(count = 200): string {
  const rules: string[] = [];
  for (let i = 0; i < count; i++) {
    rules.push(
      `- name: rule-${i}\n  priority: ${i}\n  condition:\n    ${condition(i)}\n` +
        `  actions: { routeTo: ${GROUPS[i % GROUPS.length]} }\n`,
    );
  }
  return rules.join('');
}

function condition(i: number): string {
  if (i < 120) {
    switch (i % 6) {
      case 0:
        return `source: { equals: tool-${i} }`;
      case 1:
        return `source: { in: [app-${i}, app-${i}-b] }\n    user: { regex: "svc_${i}_.*" }`;
      case 2:
        return `clientTags: { containsAny: [tag-${i}, tag-${i}-b] }`;
      case 3:
        return `clientInfo: { contains: job-${i} }`;
      case 4:
        return `header: { name: X-Team, equals: team-${i} }`;
      default:
        return `any:\n      - user: { startsWith: u${i}_ }\n      - groups: { contains: g${i} }`;
    }
  }
  switch (i % 4) {
    case 0:
      return `tables: { contains: hive.s${i}.t${i} }`;
    case 1:
      return `catalogs: { contains: cat${i} }`;
    case 2:
      return `statementType: { in: [MERGE] }\n    schemas: { contains: hive.s${i} }`;
    default:
      return `tables: { regex: "hive\\\\.s${i}\\\\..*" }`;
  }
}

export const SQL = `-- nightly revenue rollup
WITH recent AS (
  SELECT o.order_id, o.customer_id, o.total_price, o.order_date
  FROM hive.sales.orders o
  WHERE o.order_date >= DATE '2024-01-01' AND o.status <> 'cancelled'
), cust AS (
  SELECT c.customer_id, c.name, c.segment FROM iceberg.crm."Customers" c WHERE c.active = true
)
SELECT cust.segment, count(*) AS n, sum(recent.total_price) AS revenue
FROM recent JOIN cust ON recent.customer_id = cust.customer_id
LEFT JOIN web.events e ON e.customer_id = cust.customer_id
GROUP BY 1 ORDER BY revenue DESC LIMIT 100`;

/** 1,000 distinct (flat) copies of SQL, so nothing can be cached across requests. */
export const sqlVariants = (): string[] =>
  Array.from({ length: 1000 }, (_, i) => `/* run ${i} */ ${SQL}`.split('').join(''));

/** The headers a Trino JDBC client sends with a new query. */
export const trinoHeaders = (source: string, authorization: string): IncomingHttpHeaders => ({
  host: 'gateway.example.com:8080',
  'user-agent': 'Trino JDBC Driver/435',
  'content-type': 'text/plain; charset=utf-8',
  'content-length': String(SQL.length),
  accept: '*/*',
  'accept-encoding': 'gzip',
  authorization,
  'x-trino-user': 'alice',
  'x-trino-source': source,
  'x-trino-catalog': 'hive',
  'x-trino-schema': 'web',
  'x-trino-client-tags': 'dashboards,finance',
  'x-trino-client-info': '{"dashboard":"revenue"}',
  'x-trino-time-zone': 'UTC',
  'x-trino-language': 'en-US',
  'x-trino-session': 'query_max_run_time=1h',
});
