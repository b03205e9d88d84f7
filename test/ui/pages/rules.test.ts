import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../../src/routing/rule-engine.js';
import { parseRuleText } from '../../../src/routing/rule-loader.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { signedIn } from '../../helpers/console-fixture.js';

const RULES = `
- name: airflow-to-etl
  priority: 10
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
- name: writes-to-etl
  priority: 20
  condition: { statementType: { in: [INSERT] } }
  actions: { routeTo: etl }
`;

const engine = () => RuleEngine.fromRules(parseRuleText(RULES, 'rules/etl.yaml'), silentLogger());

describe('routing rules page', () => {
  it('lists the rules in force in the order they run', async () => {
    const e = engine();
    const { html } = await signedIn({ rules: () => e });
    const page = await html('/console/rules');
    expect(page.indexOf('airflow-to-etl')).toBeLessThan(page.indexOf('writes-to-etl'));
    expect(page).toContain('etl.yaml:6');
  });

  it('explains a dry run: the group, the backend and every rule with why it matched or not', async () => {
    const e = engine();
    const { client } = await signedIn({ rules: () => e });
    const res = await client.post('/console/rules/dry-run', {
      _csrf: await client.csrf('/console/rules'),
      user: 'alice',
      headers: 'X-Trino-Source: airflow',
      sql: 'SELECT 1',
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<b data-result="group">etl</b>');
    expect(page).toContain('<b data-result="backend">trino-3</b>');
    expect(page).toMatch(/data-rule="airflow-to-etl"[\s\S]*?badge ok">matched[\s\S]*?chose routing group/);
    expect(page).toMatch(/data-rule="writes-to-etl"[\s\S]*?badge off">no match/);
    expect(page).toContain('not in the user directory');
  });

  it('says when no backend is available and when a header line is malformed', async () => {
    const e = engine();
    const { client, registry } = await signedIn({ rules: () => e });
    registry.get('trino-3')!.health = 'UNHEALTHY';
    const _csrf = await client.csrf('/console/rules');
    const none = await client.post('/console/rules/dry-run', {
      _csrf,
      user: 'root',
      headers: 'x-trino-source: airflow',
      sql: '',
    });
    expect(await none.text()).toContain('no available backend');
    const bad = await client.post('/console/rules/dry-run', {
      _csrf,
      user: 'root',
      headers: 'not a header',
      sql: '',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('header line 1');
  });
});
