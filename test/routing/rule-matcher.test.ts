import { describe, expect, it } from 'vitest';
import type { LoadedRule } from '../../src/routing/rule-loader.js';
import { compileCondition, compileRules } from '../../src/routing/rule-matcher.js';
import { conditionSchema, type Condition } from '../../src/routing/rule-schema.js';
import { facts, principal } from '../helpers/routing-fixtures.js';

const request = facts(
  {
    'x-trino-source': 'Trino-CLI',
    'x-trino-client-tags': 'etl,nightly',
    'x-trino-client-info': 'job=nightly-sync',
    'x-trino-catalog': 'hive',
    'x-trino-schema': 'web',
    'x-my-header': 'v-42',
  },
  principal('svc_loader', ['adhoc', 'etl']),
  'INSERT INTO iceberg.dw.t SELECT * FROM events',
);

const holds = (c: unknown): boolean => compileCondition(conditionSchema.parse(c)).test(request);

describe('text tests', () => {
  it.each<[string, unknown, boolean]>([
    ['equals', { user: { equals: 'svc_loader' } }, true],
    ['equals is case-sensitive', { source: { equals: 'trino-cli' } }, false],
    ['equals with ignoreCase', { source: { equals: 'trino-cli', ignoreCase: true } }, true],
    ['in', { source: { in: ['airflow', 'Trino-CLI'] } }, true],
    ['in, not listed', { source: { in: ['airflow'] } }, false],
    ['regex matches the whole value', { user: { regex: 'svc_.*' } }, true],
    ['regex does not match a part', { user: { regex: 'svc' } }, false],
    ['regex with ignoreCase', { source: { regex: 'trino-.*', ignoreCase: true } }, true],
    ['regex alternatives stay anchored', { user: { regex: 'x|svc_loader' } }, true],
    ['contains', { clientInfo: { contains: 'nightly' } }, true],
    ['startsWith', { source: { startsWith: 'Trino' } }, true],
    ['endsWith', { source: { endsWith: '-cli', ignoreCase: true } }, true],
    ['exists on a present fact', { source: { exists: true } }, true],
    ['exists: false on a present fact', { source: { exists: false } }, false],
    ['several tests, all must pass', { source: { startsWith: 'Trino', endsWith: 'x' } }, false],
    ['session catalog', { catalog: { equals: 'hive' } }, true],
    ['session schema', { schema: { in: ['web'] } }, true],
    ['a header by any-case name', { header: { name: 'X-MY-HEADER', regex: 'v-[0-9]+' } }, true],
    ['an absent header', { header: { name: 'x-none', equals: '' } }, false],
    ['an absent header with exists: false', { header: { name: 'x-none', exists: false } }, true],
    ['statementType', { statementType: { equals: 'INSERT' } }, true],
  ])('%s', (_name, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });
});

describe('list tests', () => {
  it.each<[string, unknown, boolean]>([
    ['contains', { clientTags: { contains: 'etl' } }, true],
    ['contains is whole-element', { clientTags: { contains: 'et' } }, false],
    ['contains with ignoreCase', { clientTags: { contains: 'ETL', ignoreCase: true } }, true],
    ['containsAny', { clientTags: { containsAny: ['x', 'nightly'] } }, true],
    ['containsAny, none', { clientTags: { containsAny: ['x', 'y'] } }, false],
    ['containsAll', { clientTags: { containsAll: ['nightly', 'etl'] } }, true],
    ['containsAll, one missing', { clientTags: { containsAll: ['etl', 'x'] } }, false],
    ['regex on some element', { tables: { regex: 'iceberg\\..*' } }, true],
    ['exists: true on a non-empty list', { clientTags: { exists: true } }, true],
    ['exists: false on a non-empty list', { clientTags: { exists: false } }, false],
    ['principal groups', { groups: { contains: 'etl' } }, true],
    ['catalogs from the SQL', { catalogs: { containsAll: ['iceberg', 'hive'] } }, true],
    ['schemas from the SQL', { schemas: { contains: 'hive.web' } }, true],
    ['tables from the SQL, qualified by the session', { tables: { contains: 'hive.web.events' } }, true],
  ])('%s', (_name, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });
});

describe('combinators', () => {
  it.each<[string, unknown, boolean]>([
    ['an empty condition always holds', {}, true],
    ['keys of one object are ANDed', { user: { regex: 'svc_.*' }, source: { equals: 'airflow' } }, false],
    ['all', { all: [{ user: { startsWith: 'svc' } }, { clientTags: { contains: 'etl' } }] }, true],
    ['any', { any: [{ user: { equals: 'x' } }, { clientTags: { contains: 'etl' } }] }, true],
    ['any with none holding', { any: [{ user: { equals: 'x' } }, { source: { equals: 'y' } }] }, false],
    ['not', { not: { source: { equals: 'airflow' } } }, true],
    ['nested', { any: [{ not: { ddl: false } }, { all: [{ statementType: { in: ['INSERT'] } }] }] }, true],
    ['ddl: false on an INSERT', { ddl: false }, true],
  ])('%s', (_name, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });
});

describe('compiled rules', () => {
  it('do not analyse the SQL when a cheaper test in the same condition already fails', () => {
    const f = facts({ 'x-trino-source': 'cli' }, principal('alice', ['*']), 'SELECT * FROM t');
    const check = compileCondition({ tables: { contains: 'x' }, source: { equals: 'airflow' } } as Condition);
    expect(check.sql).toBe(true);
    expect(check.test(f)).toBe(false);
    expect(f.sqlAnalysed).toBe(false);
  });

  it('run by ascending priority, ties in file and position order', () => {
    const rule = (name: string, priority: number, file: string): LoadedRule => ({
      spec: { name, priority, condition: {}, actions: { routeTo: 'g' }, continue: false },
      file,
      line: 1,
    });
    const ordered = compileRules([
      rule('a2', 5, 'a.yaml'),
      rule('a3', 1, 'a.yaml'),
      rule('b1', 5, 'b.yaml'),
      rule('a1', -1, 'a.yaml'),
    ]);
    expect(ordered.map((r) => r.name)).toEqual(['a1', 'a3', 'a2', 'b1']);
  });

  it('explain every test with the value it saw', () => {
    const [rule] = compileRules([
      {
        spec: {
          name: 'r',
          priority: 0,
          condition: conditionSchema.parse({
            source: { equals: 'airflow' },
            any: [{ clientTags: { contains: 'etl' } }],
            not: { user: { regex: 'svc_.*' } },
          }),
          actions: { routeTo: 'etl' },
          continue: false,
        },
        file: 'f',
        line: 1,
      },
    ]);
    expect(rule.explain(request)).toEqual({
      matched: false,
      reasons: [
        'source "Trino-CLI" fails equals "airflow"',
        'any[0]: clientTags ["etl","nightly"] passes contains "etl"',
        'not: user "svc_loader" passes regex "svc_.*"',
        'not: the condition held, so not fails',
      ],
    });
  });
});
