import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { openDatabase } from '../../src/db/open.js';
import {
  DATABASE_RULES,
  DatabaseRules,
  describeChange,
  MAX_RULES,
  MAX_RULES_BYTES,
  yamlOf,
} from '../../src/routing/database-rules.js';
import type { RuleEngine } from '../../src/routing/rule-engine.js';
import { parseRuleFiles } from '../../src/routing/rule-loader.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/ports.js';
import { engineOf, facts } from '../helpers/routing-fixtures.js';

const rule = (name: string, source: string, group: string, extra = ''): string =>
  `- name: ${name}\n  condition: { source: { equals: ${source} } }\n  actions: { routeTo: ${group} }\n${extra}`;

/** refusal runs f and returns the AppError it throws (failing when it does not throw one). */
async function refusal(f: () => unknown): Promise<AppError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('DatabaseRules', () => {
  let db: ReturnType<typeof openDatabase>;
  let store: Store;
  let engine: RuleEngine | undefined;
  let groups: Set<string>;
  let logged: { level: string; fields: Record<string, unknown>; msg: string }[];
  let rules: DatabaseRules;
  const make = () =>
    new DatabaseRules({
      repo: store.ruleVersions,
      engine: () => engine,
      groups: () => groups,
      logger: {
        info: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'info', fields, msg }),
        error: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'error', fields, msg }),
      } as never,
      now: () => 1234,
    });

  beforeEach(() => {
    db = openDatabase(':memory:');
    store = sqliteStore(db);
    engine = engineOf(rule('from-file', 'f', 'adhoc'));
    groups = new Set(['adhoc', 'etl']);
    logged = [];
    rules = make();
  });
  afterEach(() => db.close());

  const routed = (source: string) => engine!.decide(facts({ 'x-trino-source': source })).group;

  describe('validate', () => {
    it('returns the parsed rules, located in the "database" file', () => {
      const got = rules.validate(rule('a', 'x', 'etl') + rule('b', 'y', 'adhoc'));
      expect(got.map((r) => [r.file, r.line, r.spec.name])).toEqual([
        [DATABASE_RULES, 1, 'a'],
        [DATABASE_RULES, 4, 'b'],
      ]);
    });

    it('accepts an empty set', () => {
      expect(rules.validate('')).toEqual([]);
    });

    it('refuses a rule routing to a group that does not exist, naming the groups there are', async () => {
      const e = await refusal(() => rules.validate(rule('a', 'x', 'nowhere')));
      expect(e.status).toBe(400);
      expect(e.message).toBe(
        'line 1: rule "a": actions.routeTo: routing group "nowhere" does not exist (groups: adhoc, etl)',
      );
      expect(e.extra?.issues).toEqual([
        {
          file: DATABASE_RULES,
          line: 1,
          rule: 'a',
          message: 'actions.routeTo: routing group "nowhere" does not exist (groups: adhoc, etl)',
        },
      ]);
    });

    it('refuses a name that a file rule has, naming where', async () => {
      const e = await refusal(() => rules.validate(rule('x', 'x', 'etl') + rule('from-file', 'x', 'etl')));
      expect(e.message).toBe(
        'line 4: rule "from-file": name: already the name of a file rule (rules/test.yaml:1)',
      );
    });

    it('checks no file rules before the gateway started (no engine)', () => {
      engine = undefined;
      expect(rules.validate(rule('from-file', 'x', 'etl'))).toHaveLength(1);
    });

    it('lists every problem at once, one per line', async () => {
      const e = await refusal(() =>
        rules.validate(rule('from-file', 'x', 'gone') + '- name: ""\n  actions: { routeTo: etl }\n'),
      );
      const lines = e.message.split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines).toContain(
        'line 1: rule "from-file": name: already the name of a file rule (rules/test.yaml:1)',
      );
      expect(lines.some((l) => l.startsWith('line 1: rule "from-file": actions.routeTo:'))).toBe(true);
      expect(lines.some((l) => l.startsWith('line 4: ') && l.includes('name'))).toBe(true);
      expect(e.extra?.issues).toHaveLength(lines.length);
    });

    it('refuses more than MAX_RULES rules, and takes MAX_RULES', async () => {
      const set = (n: number) =>
        Array.from({ length: n }, (_, i) => `- { name: r${i}, actions: { routeTo: etl } }\n`).join('');
      expect(rules.validate(set(MAX_RULES))).toHaveLength(MAX_RULES);
      const e = await refusal(() => rules.validate(set(MAX_RULES + 1)));
      expect(e.message).toBe(`line 1: more than ${MAX_RULES} rules`);
    });

    it('refuses a text over MAX_RULES_BYTES before parsing it, counting bytes not characters', async () => {
      const comment = (bytes: number) => `#${'x'.repeat(bytes - 1)}`;
      expect(rules.validate(comment(MAX_RULES_BYTES))).toEqual([]);
      const e = await refusal(() => rules.validate(comment(MAX_RULES_BYTES + 1)));
      expect(e.status).toBe(400);
      expect(e.message).toBe(`rules: larger than ${MAX_RULES_BYTES} bytes`);
      // 'é' is two bytes in UTF-8: half as many characters go over the bound.
      await refusal(() => rules.validate(`#${'é'.repeat(MAX_RULES_BYTES / 2)}`));
    });
  });

  describe('save', () => {
    it('stores version 1 from base 0, puts it in force and logs it', async () => {
      const saved = await rules.save(rule('a', 'x', 'etl'), 'alice', 0, '  first try  ');
      expect(saved).toEqual({
        version: 1,
        yaml: rule('a', 'x', 'etl'),
        author: 'alice',
        summary: 'added a — first try',
        createdAt: 1234,
      });
      expect(rules.current()).toEqual(saved);
      expect(routed('x')).toBe('etl');
      expect(await store.ruleVersions.latest()).toEqual(saved);
      expect(logged).toEqual([
        {
          level: 'info',
          fields: { version: 1, author: 'alice', summary: 'added a — first try', rules: 1 },
          msg: 'database routing rules saved',
        },
      ]);
    });

    it('summarises against the stored previous version, and keeps the note to 500 characters', async () => {
      await rules.save(rule('a', 'x', 'etl') + rule('b', 'x', 'etl'), 'alice', 0);
      const v2 = await rules.save(rule('a', 'y', 'etl') + rule('c', 'x', 'etl'), 'bob', 1, 'n'.repeat(600));
      expect(v2.summary).toBe(`added c; changed a; removed b — ${'n'.repeat(500)}`);
      const v3 = await rules.save(rule('a', 'y', 'etl') + rule('c', 'x', 'etl'), 'bob', 2, '   ');
      expect(v3.summary).toBe('no rule changed');
    });

    it('refuses a save from an old base with 409, storing nothing, naming who saved since', async () => {
      await rules.save(rule('a', 'x', 'etl'), 'alice', 0);
      const e = await refusal(() => rules.save(rule('a', 'y', 'adhoc'), 'bob', 0));
      expect(e.status).toBe(409);
      expect(e.message).toBe(
        'the rules changed since version 0 (now version 1 by alice); reload and apply your edit again',
      );
      expect((await store.ruleVersions.list(10)).map((v) => v.version)).toEqual([1]);
      expect(routed('x')).toBe('etl');
    });

    it('refuses a base ahead of the store', async () => {
      const e = await refusal(() => rules.save(rule('a', 'x', 'etl'), 'bob', 3));
      expect(e.status).toBe(409);
      expect(e.message).toContain('since version 3 (now version 0 by undefined)');
    });

    it('sees a save by another replica on the same store', async () => {
      const other = make();
      await other.save(rule('a', 'x', 'etl'), 'alice', 0);
      await refusal(() => rules.save(rule('b', 'x', 'etl'), 'bob', 0));
      const v2 = await rules.save(rule('b', 'x', 'etl'), 'bob', 1);
      expect(v2).toMatchObject({ version: 2, summary: 'added b; removed a' });
      expect(rules.current()?.version).toBe(2);
    });

    it('changes nothing when the set is refused', async () => {
      await rules.save(rule('a', 'x', 'etl'), 'alice', 0);
      await refusal(() => rules.save(rule('a', 'x', 'gone'), 'alice', 1));
      expect(rules.current()?.version).toBe(1);
      expect(routed('x')).toBe('etl');
      expect(await store.ruleVersions.list(10)).toHaveLength(1);
    });
  });

  describe('load, current and versions', () => {
    it('has nothing in force before a save or load', async () => {
      expect(rules.current()).toBeUndefined();
      await rules.load();
      expect(rules.current()).toBeUndefined();
      expect(logged).toEqual([]);
    });

    it('puts the newest stored version in force at start', async () => {
      await make().save(rule('a', 'x', 'etl'), 'alice', 0);
      await make().save(rule('a', 'y', 'adhoc'), 'alice', 1);
      engine = engineOf(rule('from-file', 'f', 'adhoc'));
      logged = [];
      await rules.load();
      expect(rules.current()?.version).toBe(2);
      expect(routed('y')).toBe('adhoc');
      expect(routed('x')).toBeUndefined();
      expect(logged).toEqual([
        { level: 'info', fields: { version: 2, rules: 1 }, msg: 'database routing rules loaded' },
      ]);
    });

    it('loads a rule whose group was deleted since (skipped at routing time)', async () => {
      await make().save(rule('a', 'x', 'etl'), 'alice', 0);
      groups = new Set(['adhoc']);
      await rules.load();
      expect(engine!.withDatabaseRules([]).decide(facts({ 'x-trino-source': 'x' })).group).toBeUndefined();
      expect(routed('x')).toBe('etl');
    });

    it('puts none in force when the stored text is invalid, and logs why', async () => {
      await store.ruleVersions.add(0, {
        yaml: '- name: a\n  actions: {}\n',
        author: 'x',
        summary: '',
        createdAt: 1,
      });
      await rules.load();
      expect(rules.current()?.version).toBe(1);
      expect(routed('x')).toBeUndefined();
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: 'error',
        fields: { version: 1 },
        msg: 'stored database routing rules are invalid; none are in force',
      });
      expect(String(logged[0].fields.error)).toMatch(/^line 2: rule "a": actions\.routeTo/);
    });

    it('lists versions newest first, and reads one (the one in force from memory)', async () => {
      await rules.save(rule('a', 'x', 'etl'), 'alice', 0);
      await rules.save(rule('a', 'y', 'etl'), 'bob', 1);
      expect((await rules.versions()).map((v) => [v.version, v.author])).toEqual([
        [2, 'bob'],
        [1, 'alice'],
      ]);
      expect(await rules.versions(1)).toHaveLength(1);
      expect((await rules.version(1))?.yaml).toBe(rule('a', 'x', 'etl'));
      expect(await rules.version(2)).toBe(rules.current());
      expect(await rules.version(9)).toBeUndefined();
    });

    it('validateQuietlyRules reads a stored text as specs', () => {
      expect(rules.validateQuietlyRules(rule('a', 'x', 'nowhere'))).toEqual([
        {
          name: 'a',
          priority: 0,
          condition: { source: { equals: 'x' } },
          actions: { routeTo: 'nowhere' },
          continue: false,
        },
      ]);
    });
  });
});

describe('yamlOf', () => {
  it('writes rules as YAML that reads back to the same specs, and no rules as empty text', () => {
    const specs = parseRuleFiles([
      { file: DATABASE_RULES, text: rule('a', 'x', 'g') + rule('b', 'y', 'h') },
    ]).rules.map((r) => r.spec);
    const text = yamlOf(specs);
    expect(parseRuleFiles([{ file: DATABASE_RULES, text }]).rules.map((r) => r.spec)).toEqual(specs);
    expect(yamlOf([])).toBe('');
  });
});

describe('describeChange', () => {
  const db = (yaml: string) => parseRuleFiles([{ file: DATABASE_RULES, text: yaml }]).rules;
  it.each([
    ['', rule('a', 'x', 'g'), 'added a'],
    [rule('a', 'x', 'g'), rule('a', 'y', 'g'), 'changed a'],
    [rule('a', 'x', 'g') + rule('b', 'x', 'g'), rule('b', 'x', 'g'), 'removed a'],
    [rule('a', 'x', 'g') + rule('b', 'x', 'g'), rule('b', 'x', 'g') + rule('a', 'x', 'g'), 'reordered'],
    [rule('a', 'x', 'g'), rule('a', 'x', 'g'), 'no rule changed'],
    ['', '', 'no rule changed'],
    [
      rule('a', 'x', 'g') + rule('b', 'x', 'g'),
      rule('c', 'x', 'g') + rule('d', 'x', 'g') + rule('a', 'z', 'g'),
      'added c, d; changed a; removed b',
    ],
  ])('%j → %j: %s', (before, after, summary) => {
    expect(describeChange(db(before), db(after))).toBe(summary);
  });
});
