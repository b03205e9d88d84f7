import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { chooseGroup, type GroupChoice } from '../../src/routing/group-choice.js';
import { engineOf, facts, principal } from '../helpers/routing-fixtures.js';

const engine = engineOf(`
- name: airflow-to-etl
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
- name: vip-to-gold
  condition: { source: { equals: vip } }
  actions: { routeTo: gold }
- name: vip-fallback
  condition: { source: { equals: vip } }
  actions: { routeTo: adhoc }
- name: to-nowhere
  condition: { source: { equals: lost } }
  actions: { routeTo: nonexistent }
- name: urgent-first
  condition: { source: { equals: urgent } }
  actions: { routeTo: adhoc, queuePriority: 10 }
`);
const knownGroups = new Set(['adhoc', 'etl', 'gold', 'reporting']);

function choose(who: Principal, opts: { source?: string; requested?: string; defaultGroup?: string } = {}) {
  const headers = opts.source ? { 'x-trino-source': opts.source } : {};
  return chooseGroup({
    facts: facts(headers, who),
    principal: who,
    requestedGroup: opts.requested,
    engine,
    defaultGroup: opts.defaultGroup ?? 'adhoc',
    knownGroups,
  });
}

const everyone = principal('root', ['*']);
const analyst = principal('ana', ['reporting', 'adhoc'], 'reporting');
const loader = principal('lou', ['etl']);
const nobody = principal('nob', []);
const stale = principal('sta', ['gone', 'also-gone']);

describe('choosing the routing group', () => {
  it.each<[string, Principal, Parameters<typeof choose>[1], GroupChoice]>([
    [
      'the header, when the principal may use it',
      analyst,
      { requested: 'reporting', source: 'airflow' },
      { ok: true, group: 'reporting', source: 'header' },
    ],
    [
      'the header, for a principal with *',
      everyone,
      { requested: 'gold' },
      { ok: true, group: 'gold', source: 'header' },
    ],
    [
      '403 for a header group the principal may not use',
      analyst,
      { requested: 'etl' },
      { ok: false, status: 403, message: "User 'ana' may not use routing group 'etl'" },
    ],
    [
      '404 for a header group that does not exist',
      everyone,
      { requested: 'nope' },
      { ok: false, status: 404, message: "Routing group 'nope' does not exist" },
    ],
    [
      '403, not 404, for an unknown group the principal may not use anyway',
      analyst,
      { requested: 'nope' },
      { ok: false, status: 403, message: "User 'ana' may not use routing group 'nope'" },
    ],
    [
      'a rule',
      everyone,
      { source: 'airflow' },
      { ok: true, group: 'etl', source: 'rule', rule: 'airflow-to-etl' },
    ],
    [
      'a rule the principal may use',
      loader,
      { source: 'airflow' },
      { ok: true, group: 'etl', source: 'rule', rule: 'airflow-to-etl' },
    ],
    [
      'the next rule when a matching rule routes to a group the principal may not use',
      analyst,
      { source: 'vip' },
      {
        ok: true,
        group: 'adhoc',
        source: 'rule',
        rule: 'vip-fallback',
        skipped: [
          { rule: 'vip-to-gold', group: 'gold', reason: "user 'ana' may not use routing group 'gold'" },
        ],
      },
    ],
    [
      'the principal default when the only matching rule is forbidden',
      analyst,
      { source: 'airflow' },
      {
        ok: true,
        group: 'reporting',
        source: 'principal-default',
        skipped: [
          { rule: 'airflow-to-etl', group: 'etl', reason: "user 'ana' may not use routing group 'etl'" },
        ],
      },
    ],
    [
      'past a rule routing to a group that does not exist',
      everyone,
      { source: 'lost' },
      {
        ok: true,
        group: 'adhoc',
        source: 'config-default',
        skipped: [
          { rule: 'to-nowhere', group: 'nonexistent', reason: "routing group 'nonexistent' does not exist" },
        ],
      },
    ],
    [
      'the principal default group',
      analyst,
      {},
      { ok: true, group: 'reporting', source: 'principal-default' },
    ],
    [
      'the configured default when the principal has no default',
      everyone,
      {},
      { ok: true, group: 'adhoc', source: 'config-default' },
    ],
    [
      'the configured default when the principal default no longer exists',
      principal('x', ['*'], 'gone'),
      {},
      { ok: true, group: 'adhoc', source: 'config-default' },
    ],
    [
      "the principal's first usable group when it may not use the configured default",
      principal('y', ['gone', 'etl', 'gold']),
      {},
      { ok: true, group: 'etl', source: 'principal-default' },
    ],
    [
      'the first known group for * when the configured default does not exist',
      everyone,
      { defaultGroup: 'gone' },
      { ok: true, group: 'adhoc', source: 'principal-default' },
    ],
    [
      '403 for a principal without groups',
      nobody,
      { source: 'airflow' },
      { ok: false, status: 403, message: "User 'nob' may not use any routing group" },
    ],
    [
      '403 for a principal none of whose groups exists',
      stale,
      {},
      {
        ok: false,
        status: 403,
        message:
          "No routing group for user 'sta': none of its groups (gone, also-gone) exists and it may not use the default group 'adhoc'",
      },
    ],
  ])('uses %s', (_what, who, opts, expected) => {
    expect(choose(who, opts)).toEqual(expected);
  });

  it('treats an empty routing-group header as absent', () => {
    expect(choose(everyone, { requested: '' })).toEqual({
      ok: true,
      group: 'adhoc',
      source: 'config-default',
    });
  });

  it('refuses for * when no routing group exists at all', () => {
    const who = principal('root', ['*']);
    const choice = chooseGroup({
      facts: facts({}, who),
      principal: who,
      engine,
      defaultGroup: 'adhoc',
      knownGroups: new Set(),
    });
    expect(choice).toEqual({
      ok: false,
      status: 403,
      message: "No routing group for user 'root': no routing group is configured",
    });
  });
});

describe('the queue priority a rule sets', () => {
  it('comes with the group of the rule that decided', () => {
    expect(choose(everyone, { source: 'urgent' })).toEqual({
      ok: true,
      group: 'adhoc',
      source: 'rule',
      rule: 'urgent-first',
      queuePriority: 10,
    });
  });

  it('is absent when the deciding rule sets none, or no rule decided', () => {
    expect(choose(everyone, { source: 'airflow' })).not.toHaveProperty('queuePriority');
    expect(choose(everyone)).not.toHaveProperty('queuePriority');
  });
});
