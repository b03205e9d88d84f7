import { describe, expect, it } from 'vitest';
import { STATEMENT_TYPES } from '../../src/routing/sql-facts.js';
import {
  conditionSchema,
  LIST_FACTS,
  ruleSchema,
  SQL_FACTS,
  STRING_FACTS,
  type Condition,
} from '../../src/routing/rule-schema.js';

/** issues returns each problem as `path: message`, or [] when the value is valid. */
function issues(schema: typeof ruleSchema | typeof conditionSchema, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
const ruleIssues = (value: unknown) => issues(ruleSchema, value);
const conditionIssues = (value: unknown) => issues(conditionSchema, value);

describe('ruleSchema', () => {
  it('fills the defaults: priority 0, an empty condition, continue false', () => {
    expect(ruleSchema.parse({ name: 'r', actions: { routeTo: 'g' } })).toEqual({
      name: 'r',
      priority: 0,
      condition: {},
      actions: { routeTo: 'g' },
      continue: false,
    });
  });

  it('keeps every field given', () => {
    const spec = {
      name: 'r',
      description: 'd',
      priority: -2.5,
      condition: { user: { equals: 'u' } },
      actions: { routeTo: 'g' },
      continue: true,
    };
    expect(ruleSchema.parse(spec)).toEqual(spec);
  });

  it.each<[string, unknown, string]>([
    ['an empty name', { name: '', actions: { routeTo: 'g' } }, 'name: must not be empty'],
    ['an empty routeTo', { name: 'r', actions: { routeTo: '' } }, 'actions.routeTo: must not be empty'],
    ['no actions', { name: 'r' }, 'actions: '],
    ['an infinite priority', { name: 'r', priority: Infinity, actions: { routeTo: 'g' } }, 'priority: '],
    ['a text priority', { name: 'r', priority: '1', actions: { routeTo: 'g' } }, 'priority: '],
    ['an unknown field', { name: 'r', actions: { routeTo: 'g' }, route: 'x' }, ': Unrecognized key: "route"'],
    ['an unknown action', { name: 'r', actions: { routeTo: 'g', also: 1 } }, 'actions: Unrecognized key'],
    ['continue as text', { name: 'r', actions: { routeTo: 'g' }, continue: 'yes' }, 'continue: '],
  ])('refuses %s', (_what, value, want) => {
    const got = ruleIssues(value);
    expect(got.length).toBeGreaterThan(0);
    expect(got.some((i) => i.startsWith(want))).toBe(true);
  });
});

describe('string matchers', () => {
  it.each(STRING_FACTS.filter((f) => f !== 'statementType'))('%s takes every string test', (fact) => {
    const m = {
      equals: 'a',
      in: ['a'],
      regex: 'a.*',
      contains: 'a',
      startsWith: 'a',
      endsWith: 'a',
      exists: true,
    };
    expect(conditionIssues({ [fact]: { ...m, ignoreCase: true } })).toEqual([]);
  });

  it.each(['equals', 'in', 'regex', 'contains', 'startsWith', 'endsWith', 'exists'])(
    'one test is enough: %s',
    (test) => {
      const value = test === 'in' ? ['x'] : test === 'exists' ? false : 'x';
      expect(conditionIssues({ user: { [test]: value } })).toEqual([]);
    },
  );

  it('needs at least one test: ignoreCase alone or nothing is none', () => {
    const needs = 'user: needs at least one test (equals, in, regex, contains, startsWith, endsWith, exists)';
    expect(conditionIssues({ user: { ignoreCase: true } })).toEqual([needs]);
    expect(conditionIssues({ user: {} })).toEqual([needs]);
  });

  it('refuses list tests on a single-valued fact', () => {
    expect(conditionIssues({ source: { containsAny: ['x'] } })[0]).toMatch(/^source: Unrecognized key/);
  });

  it('refuses an invalid regex, with the reason', () => {
    expect(conditionIssues({ user: { regex: 'a(' } })).toEqual([
      expect.stringMatching(/^user\.regex: invalid regex: Invalid regular expression: .*Unterminated group/),
    ]);
  });

  it('refuses wrong types', () => {
    expect(conditionIssues({ user: { equals: 1 } })).toHaveLength(1);
    expect(conditionIssues({ user: { in: 'x' } })).toHaveLength(1);
    expect(conditionIssues({ user: { exists: 'yes' } })).toHaveLength(1);
  });
});

describe('statementType', () => {
  it.each(STATEMENT_TYPES)('takes %s', (t) => {
    expect(conditionIssues({ statementType: { equals: t } })).toEqual([]);
    expect(conditionIssues({ statementType: { in: [t] } })).toEqual([]);
  });

  it('refuses a type that does not exist, listing the types', () => {
    const want = `statementType.in.1: must be one of ${STATEMENT_TYPES.join(', ')}`;
    expect(conditionIssues({ statementType: { in: ['SELECT', 'INSRT'] } })).toEqual([want]);
    expect(conditionIssues({ statementType: { equals: 'select' } })).toHaveLength(1);
  });

  it('takes the other string tests with any text (a regex over the types)', () => {
    expect(conditionIssues({ statementType: { regex: 'SEL.*' } })).toEqual([]);
    expect(conditionIssues({ statementType: { ignoreCase: true } })[0]).toMatch(/needs at least one test/);
  });
});

describe('header', () => {
  it('needs a name and a test', () => {
    expect(conditionIssues({ header: { name: 'X-A', equals: 'v' } })).toEqual([]);
    expect(conditionIssues({ header: { equals: 'v' } })[0]).toMatch(/^header\.name: /);
    expect(conditionIssues({ header: { name: '', equals: 'v' } })).toEqual([
      'header.name: must not be empty',
    ]);
    expect(conditionIssues({ header: { name: 'X-A' } })[0]).toMatch(/^header: needs at least one test/);
  });
});

describe('list matchers', () => {
  it.each(LIST_FACTS)('%s takes every list test', (fact) => {
    const m = {
      contains: 'a',
      containsAny: ['a'],
      containsAll: ['a'],
      regex: 'a',
      exists: true,
      ignoreCase: true,
    };
    expect(conditionIssues({ [fact]: m })).toEqual([]);
  });

  it('needs at least one test, naming the list tests', () => {
    expect(conditionIssues({ tables: { ignoreCase: true } })).toEqual([
      'tables: needs at least one test (contains, containsAny, containsAll, regex, exists)',
    ]);
  });

  it('refuses string-only tests and an invalid regex', () => {
    expect(conditionIssues({ groups: { equals: 'x' } })[0]).toMatch(/^groups: Unrecognized key/);
    expect(conditionIssues({ groups: { regex: '[' } })[0]).toMatch(/^groups\.regex: invalid regex: /);
  });
});

describe('conditions', () => {
  it('an empty condition is valid', () => {
    expect(conditionSchema.parse({})).toEqual({});
  });

  it('nests all, any and not to any depth, and reports paths inside them', () => {
    const deep: Condition = {
      all: [{ any: [{ not: { ddl: true } }, { user: { equals: 'a' } }] }, { ddl: false }],
    };
    expect(conditionSchema.parse(deep)).toEqual(deep);
    expect(conditionIssues({ any: [{}, { not: { user: { is: 'x' } } }] })[0]).toMatch(
      /^any\.1\.not\.user: Unrecognized key: "is"/,
    );
  });

  it('refuses an unknown fact, and ddl that is not a boolean', () => {
    expect(conditionIssues({ sourc: { equals: 'x' } })[0]).toMatch(/Unrecognized key: "sourc"/);
    expect(conditionIssues({ ddl: 'true' })[0]).toMatch(/^ddl: /);
    expect(conditionIssues({ all: {} })[0]).toMatch(/^all: /);
  });
});

describe('fact names', () => {
  it('name every fact a condition can test, once', () => {
    const keys = Object.keys(conditionSchema.parse({ ddl: true, all: [], any: [] }));
    expect(keys).toEqual(['ddl', 'all', 'any']);
    const all = [...STRING_FACTS, ...LIST_FACTS, 'ddl'];
    expect(new Set(all).size).toBe(all.length);
    for (const f of all) expect(conditionIssues({ [f]: f === 'ddl' ? true : { exists: true } })).toEqual([]);
  });

  it('SQL_FACTS are the facts that need the SQL analysed', () => {
    expect([...SQL_FACTS].sort()).toEqual(['catalogs', 'ddl', 'schemas', 'statementType', 'tables']);
  });
});
