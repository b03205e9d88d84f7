/**
 * Routing hot-path benchmark: buildRequestFacts + chooseGroup (which runs RuleEngine.decide) for one new
 * query, against 200 generated rules. Run with: npx tsx bench/routing-bench.ts [iterations]
 *
 * Scenarios:
 * - header rule: a source rule near the top matches; the SQL is never analysed.
 * - SQL rules, no match: every rule is tried, the SQL (about 500 characters) is analysed once, and no
 *   rule matches, so the default group is used. The worst case for a realistic rule set.
 * - SQL rule match: the query names a table that one of the last rules routes by.
 * Timings are per request, taken with process.hrtime.bigint(); printed, never asserted.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../src/auth/principal.js';
import { silentLogger } from '../src/observability/logger.js';
import { chooseGroup } from '../src/routing/group-choice.js';
import { buildRequestFacts } from '../src/routing/request-facts.js';
import { RuleEngine } from '../src/routing/rule-engine.js';
import { parseRuleText } from '../src/routing/rule-loader.js';
import { sqlFacts } from '../src/routing/sql-facts.js';

const iterations = Number(process.argv[2] ?? 100_000);
const GROUPS = ['adhoc', 'etl', 'batch', 'reporting', 'lakehouse'];

/**
 * 200 rules, cheap ones first as rules/README.md advises: 120 on request headers and the principal
 * (priorities 0-119), then 80 that need the SQL (120-199).
 */
function generateRules(): string {
  const rules: string[] = [];
  for (let i = 0; i < 200; i++) {
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

const SQL = `-- nightly revenue rollup
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

const headers = (source: string): IncomingHttpHeaders => ({
  host: 'gateway.example.com:8080',
  'user-agent': 'Trino JDBC Driver/435',
  'content-type': 'text/plain; charset=utf-8',
  'content-length': String(SQL.length),
  accept: '*/*',
  'accept-encoding': 'gzip',
  authorization: 'Basic YWxpY2U6c2VjcmV0',
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

const principal: Principal = { name: 'alice', roles: ['user'], groups: ['*'], method: 'basic' };
const engine = RuleEngine.fromRules(parseRuleText(generateRules(), 'bench.yaml'), silentLogger());
const knownGroups = new Set(GROUPS);

// Distinct (flat) strings per iteration, so nothing can be cached across requests.
const variants = Array.from({ length: 1000 }, (_, i) => `/* run ${i} */ ${SQL}`.split('').join(''));

function measure(name: string, run: (i: number) => unknown): void {
  for (let i = 0; i < 20_000; i++) run(i);
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    run(i);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  const at = (q: number): string => times[Math.min(iterations - 1, Math.floor(iterations * q))].toFixed(1);
  console.log(`${name.padEnd(46)} p50 ${at(0.5).padStart(6)} µs   p99 ${at(0.99).padStart(6)} µs`);
}

function route(source: string, sql: (i: number) => string) {
  const request = headers(source); // node:http builds this object before we see the request
  return (i: number) => {
    const facts = buildRequestFacts(request, principal, sql(i));
    const choice = chooseGroup({ facts, principal, engine, defaultGroup: 'adhoc', knownGroups });
    if (!choice.ok) throw new Error(choice.message);
    return choice;
  };
}

const matchSql = (i: number): string => `${variants[i % 1000]} UNION ALL SELECT * FROM hive.s196.t196`;
const check = (name: string, got: unknown, want: unknown): void => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${name}: got ${JSON.stringify(got)}`);
};
check('header rule', route('tool-60', (i) => variants[i % 1000])(0), {
  ok: true,
  group: 'adhoc',
  source: 'rule',
  rule: 'rule-60',
});
check('no match', route('jdbc', (i) => variants[i % 1000])(0), {
  ok: true,
  group: 'adhoc',
  source: 'config-default',
});
check('sql match', route('jdbc', matchSql)(0), {
  ok: true,
  group: 'etl',
  source: 'rule',
  rule: 'rule-196',
});

console.log(
  `routing: ${engine.rules.length} rules, ${SQL.length}-character SQL, ${iterations} iterations, Node ${process.version}`,
);
measure('sqlFacts alone', (i) => sqlFacts(variants[i % 1000], { catalog: 'hive', schema: 'web' }));
measure(
  'facts + choose: header rule #60 matches',
  route('tool-60', (i) => variants[i % 1000]),
);
measure(
  'facts + choose: 200 rules, SQL analysed, none',
  route('jdbc', (i) => variants[i % 1000]),
);
measure('facts + choose: SQL rule #196 matches', route('jdbc', matchSql));
