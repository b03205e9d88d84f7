import { describe, expect, it } from 'vitest';
import { Backend } from '../../src/backends/backend.js';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { clusterWarnings, resolveForwardAuthorization } from '../../src/backends/cluster-checks.js';

const backend = (over: Partial<BackendRecord>, auth: 'always' | 'never' | 'https' = 'always') =>
  new Backend(
    { name: 'b', url: 'http://t:8080', group: 'g', active: true, weight: 1, catalogDriver: 'sql', ...over },
    1,
    auth,
  );

describe('resolveForwardAuthorization', () => {
  it.each([
    ['auto', 'none', 'always'],
    ['auto', 'password', 'never'],
    ['https', 'password', 'https'],
    ['always', 'none', 'always'],
  ] as const)('%s in auth mode %s is %s', (setting, mode, expected) => {
    expect(resolveForwardAuthorization(setting, mode)).toBe(expected);
  });
});

describe('clusterWarnings', () => {
  it('warns of credentials sent to a plain-http cluster, naming the settings to change', () => {
    const [line, ...rest] = clusterWarnings([backend({})], 'password', 'http://gw:8080');
    expect(rest).toEqual([]);
    expect(line).toContain("backend b: clients' credentials go to http://t:8080 in cleartext");
    expect(line).toContain('Password not allowed for insecure authentication');
    expect(line).toContain('backends[].forwardAuthorization: never');
  });

  it('does not claim a refusal when the cluster takes https from accepted forwarding', () => {
    const [line] = clusterWarnings([backend({ processForwarded: true })], 'password', 'https://gw');
    expect(line).toContain('in cleartext');
    expect(line).not.toContain('Password not allowed');
  });

  it.each([
    ['an https cluster', backend({ url: 'https://t:8443' }), 'password'],
    ['a cluster given no credentials', backend({}, 'never'), 'password'],
    ['auth mode none', backend({}), 'none'],
  ])('says nothing of %s', (_what, b, mode) => {
    expect(clusterWarnings([b], mode, 'http://gw')).toEqual([]);
  });
});
