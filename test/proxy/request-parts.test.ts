import { describe, expect, it } from 'vitest';
import { principalOf, readCookie, splitTarget } from '../../src/proxy/request-parts.js';
import { GatewayError } from '../../src/trino/errors.js';

describe('what the proxy reads off a request', () => {
  it.each([
    ['/v1/statement', { path: '/v1/statement', search: '' }],
    ['/ui/query.html?q_1', { path: '/ui/query.html', search: '?q_1' }],
    ['http://gw:8080/v1/query/q_1?x=1', { path: '/v1/query/q_1', search: '?x=1' }],
    ['*', undefined],
    ['ftp://x/y', undefined],
    ['http://[bad', undefined],
  ])('splits the target %s', (url, want) => {
    expect(splitTarget(url)).toEqual(want);
  });

  it('reads one cookie by name', () => {
    expect(readCookie('a=1; switchyard_ui=h.x ; b=2', 'switchyard_ui')).toBe('h.x');
    expect(readCookie('xswitchyard_ui=1', 'switchyard_ui')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });

  it('returns the principal, or throws the Trino-shaped answer to a failed authentication', () => {
    const principal = { name: 'alice', groups: [], roles: [], method: 'basic' };
    expect(principalOf({ ok: true, principal } as never)).toBe(principal);
    for (const [status, name] of [
      [401, 'AUTHENTICATION_FAILED'],
      [403, 'PERMISSION_DENIED'],
      [429, 'RATE_LIMITED'],
      [503, 'SERVER_BUSY'],
    ] as const) {
      let e: GatewayError | undefined;
      try {
        principalOf({
          ok: false,
          status,
          message: 'no',
          challenge: 'Basic realm="x"',
          retryAfterSeconds: 3,
        } as never);
      } catch (x) {
        e = x as GatewayError;
      }
      expect([e?.status, e?.errorName, e?.headers]).toEqual([
        status,
        name,
        { 'www-authenticate': 'Basic realm="x"', 'retry-after': '3' },
      ]);
    }
  });
});
