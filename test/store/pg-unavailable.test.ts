import { describe, expect, it } from 'vitest';
import { pgUnavailable } from '../../src/store/pg/unavailable.js';

const err = (message: string, code?: string, cause?: unknown) =>
  Object.assign(new Error(message), code ? { code } : {}, cause ? { cause } : {});

describe('pgUnavailable', () => {
  it.each([
    ['a refused connection', err('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a server shutting down', err('terminating connection due to administrator command', '57P01')],
    ['a connection exception', err('connection failure', '08006')],
    ['a lost connection', err('Connection terminated unexpectedly')],
    [
      'a query error wrapping one (drizzle)',
      err('Failed query: insert …', undefined, err('x', 'ECONNRESET')),
    ],
  ])('names %s', (_what, e) => {
    expect(pgUnavailable(e)).toBeTruthy();
  });

  it.each([
    ['a statement the server refused', err('duplicate key value violates unique constraint', '23505')],
    ['an app error', err('group "x" not found')],
    ['no error', undefined],
  ])('says nothing of %s', (_what, e) => {
    expect(pgUnavailable(e)).toBeUndefined();
  });
});
