import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { chooseGroup } from '../../src/routing/group-choice.js';
import { buildRequestFacts } from '../../src/routing/request-facts.js';
import { engineOf, principal } from '../helpers/routing-fixtures.js';

/** A rule set exercising every fact, test and combinator. Earlier rules shadow later ones on purpose. */
const engine = engineOf(`
- name: vip-users
  priority: 1
  condition: { user: { startsWith: vip_ } }
  actions: { routeTo: vip }
- name: canary-header
  priority: 2
  condition: { header: { name: X-Canary, exists: true } }
  actions: { routeTo: canary }
- name: airflow-to-etl
  priority: 10
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
- name: dbt-sources
  priority: 11
  condition: { source: { in: [dbt, dbt-core] } }
  actions: { routeTo: etl }
- name: service-accounts
  priority: 12
  condition: { user: { regex: "svc_.*" } }
  actions: { routeTo: etl }
- name: tagged-etl
  priority: 13
  condition: { clientTags: { contains: etl } }
  actions: { routeTo: etl }
- name: tagged-batch
  priority: 14
  condition: { clientTags: { containsAny: [batch, backfill] } }
  actions: { routeTo: batch }
- name: critical-reports
  priority: 15
  condition: { clientTags: { containsAll: [critical, report] } }
  actions: { routeTo: reporting }
- name: nightly-info
  priority: 16
  condition: { clientInfo: { contains: nightly } }
  actions: { routeTo: etl }
- name: data-engineers
  priority: 17
  condition: { groups: { contains: data-eng } }
  actions: { routeTo: data-eng }
- name: custom-header
  priority: 18
  condition: { header: { name: x-team, regex: "team-[0-9]+" } }
  actions: { routeTo: teams }
- name: federated-session
  priority: 20
  condition: { catalog: { equals: postgresql } }
  actions: { routeTo: federated }
- name: scratch-schemas
  priority: 21
  condition: { schema: { startsWith: tmp_ } }
  actions: { routeTo: scratch }
- name: writes
  priority: 30
  condition: { statementType: { in: [INSERT, UPDATE, DELETE, MERGE] } }
  actions: { routeTo: etl }
- name: ddl
  priority: 31
  condition: { ddl: true }
  actions: { routeTo: etl }
- name: lakehouse
  priority: 40
  condition: { catalogs: { containsAny: [iceberg, delta] } }
  actions: { routeTo: lakehouse }
- name: finance
  priority: 41
  condition: { schemas: { contains: hive.finance } }
  actions: { routeTo: finance }
- name: hot-events
  priority: 42
  condition: { tables: { contains: hive.web.events } }
  actions: { routeTo: events }
- name: superset-default
  priority: 60
  condition: { source: { equals: superset } }
  actions: { routeTo: reporting }
  continue: true
- name: superset-heavy
  priority: 61
  condition: { source: { equals: superset }, clientTags: { contains: heavy } }
  actions: { routeTo: etl }
- name: interactive
  priority: 70
  condition:
    any:
      - source: { endsWith: "-cli", ignoreCase: true }
      - all:
          - source: { exists: false }
          - not: { user: { equals: alice } }
  actions: { routeTo: interactive }
`);

const knownGroups = new Set(
  'adhoc etl batch reporting data-eng teams federated scratch lakehouse finance events interactive canary vip'.split(
    ' ',
  ),
);
const alice = principal('alice', ['*']);
const bob = principal('bob', ['adhoc', 'etl'], 'adhoc');
const vip = principal('vip_carol', ['adhoc', 'etl']);
const dan = principal('dan', ['data-eng', 'adhoc']);
const svc = principal('svc_loader', ['*']);
const session = { 'x-trino-catalog': 'hive', 'x-trino-schema': 'web' };
const jdbc = { 'x-trino-source': 'jdbc', ...session };

interface Row {
  what: string;
  headers: IncomingHttpHeaders;
  who: Principal;
  sql: string;
  group: string;
  rule?: string;
  source?: 'header' | 'rule' | 'principal-default' | 'config-default';
}

const insertSql = encodeURIComponent('INSERT INTO hive.web.t SELECT 1');

const rows: Row[] = [
  {
    what: 'source equals',
    headers: { 'x-trino-source': 'airflow' },
    who: alice,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'airflow-to-etl',
  },
  {
    what: 'the Presto twin of the source header',
    headers: { 'x-presto-source': 'airflow' },
    who: alice,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'airflow-to-etl',
  },
  {
    what: 'source in',
    headers: { 'x-trino-source': 'dbt-core' },
    who: alice,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'dbt-sources',
  },
  { what: 'user regex', headers: jdbc, who: svc, sql: 'SELECT 1', group: 'etl', rule: 'service-accounts' },
  {
    what: 'a user regex that must match the whole name',
    headers: jdbc,
    who: principal('my_svc_x', ['*']),
    sql: 'SELECT 1',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'client tags contains',
    headers: { ...jdbc, 'x-trino-client-tags': 'nightly, etl' },
    who: alice,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'tagged-etl',
  },
  {
    what: 'client tags containsAny',
    headers: { ...jdbc, 'x-trino-client-tags': 'backfill' },
    who: alice,
    sql: 'SELECT 1',
    group: 'batch',
    rule: 'tagged-batch',
  },
  {
    what: 'client tags containsAll',
    headers: { ...jdbc, 'x-trino-client-tags': 'report,critical' },
    who: alice,
    sql: 'SELECT 1',
    group: 'reporting',
    rule: 'critical-reports',
  },
  {
    what: 'client tags containsAll with one missing',
    headers: { ...jdbc, 'x-trino-client-tags': 'critical' },
    who: alice,
    sql: 'SELECT 1',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'client info contains',
    headers: { ...jdbc, 'x-trino-client-info': '{"job":"nightly-sync"}' },
    who: alice,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'nightly-info',
  },
  {
    what: 'principal groups contains',
    headers: jdbc,
    who: dan,
    sql: 'SELECT 1',
    group: 'data-eng',
    rule: 'data-engineers',
  },
  {
    what: 'a custom header regex',
    headers: { ...jdbc, 'X-Team': 'team-42' },
    who: alice,
    sql: 'SELECT 1',
    group: 'teams',
    rule: 'custom-header',
  },
  {
    what: 'a header exists',
    headers: { ...jdbc, 'x-canary': '' },
    who: alice,
    sql: 'SELECT 1',
    group: 'canary',
    rule: 'canary-header',
  },
  {
    what: 'session catalog equals',
    headers: { 'x-trino-source': 'jdbc', 'x-trino-catalog': 'postgresql' },
    who: alice,
    sql: 'SELECT 1',
    group: 'federated',
    rule: 'federated-session',
  },
  {
    what: 'session schema startsWith',
    headers: { 'x-trino-source': 'jdbc', 'x-trino-catalog': 'hive', 'x-trino-schema': 'tmp_alice' },
    who: alice,
    sql: 'SELECT 1',
    group: 'scratch',
    rule: 'scratch-schemas',
  },
  {
    what: 'statementType in',
    headers: jdbc,
    who: alice,
    sql: 'INSERT INTO x SELECT * FROM y',
    group: 'etl',
    rule: 'writes',
  },
  {
    what: 'ddl',
    headers: jdbc,
    who: alice,
    sql: 'CREATE TABLE iceberg.a.b (x int)',
    group: 'etl',
    rule: 'ddl',
  },
  {
    what: 'catalogs containsAny',
    headers: jdbc,
    who: alice,
    sql: 'SELECT * FROM iceberg.crm.customers',
    group: 'lakehouse',
    rule: 'lakehouse',
  },
  {
    what: 'schemas contains, qualified by the session catalog',
    headers: jdbc,
    who: alice,
    sql: 'SELECT * FROM finance.ledger',
    group: 'finance',
    rule: 'finance',
  },
  {
    what: 'tables contains, qualified by the session',
    headers: jdbc,
    who: alice,
    sql: 'SELECT count(*) FROM events',
    group: 'events',
    rule: 'hot-events',
  },
  {
    what: 'a table in a join and a subquery',
    headers: jdbc,
    who: alice,
    sql: 'SELECT * FROM a JOIN (SELECT * FROM hive.web.events) e ON a.id = e.id',
    group: 'events',
    rule: 'hot-events',
  },
  {
    what: 'a CTE named like a table, which is not the table',
    headers: jdbc,
    who: alice,
    sql: 'WITH events AS (SELECT 1 AS x) SELECT * FROM events',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'quoted identifiers',
    headers: jdbc,
    who: alice,
    sql: 'SELECT * FROM "hive"."web"."events"',
    group: 'events',
    rule: 'hot-events',
  },
  {
    what: 'a quoted upper-case identifier, which is another table',
    headers: jdbc,
    who: alice,
    sql: 'SELECT * FROM "EVENTS"',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'tables named only in comments and strings',
    headers: jdbc,
    who: alice,
    sql: "-- FROM events\nSELECT 'FROM events' /* JOIN hive.web.events */",
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'EXECUTE of a prepared INSERT',
    headers: { ...jdbc, 'x-trino-prepared-statement': `ins=${insertSql}` },
    who: alice,
    sql: 'EXECUTE ins',
    group: 'etl',
    rule: 'writes',
  },
  {
    what: 'EXECUTE of an unknown statement',
    headers: jdbc,
    who: alice,
    sql: 'EXECUTE ins',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'EXPLAIN, by the tables it explains',
    headers: jdbc,
    who: alice,
    sql: 'EXPLAIN SELECT * FROM iceberg.a.b',
    group: 'lakehouse',
    rule: 'lakehouse',
  },
  {
    what: 'EXPLAIN ANALYZE of an INSERT, which is no INSERT',
    headers: jdbc,
    who: alice,
    sql: 'EXPLAIN ANALYZE INSERT INTO t SELECT 1',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'a continue rule with no later match',
    headers: { 'x-trino-source': 'superset' },
    who: alice,
    sql: 'SELECT 1',
    group: 'reporting',
    rule: 'superset-default',
  },
  {
    what: 'a continue rule overridden by a later match',
    headers: { 'x-trino-source': 'superset', 'x-trino-client-tags': 'heavy' },
    who: alice,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'superset-heavy',
  },
  {
    what: 'any with endsWith ignoreCase',
    headers: { 'x-trino-source': 'Trino-CLI' },
    who: alice,
    sql: 'SELECT 1',
    group: 'interactive',
    rule: 'interactive',
  },
  {
    what: 'any/all/not with an absent source',
    headers: {},
    who: principal('erin', ['*']),
    sql: 'SELECT 1',
    group: 'interactive',
    rule: 'interactive',
  },
  {
    what: 'not excluding the user',
    headers: {},
    who: alice,
    sql: 'SELECT 1',
    group: 'adhoc',
    source: 'config-default',
  },
  {
    what: 'a forbidden group, skipped for the next rule',
    headers: { 'x-trino-source': 'airflow' },
    who: vip,
    sql: 'SELECT 1',
    group: 'etl',
    rule: 'airflow-to-etl',
  },
  {
    what: 'a forbidden group, skipped for the principal default',
    headers: {},
    who: bob,
    sql: 'SELECT 1',
    group: 'adhoc',
    source: 'principal-default',
  },
  {
    what: 'the routing-group header over every rule',
    headers: { 'x-trino-source': 'airflow', 'x-trino-routing-group': 'batch' },
    who: alice,
    sql: 'SELECT 1',
    group: 'batch',
    source: 'header',
  },
];

describe('routing the fixture table', () => {
  it.each(rows)('routes by $what', ({ headers, who, sql, group, rule, source }) => {
    const facts = buildRequestFacts(headers, who, sql);
    const choice = chooseGroup({
      facts,
      principal: who,
      requestedGroup: facts.header('x-trino-routing-group'),
      engine,
      defaultGroup: 'adhoc',
      knownGroups,
    });
    expect(choice.ok && { group: choice.group, source: choice.source, rule: choice.rule }).toEqual({
      group,
      source: source ?? 'rule',
      rule,
    });
  });

  it('records why a forbidden rule was skipped', () => {
    const facts = buildRequestFacts({ 'x-trino-source': 'airflow' }, vip, 'SELECT 1');
    const choice = chooseGroup({ facts, principal: vip, engine, defaultGroup: 'adhoc', knownGroups });
    expect(choice).toMatchObject({
      skipped: [
        { rule: 'vip-users', group: 'vip', reason: "user 'vip_carol' may not use routing group 'vip'" },
      ],
    });
  });

  it('does not analyse the SQL when a header rule decides first', () => {
    const facts = buildRequestFacts({ 'x-trino-source': 'airflow' }, alice, 'SELECT * FROM events');
    chooseGroup({ facts, principal: alice, engine, defaultGroup: 'adhoc', knownGroups });
    expect(facts.sqlAnalysed).toBe(false);
  });
});
