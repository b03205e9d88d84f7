import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { RuleEngine } from '../../src/routing/rule-engine.js';
import { DATABASE_RULES } from '../../src/routing/database-rules.js';
import { parseRuleFiles, RuleLoadError } from '../../src/routing/rule-loader.js';
import { engineOf, facts, until } from '../helpers/routing-fixtures.js';

const rule = (name: string, source: string, group: string, extra = ''): string =>
  `- name: ${name}\n  condition: { source: { equals: ${source} } }\n  actions: { routeTo: ${group} }\n${extra}`;

describe('deciding', () => {
  const engine = engineOf(
    rule('first', 'a', 'g1') +
      rule('second', 'a', 'g2') +
      rule('broad', 'b', 'g1', '  continue: true\n') +
      rule('narrow', 'b', 'g2') +
      rule('after-narrow', 'b', 'g3') +
      rule('only-broad', 'c', 'g1', '  continue: true\n'),
  );

  it.each([
    ['the first matching rule wins', 'a', 'g1', 'first', ['first']],
    [
      'a continue rule is overridden by a later match, which then stops',
      'b',
      'g2',
      'narrow',
      ['broad', 'narrow'],
    ],
    ['a continue rule with no later match keeps its group', 'c', 'g1', 'only-broad', ['only-broad']],
    ['no matching rule decides nothing', 'z', undefined, undefined, []],
  ])('%s', (_what, source, group, ruleName, matched) => {
    const d = engine.decide(facts({ 'x-trino-source': source }));
    expect(d).toEqual({ group, rule: ruleName, matched, skipped: [] });
  });

  it('skips a matching rule whose group is refused, and records why', () => {
    const d = engine.decide(facts({ 'x-trino-source': 'a' }), (g) =>
      g === 'g1' ? 'not allowed' : undefined,
    );
    expect(d).toEqual({
      group: 'g2',
      rule: 'second',
      matched: ['second'],
      skipped: [{ rule: 'first', group: 'g1', reason: 'not allowed' }],
    });
  });
});

describe('reloading', () => {
  let dir: string;
  let engine: RuleEngine | undefined;
  let metrics: Metrics;
  let log: string;
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
  const reloads = async (outcome: 'ok' | 'error'): Promise<number> =>
    (await metrics.ruleReloads.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  const routes = (source: string): string | undefined =>
    engine!.decide(facts({ 'x-trino-source': source })).group;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-engine-'));
    metrics = new Metrics();
    log = '';
    await writeFile(join(dir, '10-base.yaml'), rule('airflow', 'airflow', 'etl'));
  });
  afterEach(async () => {
    engine?.close();
    engine = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start on an invalid rule set', async () => {
    await writeFile(join(dir, '20-bad.yaml'), '- name: bad\n  bogus: 1\n  actions: { routeTo: x }\n');
    await expect(RuleEngine.open({ dir, logger: logger(), metrics })).rejects.toBeInstanceOf(RuleLoadError);
  });

  it('puts a new valid file in force when the directory changes', async () => {
    engine = await RuleEngine.open({ dir, logger: logger(), metrics, debounceMs: 20 });
    expect(routes('dbt')).toBeUndefined();
    await writeFile(join(dir, '20-dbt.yaml'), rule('dbt', 'dbt', 'etl'));
    await until(() => routes('dbt') === 'etl');
    expect(routes('airflow')).toBe('etl');
    expect(await reloads('ok')).toBe(1);
    expect(log).toContain('routing rules reloaded');
  });

  it('keeps the old rules in force when a changed file is broken, and logs and counts the error', async () => {
    engine = await RuleEngine.open({ dir, logger: logger(), metrics, debounceMs: 20 });
    await writeFile(join(dir, '10-base.yaml'), rule('airflow', 'airflow', 'adhoc') + '  sourc: x\n');
    await until(async () => (await reloads('error')) === 1);
    expect(routes('airflow')).toBe('etl');
    expect(log).toContain('the previous rules stay in force');
    expect(log).toContain('10-base.yaml:4: rule \\"airflow\\": unknown field \\"sourc\\"');
  });

  it('reloads on an explicit reload(), as on SIGHUP, and reports what happened', async () => {
    engine = await RuleEngine.open({ dir, logger: logger(), metrics, watch: false });
    await writeFile(join(dir, '10-base.yaml'), rule('airflow', 'airflow', 'adhoc'));
    expect(await engine.reload()).toEqual({ ok: true, changed: true, rules: 1 });
    expect(routes('airflow')).toBe('adhoc');
    expect(await engine.reload()).toEqual({ ok: true, changed: false, rules: 1 });

    await writeFile(join(dir, '20-dup.yaml'), rule('airflow', 'x', 'y'));
    const failed = await engine.reload();
    expect(failed.ok).toBe(false);
    expect(failed.ok === false && failed.error).toContain('duplicate rule name');
    expect(routes('airflow')).toBe('adhoc');
    expect([await reloads('ok'), await reloads('error')]).toEqual([1, 1]);
  });

  it('stops watching after close()', async () => {
    engine = await RuleEngine.open({ dir, logger: logger(), metrics, debounceMs: 20 });
    engine.close();
    await writeFile(join(dir, '20-dbt.yaml'), rule('dbt', 'dbt', 'etl'));
    await new Promise((r) => setTimeout(r, 200));
    expect(routes('dbt')).toBeUndefined();
    expect(await reloads('ok')).toBe(0);
  });
});

describe('file rules and database rules together', () => {
  const db = (yaml: string) => parseRuleFiles([{ file: DATABASE_RULES, text: yaml }]).rules;
  const prio = (n: number) => `  priority: ${n}\n`;

  it('run as one list by priority; on a tie the file rules first, then the database rules', () => {
    const engine = engineOf(rule('file-late', 'x', 'g1', prio(20)) + rule('file-tie', 'y', 'g1', prio(10)));
    engine.setDatabaseRules(db(rule('db-early', 'x', 'g2', prio(5)) + rule('db-tie', 'y', 'g2', prio(10))));
    expect(engine.rules.map((r) => r.name)).toEqual(['db-early', 'file-tie', 'db-tie', 'file-late']);
    expect(engine.decide(facts({ 'x-trino-source': 'x' })).rule).toBe('db-early');
    expect(engine.decide(facts({ 'x-trino-source': 'y' })).rule).toBe('file-tie');
  });

  it('a draft engine leaves the engine in force unchanged', () => {
    const engine = engineOf(rule('file', 'x', 'g1'));
    const draft = engine.withDatabaseRules(db(rule('db', 'y', 'g2')));
    expect(draft.rules.map((r) => r.name)).toEqual(['file', 'db']);
    expect(engine.rules.map((r) => r.name)).toEqual(['file']);
  });

  it('a reload of the files keeps the database rules in force', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-engine-'));
    try {
      await writeFile(join(dir, '10-base.yaml'), rule('airflow', 'airflow', 'etl'));
      const engine = await RuleEngine.open({ dir, logger: createLogger({ level: 'silent' }), watch: false });
      engine.setDatabaseRules(db(rule('reports', 'reports', 'etl')));
      await writeFile(join(dir, '10-base.yaml'), rule('airflow', 'airflow', 'adhoc'));
      expect((await engine.reload()).ok).toBe(true);
      expect(engine.rules.map((r) => [r.name, r.routeTo])).toEqual([
        ['airflow', 'adhoc'],
        ['reports', 'etl'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
