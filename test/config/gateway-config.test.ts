import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { crossCheck, gatewayConfigSchema } from '../../src/config/gateway-config.js';

/** issues validates YAML with the schema (which must accept it) and returns what crossCheck finds. */
const issues = (yaml: string) => crossCheck(gatewayConfigSchema.parse(parse(yaml) ?? {}));

const BASE = `
groups: [{ name: adhoc }, { name: etl, fallback: adhoc }]
backends: [{ name: t1, url: "http://h:8080", group: adhoc }]
routing: { defaultGroup: adhoc }
`;

describe('crossCheck', () => {
  it.each([
    ['an empty config', ''],
    [
      'a headers timeout equal to the request timeout',
      'server: { headersTimeoutSeconds: 60, requestTimeoutSeconds: 60 }',
    ],
    [
      'groups, a fallback, a backend and users that name only known groups',
      BASE +
        'auth: { users: [{ name: u, passwordHash: "scrypt$x", groups: ["*", etl], defaultGroup: etl }] }',
    ],
    [
      'users naming groups when no group is declared',
      'auth: { users: [{ name: u, passwordHash: "scrypt$x", groups: [any] }] }',
    ],
  ])('finds nothing wrong in %s', (_what, yaml) => {
    expect(issues(yaml)).toEqual([]);
  });

  it.each([
    [
      'a duplicate group',
      'groups: [{ name: adhoc }, { name: adhoc }]\nrouting: { defaultGroup: adhoc }',
      'groups[1].name',
      'duplicate group "adhoc"',
    ],
    [
      'an unknown fallback',
      'groups: [{ name: adhoc, fallback: gone }]\nrouting: { defaultGroup: adhoc }',
      'groups[0].fallback',
      'unknown group "gone"',
    ],
    [
      'a group falling back to itself',
      'groups: [{ name: adhoc, fallback: adhoc }]\nrouting: { defaultGroup: adhoc }',
      'groups[0].fallback',
      'a group cannot fall back to itself',
    ],
    [
      'a duplicate backend',
      BASE.replace(
        'backends: [{ name: t1, url: "http://h:8080", group: adhoc }]',
        'backends: [{ name: t1, url: "http://a", group: adhoc }, { name: t1, url: "http://b", group: adhoc }]',
      ),
      'backends[1].name',
      'duplicate backend "t1"',
    ],
    [
      'a backend in an unknown group',
      BASE.replace('group: adhoc }]', 'group: nope }]'),
      'backends[0].group',
      'unknown group "nope" (declare it under groups)',
    ],
    [
      'a user in an unknown group',
      BASE + 'auth: { users: [{ name: u, passwordHash: "scrypt$x", groups: [nope] }] }',
      'auth.users[0].groups',
      'unknown group "nope"',
    ],
    [
      'a user with an unknown default group',
      BASE + 'auth: { users: [{ name: u, passwordHash: "scrypt$x", groups: [adhoc], defaultGroup: nope }] }',
      'auth.users[0].groups',
      'unknown group "nope"',
    ],
    [
      'an unknown default routing group',
      BASE.replace('defaultGroup: adhoc', 'defaultGroup: nope'),
      'routing.defaultGroup',
      'unknown group "nope"',
    ],
    [
      'a headers timeout past the request timeout',
      'server: { headersTimeoutSeconds: 61, requestTimeoutSeconds: 60 }',
      'server.headersTimeoutSeconds',
      'must not exceed server.requestTimeoutSeconds (the headers are part of the request)',
    ],
  ])('reports %s at its path', (_what, yaml, path, message) => {
    expect(issues(yaml)).toEqual([{ path, message }]);
  });

  it('reports an idle timeout that does not exceed the upstream timeout, naming the upstream timeout', () => {
    expect(issues('server: { idleTimeoutSeconds: 10 }\nproxy: { upstreamTimeoutMs: 10000 }')).toEqual([
      {
        path: 'server.idleTimeoutSeconds',
        message: "must exceed proxy.upstreamTimeoutMs (10000 ms), or a slow backend's answer is cut",
      },
    ]);
    expect(issues('server: { idleTimeoutSeconds: 11 }\nproxy: { upstreamTimeoutMs: 10000 }')).toEqual([]);
  });

  it('reports every problem at once, not only the first', () => {
    const found = issues(
      'groups: [{ name: a }, { name: a, fallback: b }]\nbackends: [{ name: x, url: "http://h", group: c }]\nrouting: { defaultGroup: d }',
    );
    expect(found.map((i) => i.path)).toEqual([
      'groups[1].name',
      'groups[1].fallback',
      'backends[0].group',
      'routing.defaultGroup',
    ]);
  });
});
