import { describe, expect, it } from 'vitest';
import { classify, splitHandle } from '../../src/trino/paths.js';
import { splitTarget } from '../../src/proxy/protocol-proxy.js';

describe('classify', () => {
  it.each([
    ['POST', '/v1/statement', '', { kind: 'submit' }],
    [
      'GET',
      '/v1/statement/queued/q_1/y1~H.s/1',
      '',
      { kind: 'statement', queryId: 'q_1', handle: 'H.s', path: '/v1/statement/queued/q_1/y1/1' },
    ],
    [
      'DELETE',
      '/v1/statement/executing/q_1/y1/4',
      '',
      { kind: 'statement', queryId: 'q_1', handle: undefined, path: '/v1/statement/executing/q_1/y1/4' },
    ],
    [
      'GET',
      '/v1/statement/executing/q_1/y1%7EH.s/4',
      '',
      { kind: 'statement', queryId: 'q_1', handle: 'H.s', path: '/v1/statement/executing/q_1/y1/4' },
    ],
    [
      'DELETE',
      '/v1/statement/executing/partialCancel/q_1/3/y1~H.s/4',
      '',
      {
        kind: 'statement',
        queryId: 'q_1',
        handle: 'H.s',
        path: '/v1/statement/executing/partialCancel/q_1/3/y1/4',
      },
    ],
    ['DELETE', '/v1/query/q_1', '', { kind: 'query', queryId: 'q_1' }],
    [
      'GET',
      '/v1/spooled/download/seg1~H.s',
      '',
      { kind: 'spooled', handle: 'H.s', path: '/v1/spooled/download/seg1' },
    ],
    ['GET', '/v1/info', '', { kind: 'info' }],
    ['GET', '/ui/query.html', '?q_1', { kind: 'ui-query', queryId: 'q_1' }],
    ['GET', '/ui/assets/x.js', '', { kind: 'ui' }],
    ['GET', '/console', '', { kind: 'other' }],
  ])('%s %s%s', (method, path, search, want) => {
    expect(classify(method, path, search)).toEqual(want);
  });

  it.each([
    ['GET', '/v1/statement'],
    ['GET', '/v1/statement/queued/Q-BAD/y/1'],
    ['GET', '/v1/statement/queued/q_1/y'],
    ['GET', '/v1/query/..%2f..'],
    ['GET', '/v1/spooled/download'],
    ['GET', '/v1/nothing'],
  ])('refuses %s %s', (method, path) => {
    expect(classify(method, path, '').kind).toBe('bad');
  });

  it('splits a handle from the last separator', () => {
    expect(splitHandle('abc~def')).toEqual({ base: 'abc', handle: 'def' });
    expect(splitHandle('abc')).toEqual({ base: 'abc' });
  });

  it.each([
    ['/v1/info?x=1', { path: '/v1/info', search: '?x=1' }],
    [
      'http://evil.example/v1/statement/executing/q/y/1',
      { path: '/v1/statement/executing/q/y/1', search: '' },
    ],
    ['*', undefined],
    ['http://[bad', undefined],
  ])('reduces request target %s to its path', (target, want) => {
    expect(splitTarget(target)).toEqual(want);
  });
});
