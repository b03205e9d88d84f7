import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Principal } from '../../src/auth/principal.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { queryRouter } from '../../src/compose/create-proxy.js';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/open.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RuleEngine } from '../../src/routing/rule-engine.js';
import { parseRuleFiles } from '../../src/routing/rule-loader.js';
import { GatewayError } from '../../src/trino/errors.js';
import { testConfig } from '../helpers/start-gateway.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const RULES = `
- name: airflow-to-etl
  condition:
    source: { in: [airflow] }
  actions:
    routeTo: etl
`;

function router() {
  const config = parseConfig(stringify(testConfig([], { groups: [{ name: 'adhoc' }, { name: 'etl' }] })), {
    baseDir: process.cwd(),
  });
  const repo = new BackendRepo(openDatabase(':memory:').db);
  for (const g of ['adhoc', 'etl']) repo.seedGroup({ name: g, policy: 'least-loaded' });
  const { rules, issues } = parseRuleFiles([{ file: 'test.yaml', text: RULES }]);
  expect(issues).toEqual([]);
  return queryRouter({
    config,
    registry: sqliteRegistry(repo, 4),
    rules: RuleEngine.fromRules(rules, silentLogger()),
  });
}

const who = (name: string, groups = ['*']): Principal => ({ name, roles: ['user'], groups, method: 'basic' });
const route = (name: string, headers: Record<string, string> = {}, groups?: string[]) =>
  router().route({ headers, principal: who(name, groups), sql: 'SELECT 1' });

describe('the proxy’s query router', () => {
  it('routes by rule, naming the rule, else to the configured default', () => {
    expect(route('ada', { 'x-trino-source': 'airflow' })).toEqual({
      group: 'etl',
      rule: 'airflow-to-etl',
      source: 'rule',
    });
    expect(route('ada')).toEqual({ group: 'adhoc', rule: undefined, source: 'config-default' });
  });

  it('takes X-Trino-Routing-Group when the principal may use the group', () => {
    expect(route('ada', { 'x-trino-routing-group': 'etl' })).toMatchObject({
      group: 'etl',
      source: 'header',
    });
  });

  it.each([
    ['a group that does not exist', { 'x-trino-routing-group': 'nope' }, undefined, 404, 'NOT_FOUND'],
    [
      'a group the principal may not use',
      { 'x-trino-routing-group': 'etl' },
      ['adhoc'],
      403,
      'PERMISSION_DENIED',
    ],
  ])('refuses %s in Trino’s error shape', (_what, headers, groups, status, name) => {
    const r = route('ada', headers, groups);
    expect(r).toBeInstanceOf(GatewayError);
    expect(r).toMatchObject({ status, errorName: name });
  });
});
