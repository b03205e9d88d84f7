import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { parseRuleText, RuleLoadError } from '../../src/routing/rule-loader.js';
import { compileRules } from '../../src/routing/rule-matcher.js';
import { DEFAULT_RULES_DIR, openRules, ruleGroupWarnings } from '../../src/routing/rule-start.js';
import { engineOf } from '../helpers/routing-fixtures.js';

const rule = (name: string, group: string) => `- name: ${name}\n  actions: { routeTo: ${group} }\n`;

describe('openRules', () => {
  let base: string;
  let log: string;
  let stop: AbortController;
  const logger = () =>
    createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _enc, done) {
          log += String(chunk);
          done();
        },
      }),
    });
  const config = (rulesDir?: string) =>
    ({ baseDir: base, routing: { rulesDir } }) as unknown as GatewayConfig;
  const open = (rulesDir?: string) => openRules(config(rulesDir), logger(), new Metrics(), stop.signal);

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'switchyard-rule-start-'));
    log = '';
    stop = new AbortController();
  });
  afterEach(async () => {
    stop.abort();
    await rm(base, { recursive: true, force: true });
  });

  it('defaults to ./rules', () => {
    expect(DEFAULT_RULES_DIR).toBe('./rules');
  });

  it('starts with no rules when rulesDir is not set and ./rules does not exist, and says so', async () => {
    const engine = await open();
    expect(engine.files).toEqual([]);
    expect(log).toContain('no routing rules directory: routing by header, user and default group only');
    expect(log).toContain(JSON.stringify(join(base, 'rules')));
  });

  it('loads ./rules, relative to the config file, when rulesDir is not set', async () => {
    await mkdir(join(base, 'rules'));
    await writeFile(join(base, 'rules', 'a.yaml'), rule('from-default', 'etl'));
    const engine = await open();
    expect(engine.files.map((r) => r.spec.name)).toEqual(['from-default']);
    expect(log).not.toContain('no routing rules directory');
  });

  it('loads routing.rulesDir relative to the config file', async () => {
    await mkdir(join(base, 'mine'));
    await mkdir(join(base, 'rules'));
    await writeFile(join(base, 'mine', 'a.yaml'), rule('mine', 'etl'));
    await writeFile(join(base, 'rules', 'a.yaml'), rule('not-mine', 'etl'));
    const engine = await open('mine');
    expect(engine.files.map((r) => r.spec.name)).toEqual(['mine']);
  });

  it('fails when a rulesDir that is set does not exist, rather than starting without rules', async () => {
    await expect(open('missing')).rejects.toThrow(/missing/);
  });

  it('fails on an invalid rule set', async () => {
    await mkdir(join(base, 'rules'));
    await writeFile(join(base, 'rules', 'a.yaml'), '- name: a\n  actions: {}\n');
    await expect(open()).rejects.toBeInstanceOf(RuleLoadError);
  });
});

describe('ruleGroupWarnings', () => {
  it('names each rule routing to an undeclared group, with where it is and the groups there are', () => {
    const rules = compileRules(parseRuleText(rule('ok', 'etl') + rule('lost', 'nowhere'), 'rules/r.yaml'));
    expect(ruleGroupWarnings(rules, new Set(['etl', 'adhoc']))).toEqual([
      'rules/r.yaml:3: rule "lost": routeTo "nowhere" is no routing group, so the rule is skipped: declare the group under groups (or through the admin API), or route to one of adhoc, etl',
    ]);
  });

  it('has no warning when every group exists, or when there are no rules', () => {
    expect(ruleGroupWarnings(engineOf(rule('ok', 'etl')).rules, new Set(['etl']))).toEqual([]);
    expect(ruleGroupWarnings([], new Set())).toEqual([]);
  });

  it('compares group names exactly', () => {
    const rules = compileRules(parseRuleText(rule('a', 'ETL'), 'f.yaml'));
    expect(ruleGroupWarnings(rules, new Set(['etl']))).toHaveLength(1);
  });
});
