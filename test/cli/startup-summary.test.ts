import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSummary, summaryWarnings, type SummaryFacts } from '../../src/cli/startup-summary.js';
import { parseConfig } from '../../src/config/load.js';
import { loadRuleDir } from '../../src/routing/rule-loader.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { passwordAuth, startGateway, testConfig } from '../helpers/start-gateway.js';
import { summaryFacts } from '../../src/cli/startup-summary.js';

const base: SummaryFacts = {
  version: '1.2.3',
  listen: 'http://0.0.0.0:8080',
  publicUrl: 'http://localhost:8080',
  authMode: 'password',
  jwt: false,
  users: [{ name: 'ops', roles: ['admin'] }],
  backends: [{ name: 'trino-1', group: 'adhoc', url: 'http://t1:8080', active: true, health: 'HEALTHY' }],
  groups: [{ name: 'adhoc' }, { name: 'etl' }],
  rules: [],
  rulesDir: './rules',
};

describe('the startup summary', () => {
  it('shows the URL, the console, the users and each backend with its first health', () => {
    const text = formatSummary({
      ...base,
      backends: [
        ...base.backends,
        {
          name: 'trino-2',
          group: 'etl',
          url: 'http://t2:8080',
          active: true,
          health: 'UNHEALTHY',
          detail: 'connect ECONNREFUSED',
        },
      ],
    });
    expect(text).toContain('Switchyard 1.2.3 is listening on http://0.0.0.0:8080');
    expect(text).toContain('console        http://localhost:8080/console');
    expect(text).toContain('users          ops (admin)');
    expect(text).toMatch(/trino-1 +adhoc +http:\/\/t1:8080 +HEALTHY\n/);
    expect(text).toMatch(/trino-2 +etl +http:\/\/t2:8080 +UNHEALTHY \(connect ECONNREFUSED\)/);
    expect(text).not.toContain('WARNING');
  });

  it('names a few users and counts the rest', () => {
    const users = Array.from({ length: 20 }, (_, i) => ({ name: `u${i}`, roles: ['user'] }));
    expect(formatSummary({ ...base, users })).toContain(
      'users          u0, u1, u2, u3, u4, u5, u6, u7 and 12 more\n',
    );
  });

  it('warns when nobody can log in, and only then', () => {
    expect(summaryWarnings({ ...base, users: [] })[0]).toMatch(/^nobody can log in/);
    expect(summaryWarnings({ ...base, users: [], jwt: true })).toEqual([]);
    expect(summaryWarnings({ ...base, users: [], authMode: 'none' })).toEqual([]);
    expect(summaryWarnings({ ...base, users: [{ name: 'a', roles: ['user'] }] })).toEqual([
      'no user has the admin role: the console and the admin API refuse everyone',
    ]);
  });

  it('warns about rules that route to a group with nowhere to run', () => {
    const rules = [
      { name: 'ddl-to-etl', routeTo: 'etl' },
      { name: 'writes-to-etl', routeTo: 'etl' },
    ];
    expect(summaryWarnings({ ...base, rules })).toEqual([
      'group "etl" has no backends (nor a fallback group with some), yet rules ddl-to-etl, writes-to-etl route to it: their queries fail with NO_NODES_AVAILABLE',
    ]);
    const withFallback = { ...base, rules, groups: [{ name: 'adhoc' }, { name: 'etl', fallback: 'adhoc' }] };
    expect(summaryWarnings(withFallback)).toEqual([]);
  });

  it('finds nothing to warn about in the shipped config and rules, once a user is added', async () => {
    const cfg = parseConfig(readFileSync('gateway.config.yaml', 'utf8'), { env: {} });
    const rules = await loadRuleDir('rules');
    expect(rules.length).toBeGreaterThan(0);
    const facts: SummaryFacts = {
      ...base,
      backends: cfg.backends.map((b) => ({ ...b, health: 'HEALTHY' })),
      groups: cfg.groups.map((g) => ({ name: g.name, fallback: g.fallback })),
      rules: rules.map((r) => ({ name: r.spec.name, routeTo: r.spec.actions.routeTo })),
    };
    expect(summaryWarnings(facts)).toEqual([]);
    expect(summaryWarnings({ ...facts, users: [] })).toHaveLength(1);
  });

  it('reads a started gateway: users from config, health after the first round', async () => {
    const t = await TrinoEmulator.start({ name: 't1' });
    const gw = await startGateway(
      testConfig([{ name: 't1', url: t.url }], { auth: await passwordAuth(['ops', 'pw', ['admin']]) }),
    );
    try {
      const f = summaryFacts(gw.services, { port: 1234 });
      expect(f.users).toEqual([{ name: 'ops', roles: ['admin'] }]);
      expect(f.backends).toMatchObject([{ name: 't1', health: 'HEALTHY' }]);
      expect(f.listen).toBe('http://127.0.0.1:1234');
      expect(f.rules.length).toBeGreaterThan(0);
    } finally {
      await gw.stop();
      await t.stop();
    }
  });
});
