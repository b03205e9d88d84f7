import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

describe('auth config', () => {
  it.each([
    ['auth: { users: [ { name: a, password: x } ] }', 'plaintext passwords are not accepted'],
    [
      'auth: { jwt: { enabled: true, secret: "0123456789abcdef0123", algorithms: [none] } }',
      'auth.jwt.algorithms[0]',
    ],
    ['auth: { jwt: { enabled: true, algorithms: [RS256] } }', 'jwt needs secret'],
    ['auth: { mode: open }', 'auth.mode'],
  ])('rejects %s', (text, want) => {
    expect(() => parseConfig(text)).toThrow(want);
  });
});
