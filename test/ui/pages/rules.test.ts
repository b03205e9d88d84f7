import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/open.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { DatabaseRules } from '../../../src/routing/database-rules.js';
import { RuleEngine } from '../../../src/routing/rule-engine.js';
import { parseRuleText } from '../../../src/routing/rule-loader.js';
import { sqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { Client, consoleFixture, signedIn } from '../../helpers/console-fixture.js';

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

const FILE_RULES = `
- name: airflow-to-etl
  priority: 10
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
`;
const REPORTS = `- name: reports-to-etl
  priority: 5
  condition:
    source: { equals: reports }
  actions:
    routeTo: etl
`;

/** A signed-in console whose rules page edits database rules over an engine with one file rule. */
async function rulesConsole() {
  const engine = RuleEngine.fromRules(parseRuleText(FILE_RULES, 'rules/etl.yaml'), silentLogger());
  const db = new DatabaseRules({
    repo: sqliteStore(openDatabase(':memory:')).ruleVersions,
    engine: () => engine,
    groups: () => new Set(['adhoc', 'etl']),
    logger: silentLogger(),
  });
  const fx = consoleFixture({ rules: () => engine, databaseRules: db });
  const client = new Client(fx.app);
  await client.login('root', 's3cret');
  const csrf = await client.csrf('/console/rules');
  const post = (path: string, form: Record<string, string>) =>
    client.post(path, { _csrf: csrf, baseVersion: String(db.current()?.version ?? 0), ...form });
  return { engine, db, client, post };
}

describe('routing rules editor in the console', () => {
  it('saves a valid set as a new version, in force at once, and lists it in the audit trail', async () => {
    const { engine, db, client, post } = await rulesConsole();
    const res = await post('/console/rules/save', {
      rules: REPORTS.replace(/\n/g, '\r\n'),
      note: 'for finance',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/rules?saved=1');
    expect(db.current()).toMatchObject({ version: 1, author: 'root', yaml: REPORTS });
    expect(engine.rules.map((r) => r.name)).toEqual(['reports-to-etl', 'airflow-to-etl']);
    const page = await (await client.get('/console/rules?saved=1')).text();
    expect(page).toContain('Version 1 saved and in force.');
    expect(page).toMatch(/data-rule="reports-to-etl" data-origin="database"/);
    expect(page).toContain('database, line 1');
    expect(page).toMatch(/data-version="1"[\s\S]*?root[\s\S]*?added reports-to-etl — for finance/);
    expect(page).toContain('Save as version 2');
  });

  it('refuses an invalid rule with the field and the reason, keeps the typed text and the rules in force', async () => {
    const { engine, db, post } = await rulesConsole();
    const typo = REPORTS.replace('source:', 'sorce:');
    const res = await post('/console/rules/save', { rules: typo });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('Not saved; the rules in force are unchanged.');
    expect(page).toContain(
      'line 4: rule &quot;reports-to-etl&quot;: condition: unknown field &quot;sorce&quot;',
    );
    expect(page).toContain('sorce: { equals: reports }');
    expect(db.current()).toBeUndefined();
    expect(engine.rules.map((r) => r.name)).toEqual(['airflow-to-etl']);
    const group = await post('/console/rules/save', {
      rules: REPORTS.replace('routeTo: etl', 'routeTo: nope'),
    });
    expect(await group.text()).toContain('actions.routeTo: routing group &quot;nope&quot; does not exist');
  });

  it('refuses a save based on an older version (409)', async () => {
    const { db, client } = await rulesConsole();
    const csrf = await client.csrf('/console/rules');
    await db.save(REPORTS, 'someone-else', 0);
    const res = await client.post('/console/rules/save', { _csrf: csrf, baseVersion: '0', rules: '' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('changed since version 0');
    expect(db.current()?.version).toBe(1);
  });

  it('runs the dry run against the draft in the editor without saving it', async () => {
    const { db, post } = await rulesConsole();
    const res = await post('/console/rules/dry-run', {
      rules: REPORTS,
      user: 'alice',
      headers: 'X-Trino-Source: reports',
      sql: 'SELECT 1',
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Decision (with the draft in the editor, not saved)');
    expect(page).toContain('<b data-result="group">etl</b>');
    expect(page).toContain('chosen by rule reports-to-etl');
    expect(db.current()).toBeUndefined();
    const bad = await post('/console/rules/dry-run', {
      rules: '- name: [',
      user: 'alice',
      headers: '',
      sql: '',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('The draft is not valid');
  });

  it('loads an older version into the editor to restore it', async () => {
    const { db, client } = await rulesConsole();
    await db.save(REPORTS, 'root', 0);
    await db.save('', 'root', 1);
    const page = await (await client.get('/console/rules?version=1')).text();
    expect(page).toContain('source: { equals: reports }');
    expect(page).toContain('value="restore version 1"');
    expect(page).toContain('name="baseVersion" value="2"');
  });
});
