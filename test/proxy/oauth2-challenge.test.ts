import { describe, expect, it } from 'vitest';
import { isExternalAuthChallenge, rewriteChallenge } from '../../src/proxy/oauth2-challenge.js';
import { makeRewriteContext } from '../../src/proxy/url-rewrite.js';

const ctx = makeRewriteContext(['http://10.0.0.5:8080', 'https://gw.example'], 'https://gw.example', 'H.mac');
const ID = '8d3c2a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f';
const HASH = 'a'.repeat(64);

describe('a cluster’s external-authentication challenge, rewritten to the gateway', () => {
  it.each([
    [
      'the cluster’s own origin',
      `Bearer x_redirect_server="http://10.0.0.5:8080/oauth2/token/initiate/${HASH}", x_token_server="http://10.0.0.5:8080/oauth2/token/${ID}"`,
      `Bearer x_redirect_server="https://gw.example/oauth2/token/initiate/${HASH}~H.mac", x_token_server="https://gw.example/oauth2/token/${ID}~H.mac"`,
    ],
    [
      'the gateway’s origin (a cluster processing X-Forwarded-*): the handle still goes in',
      `Bearer x_redirect_server="https://gw.example/oauth2/token/initiate/${HASH}", x_token_server="https://gw.example/oauth2/token/${ID}"`,
      `Bearer x_redirect_server="https://gw.example/oauth2/token/initiate/${HASH}~H.mac", x_token_server="https://gw.example/oauth2/token/${ID}~H.mac"`,
    ],
    [
      'a refresh challenge (x_token_server only)',
      `Bearer x_token_server="http://10.0.0.5:8080/oauth2/token/${ID}"`,
      `Bearer x_token_server="https://gw.example/oauth2/token/${ID}~H.mac"`,
    ],
    [
      'a foreign origin or another path: the parameter is dropped',
      `Bearer x_redirect_server="https://evil.example/oauth2/token/initiate/${HASH}", x_token_server="http://10.0.0.5:8080/v1/statement"`,
      'Bearer , ',
    ],
  ])('%s', (_what, value, want) => {
    expect(rewriteChallenge(value, ctx)).toBe(want);
  });

  it.each([
    [401, 'Bearer x_token_server="u"', true],
    [401, 'Basic realm="Trino"', false],
    [200, 'Bearer x_token_server="u"', false],
  ])('tells a %d with %j: %s', (statusCode, v, want) => {
    expect(isExternalAuthChallenge({ statusCode, headers: { 'www-authenticate': v } })).toBe(want);
  });
});
