import { describe, expect, it } from 'vitest';
import { kindOf, toGatewayError } from '../../src/proxy/upstream-error.js';

const err = (code: string) => Object.assign(new Error(code), { code }) as NodeJS.ErrnoException;

describe('transport failures talking to a backend', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENOTFOUND', 'refused'],
    ['ECONNRESET', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['EPIPE', 'reset'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
    ['EWHATEVER', 'other'],
  ])('%s is %s', (code, kind) => {
    expect(kindOf(err(code), false)).toBe(kind);
  });

  it('is a timeout whenever the gateway timed it out, whatever the error says', () => {
    expect(kindOf(err('ECONNRESET'), true)).toBe('timeout');
  });

  it('maps to 502 or 504 naming the backend, never its URL', () => {
    expect(toGatewayError('timeout', 't1')).toMatchObject({
      status: 504,
      errorName: 'BACKEND_TIMEOUT',
      errorType: 'EXTERNAL',
    });
    for (const [kind, words] of [
      ['refused', 'connection refused'],
      ['reset', 'connection reset'],
      ['other', 'transport error'],
    ] as const)
      expect(toGatewayError(kind, 't1')).toMatchObject({
        status: 502,
        errorName: 'BACKEND_UNREACHABLE',
        message: `backend t1 is unreachable (${words})`,
      });
  });
});
