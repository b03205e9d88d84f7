import { describe, expect, it } from 'vitest';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { TokenExchange } from '../../src/auth/oidc-exchange.js';
import { parseChallenges } from '../helpers/oidc-trino-client.js';
import { TokenCodec } from '../../src/auth/oidc-token.js';

const SECRET = 'a-test-secret-of-enough-length';
const base = { issuer: 'https://idp.example.com', clientId: 'switchyard', clientSecret: 's' };

describe('the test client’s challenge parser (as OkHttp reads WWW-Authenticate)', () => {
  it.each([
    [
      'Bearer x_redirect_server="https://a/i", x_token_server="https://a/t"',
      [['Bearer', { x_redirect_server: 'https://a/i', x_token_server: 'https://a/t' }]],
    ],
    [
      'Bearer x_token_server="https://a/t", Basic realm="S"',
      [
        ['Bearer', { x_token_server: 'https://a/t' }],
        ['Basic', { realm: 'S' }],
      ],
    ],
    [
      'Basic realm="S", Bearer realm="S"',
      [
        ['Basic', { realm: 'S' }],
        ['Bearer', { realm: 'S' }],
      ],
    ],
    ['Negotiate', [['Negotiate', {}]]],
  ])('%s', (header, want) => {
    expect(parseChallenges([header]).map((c) => [c.scheme, c.params])).toEqual(want);
  });
});

/**
 * trino-python-client's _OAuth2TokenBearer reads the header its own way: it drops the first "bearer"
 * (case-insensitive) and hands the rest to requests.utils.parse_dict_header (comma list, quotes honoured,
 * `name=value` items). This port of those two steps shows the gateway's combined header survives it.
 */
function pythonAuthInfo(header: string): Record<string, string | null> {
  const rest = header.replace(/bearer/i, '');
  const items: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of rest) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      items.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) items.push(cur.trim());
  const out: Record<string, string | null> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = null;
    else {
      const v = item.slice(eq + 1);
      out[item.slice(0, eq)] = v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
    }
  }
  return out;
}

describe('the challenge as trino-python-client reads it', () => {
  it('finds both servers in the gateway’s header, Basic after it or not', async () => {
    const { OidcAuthenticator } = await import('../../src/auth/oidc-authenticator.js');
    const a = new OidcAuthenticator({
      cfg: oidcConfigSchema.parse(base),
      client: {} as never,
      exchange: new TokenExchange(SECRET, 60_000),
      codec: new TokenCodec(SECRET, 'https://gw', 0),
      publicUrl: 'https://gw.example.com',
      logger: {} as never,
      isPasswordUser: () => false,
    });
    for (const header of [a.challenge(), `${a.challenge()}, Basic realm="Switchyard"`]) {
      const info = pythonAuthInfo(header);
      expect(info.x_redirect_server).toMatch(/^https:\/\/gw\.example\.com\/oidc\/token\/initiate\/[^"]+$/);
      expect(info.x_token_server).toMatch(/^https:\/\/gw\.example\.com\/oidc\/token\/[^"]+$/);
    }
  });
});
