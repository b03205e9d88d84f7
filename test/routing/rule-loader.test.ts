import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuleDir, parseRuleFiles, parseRuleText, RuleLoadError } from '../../src/routing/rule-loader.js';

const rulesDir = new URL('../../rules', import.meta.url).pathname;

/** The issues of one file, as `line: rule: message` strings. */
function problems(text: string): string[] {
  return parseRuleFiles([{ file: 'rules/t.yaml', text }]).issues.map(
    (i) => `${i.line}: ${i.rule}: ${i.message}`,
  );
}

describe('loading rule files', () => {
  it('loads the shipped example rules', async () => {
    const rules = await loadRuleDir(rulesDir);
    expect(rules.length).toBeGreaterThanOrEqual(3);
    expect(rules.every((r) => r.file.startsWith(rulesDir) && r.line > 0)).toBe(true);
  });

  it('fills defaults: priority 0, an always-true condition, continue false', () => {
    const [rule] = parseRuleText('- name: r\n  actions: { routeTo: etl }\n', 'rules/t.yaml');
    expect(rule.spec).toEqual({
      name: 'r',
      priority: 0,
      condition: {},
      actions: { routeTo: 'etl' },
      continue: false,
    });
  });

  it('reads several YAML documents in one file, each a rule or a list of rules, with their lines', () => {
    const text =
      'name: a\nactions: {routeTo: x}\n---\n- name: b\n  actions: {routeTo: y}\n- name: c\n  actions: {routeTo: z}\n';
    const rules = parseRuleText(text, 'rules/t.yaml');
    expect(rules.map((r) => [r.spec.name, r.line])).toEqual([
      ['a', 1],
      ['b', 4],
      ['c', 6],
    ]);
  });

  it('skips empty files and empty documents', () => {
    expect(parseRuleText('', 'rules/t.yaml')).toEqual([]);
    expect(parseRuleText('# only a comment\n---\n', 'rules/t.yaml')).toEqual([]);
  });
});

describe('rule file errors name the file, the line and the rule', () => {
  it.each([
    [
      'an unknown top-level field',
      '- name: r\n  actions: { routeTo: x }\n  priorty: 3\n',
      '3: r: unknown field "priorty"',
    ],
    [
      'an unknown condition key',
      '- name: r\n  condition:\n    sourc: { equals: x }\n  actions: { routeTo: x }\n',
      '3: r: condition: unknown field "sourc"',
    ],
    [
      'an unknown matcher',
      '- name: r\n  condition:\n    source: { equal: x }\n  actions: { routeTo: x }\n',
      '3: r: condition.source: unknown field "equal"',
    ],
    [
      'an unknown field deep inside all/any/not',
      '- name: r\n  condition:\n    any:\n      - not:\n          user: { is: x }\n  actions: { routeTo: x }\n',
      '5: r: condition.any[0].not.user: unknown field "is"',
    ],
    [
      'an unknown action',
      '- name: r\n  actions:\n    routeTo: x\n    setGroup: y\n',
      '4: r: actions: unknown field "setGroup"',
    ],
    [
      'a priority that is not a number',
      '- name: r\n  priority: high\n  actions: { routeTo: x }\n',
      '2: r: priority: expected number, received string',
    ],
    [
      'a text test given a number',
      '- name: r\n  condition:\n    source:\n      equals: 42\n  actions: { routeTo: x }\n',
      '4: r: condition.source.equals: expected string, received number',
    ],
    [
      'a list test given a text',
      '- name: r\n  condition:\n    clientTags: { containsAny: etl }\n  actions: { routeTo: x }\n',
      '3: r: condition.clientTags.containsAny: expected array, received string',
    ],
    [
      'continue given a text',
      '- name: r\n  actions: { routeTo: x }\n  continue: "yes"\n',
      '3: r: continue: expected boolean, received string',
    ],
    [
      'an invalid regex',
      '- name: r\n  condition:\n    user: { regex: "svc_(" }\n  actions: { routeTo: x }\n',
      '3: r: condition.user.regex: invalid regex: Invalid regular expression: /svc_(/: Unterminated group',
    ],
    [
      'an unknown statement type',
      '- name: r\n  condition:\n    statementType:\n      in: [SELECT, INSRT]\n  actions: { routeTo: x }\n',
      '4: r: condition.statementType.in[1]: must be one of',
    ],
    [
      'a matcher without any test',
      '- name: r\n  condition:\n    source: { ignoreCase: true }\n  actions: { routeTo: x }\n',
      '3: r: condition.source: needs at least one test',
    ],
    ['a missing routeTo', '- name: r\n  actions: {}\n', '2: r: actions.routeTo: missing required field'],
    [
      'a fractional queue priority',
      '- name: r\n  actions: { routeTo: x, queuePriority: 1.5 }\n',
      '2: r: actions.queuePriority: must be an integer',
    ],
    [
      'a queue priority out of range',
      '- name: r\n  actions: { routeTo: x, queuePriority: 1000 }\n',
      '2: r: actions.queuePriority: must be at most 100',
    ],
    [
      'a queue priority given as text',
      '- name: r\n  actions: { routeTo: x, queuePriority: high }\n',
      '2: r: actions.queuePriority: expected number, received string',
    ],
    [
      'a missing name',
      '- description: d\n  actions: { routeTo: x }\n',
      '1: #1: name: missing required field',
    ],
    ['a rule that is not a mapping', '- just a string\n', '1: #1: expected a rule (a mapping)'],
    [
      'a document that is a scalar',
      'hello\n',
      '1: undefined: expected a rule (a mapping) or a list of rules',
    ],
    ['broken YAML', '- name: r\n  actions: [\n', '3: undefined: invalid YAML'],
    [
      'a key written twice',
      '- name: r\n  name: s\n  actions: { routeTo: x }\n',
      '2: undefined: invalid YAML: Map keys must be unique',
    ],
  ])('reports %s', (_what, text, expected) => {
    expect(problems(text).join('\n')).toContain(expected);
  });

  it('formats every problem as file:line: rule "name": message, one per line', () => {
    const text = '- name: a\n  priorty: 1\n  actions: { routeTo: x }\n- name: b\n  actions: { routeTo: 7 }\n';
    expect(() => parseRuleText(text, 'rules/t.yaml')).toThrow(
      new RuleLoadError([
        { file: 'rules/t.yaml', line: 2, rule: 'a', message: 'unknown field "priorty"' },
        {
          file: 'rules/t.yaml',
          line: 5,
          rule: 'b',
          message: 'actions.routeTo: expected string, received number',
        },
      ]),
    );
    try {
      parseRuleText(text, 'rules/t.yaml');
    } catch (e) {
      expect((e as Error).message).toBe(
        'rules/t.yaml:2: rule "a": unknown field "priorty"\n' +
          'rules/t.yaml:5: rule "b": actions.routeTo: expected string, received number',
      );
    }
  });
});

describe('loading a rules directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-rules-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads *.yaml and *.yml in file-name order and ignores other and hidden files', async () => {
    await writeFile(join(dir, 'b.yml'), '- name: from-b\n  actions: { routeTo: x }\n');
    await writeFile(join(dir, 'a.yaml'), '- name: from-a\n  actions: { routeTo: x }\n');
    await writeFile(join(dir, 'notes.txt'), 'not rules');
    await writeFile(join(dir, '.a.yaml.swp'), 'garbage: [');
    await writeFile(join(dir, '.hidden.yaml'), 'garbage: [');
    const rules = await loadRuleDir(dir);
    expect(rules.map((r) => r.spec.name)).toEqual(['from-a', 'from-b']);
  });

  it('rejects a rule name used in two files, naming both places', async () => {
    await writeFile(
      join(dir, 'a.yaml'),
      '- name: other\n  actions: { routeTo: x }\n- name: dup\n  actions: { routeTo: x }\n',
    );
    await writeFile(join(dir, 'b.yaml'), '\n- name: dup\n  actions: { routeTo: y }\n');
    await expect(loadRuleDir(dir)).rejects.toThrow(
      `${join(dir, 'b.yaml')}:2: rule "dup": duplicate rule name, first defined at ${join(dir, 'a.yaml')}:3`,
    );
  });

  it('rejects a rule name used twice in one file', () => {
    const text = '- name: dup\n  actions: { routeTo: x }\n- name: dup\n  actions: { routeTo: y }\n';
    expect(problems(text)).toEqual(['3: dup: duplicate rule name, first defined at rules/t.yaml:1']);
  });

  it('reports every broken file at once', async () => {
    await writeFile(join(dir, 'a.yaml'), '- name: a\n  actions: { routeTo: 1 }\n');
    await writeFile(join(dir, 'b.yaml'), '- name: b\n  bogus: true\n  actions: { routeTo: x }\n');
    const error = await loadRuleDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleLoadError);
    expect((error as RuleLoadError).issues.map((i) => [i.file, i.line, i.rule])).toEqual([
      [join(dir, 'a.yaml'), 2, 'a'],
      [join(dir, 'b.yaml'), 2, 'b'],
    ]);
  });

  it('fails clearly when the directory does not exist', async () => {
    await expect(loadRuleDir(join(dir, 'missing'))).rejects.toThrow(/cannot read the rules directory/);
  });
});
