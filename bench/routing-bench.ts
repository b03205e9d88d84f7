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
import { GROUPS, SQL, generateRules, trinoHeaders } from './lib/routing-fixtures.js';

const iterations = Number(process.argv[2] ?? 100_000);
const headers = (source: string): IncomingHttpHeaders => trinoHeaders(source, 'Basic YWxpY2U6c2VjcmV0');

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
