import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { explainRouting } from '../../src/routing/explain.js';
import { engineOf, facts, principal } from '../helpers/routing-fixtures.js';

const engine = engineOf(`
- name: writes
  priority: 1
  condition:
    source: { equals: airflow }
    statementType: { in: [INSERT] }
  actions: { routeTo: etl }
- name: gold-for-airflow
  priority: 2
  condition: { source: { equals: airflow } }
  actions: { routeTo: gold }
- name: airflow-broad
  priority: 3
  condition: { source: { equals: airflow } }
  actions: { routeTo: adhoc }
  continue: true
- name: airflow-tagged
  priority: 4
  condition: { source: { equals: airflow }, clientTags: { contains: x } }
  actions: { routeTo: etl }
- name: airflow-late
  priority: 5
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
- name: never
  priority: 6
  condition: { user: { equals: nobody } }
  actions: { routeTo: etl }
`);
const knownGroups = new Set(['adhoc', 'etl', 'gold']);
const analyst = principal('ana', ['adhoc', 'etl']);

function explain(headers: Record<string, string>, who: Principal = analyst, requestedGroup?: string) {
  return explainRouting({
    facts: facts(
      { 'x-trino-catalog': 'hive', 'x-trino-schema': 'web', ...headers },
      who,
      'SELECT * FROM events',
    ),
    principal: who,
    requestedGroup,
    engine,
    defaultGroup: 'adhoc',
    knownGroups,
  });
}

describe('explaining a routing decision', () => {
  it('gives the decision, the facts, and for every rule whether it matched, why, and what it did', () => {
    const result = explain({ 'x-trino-source': 'airflow', 'x-trino-client-tags': 'x' });
    expect(result.decision).toEqual({
      ok: true,
      group: 'etl',
      source: 'rule',
      rule: 'airflow-tagged',
      skipped: [
        { rule: 'gold-for-airflow', group: 'gold', reason: "user 'ana' may not use routing group 'gold'" },
      ],
    });
    expect(result.facts).toMatchObject({
      user: 'ana',
      source: 'airflow',
      clientTags: ['x'],
      sql: { statementType: 'SELECT', tables: ['hive.web.events'] },
    });
    expect(result.rules.map((r) => [r.name, r.matched, r.effect])).toEqual([
      ['writes', false, undefined],
      ['gold-for-airflow', true, "skipped: user 'ana' may not use routing group 'gold'"],
      ['airflow-broad', true, 'overridden by a later rule'],
      ['airflow-tagged', true, "chose routing group 'etl'"],
      ['airflow-late', true, "not reached: rule 'airflow-tagged' decided"],
      ['never', false, undefined],
    ]);
    expect(result.rules[0]).toEqual({
      name: 'writes',
      priority: 1,
      file: 'rules/test.yaml',
      line: 2,
      routeTo: 'etl',
      continue: false,
      matched: false,
      reasons: ['source "airflow" passes equals "airflow"', 'statementType "SELECT" fails in ["INSERT"]'],
    });
  });

  it('says the rules were not consulted when the routing-group header decided', () => {
    const result = explain({ 'x-trino-source': 'airflow' }, analyst, 'etl');
    expect(result.decision).toEqual({ ok: true, group: 'etl', source: 'header' });
    expect(result.rules[2].effect).toBe('not consulted: the X-Trino-Routing-Group header decided');
  });

  it('reports matching rules after the deciding one as not reached', () => {
    const result = explain({ 'x-trino-source': 'airflow' }, principal('root', ['*']));
    expect(result.decision).toMatchObject({ group: 'gold', rule: 'gold-for-airflow' });
    expect(result.rules.map((r) => r.effect)).toEqual([
      undefined,
      "chose routing group 'gold'",
      "not reached: rule 'gold-for-airflow' decided",
      undefined,
      "not reached: rule 'gold-for-airflow' decided",
      undefined,
    ]);
  });

  it('explains a refusal', () => {
    const result = explain({}, principal('nob', []));
    expect(result.decision).toEqual({
      ok: false,
      status: 403,
      message: "User 'nob' may not use any routing group",
    });
  });

  it('is JSON-serialisable as it is', () => {
    const result = explain({ 'x-trino-source': 'airflow', 'x-trino-client-tags': 'x' });
    expect(JSON.parse(JSON.stringify(result))).toEqual(
      JSON.parse(JSON.stringify(result, (_k, v: unknown) => v)),
    );
    expect(JSON.parse(JSON.stringify(result)).rules).toHaveLength(6);
    expect(JSON.parse(JSON.stringify(result)).decision).toEqual(result.decision);
  });
});

/** What a JSON round trip should give: the same value, minus properties that are undefined. */
function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, stripUndefined(v)]),
  );
}
