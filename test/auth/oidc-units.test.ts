import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { TokenExchange } from '../../src/auth/oidc-exchange.js';
import { SignIns } from '../../src/auth/oidc-sign-ins.js';
import { TokenCodec, principalClaims } from '../../src/auth/oidc-token.js';
import { parseChallenges } from '../helpers/oidc-trino-client.js';

const SECRET = 'a-test-secret-of-enough-length';
const base = { issuer: 'https://idp.example.com', clientId: 'switchyard', clientSecret: 's' };

describe('auth.oidc config', () => {
  it('takes the issue’s field names and defaults the rest', () => {
    const c = oidcConfigSchema.parse(base);
    expect(c).toMatchObject({
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      userClaim: 'sub',
      groupsClaim: 'groups',
      rolesClaim: 'roles',
      challengeTimeoutSeconds: 900,
      refreshTokens: true,
    });
  });

  it.each([
    [{ issuer: 'http://idp.example.com' }, 'auth.oidc.issuer'],
    [{ scopes: ['profile'] }, 'auth.oidc.scopes'],
    [{ clientSecret: '' }, 'auth.oidc.clientSecret'],
    [{ clientID: 'typo' }, 'auth.oidc'],
  ])('refuses %j, naming the YAML path', (bad, path) => {
    const yaml = JSON.stringify({ auth: { oidc: { ...base, ...bad } } });
    expect(() => parseConfig(yaml, { baseDir: process.cwd() })).toThrow(path);
  });

  it('accepts an http issuer on this machine only', () => {
    expect(oidcConfigSchema.parse({ ...base, issuer: 'http://127.0.0.1:9000' }).issuer).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('refuses auth.oidc with auth.mode none, which would trust X-Trino-User instead', () => {
    const yaml = JSON.stringify({ auth: { mode: 'none', oidc: base } });
    expect(() => parseConfig(yaml, { baseDir: process.cwd() })).toThrow('auth.oidc');
  });
});

describe('TokenExchange', () => {
  const clock = { t: 1_000_000 };
  const ex = () => new TokenExchange(SECRET, 60_000, 0, () => clock.t);

  it('answers pending, then the token once, then gone', async () => {
    const x = ex();
    const { tokenId, initiateId, key } = x.issue();
    expect(x.verifyInitiate(initiateId)).toEqual(key);
    expect(await x.poll(tokenId)).toEqual({ kind: 'pending' });
    x.complete(key, 'the-token');
    expect(x.open(key)).toBe(false);
    expect(await x.poll(tokenId)).toEqual({ kind: 'token', token: 'the-token' });
    expect(await x.poll(tokenId)).toEqual({ kind: 'gone' });
    // A second sign-in on the same link (another tab) cannot deliver a second token.
    x.complete(key, 'another-token');
    expect(await x.poll(tokenId)).toEqual({ kind: 'gone' });
  });

  it('wakes a waiting poll as soon as the sign-in completes', async () => {
    const x = new TokenExchange(SECRET, 60_000, 60_000);
    const { tokenId, key } = x.issue();
    const waiting = x.poll(tokenId);
    x.complete(key, 'the-token');
    expect(await waiting).toEqual({ kind: 'token', token: 'the-token' });
  });

  it('keeps an error for retried polls, and times a sign-in out as Trino does', async () => {
    const x = ex();
    const a = x.issue();
    x.fail(a.key, 'refused');
    expect(await x.poll(a.tokenId)).toEqual({ kind: 'error', error: 'refused' });
    expect(await x.poll(a.tokenId)).toEqual({ kind: 'error', error: 'refused' });
    const b = x.issue();
    clock.t += 61_000;
    expect(await x.poll(b.tokenId)).toEqual({ kind: 'error', error: 'Authentication has timed out' });
    expect(x.open(b.key)).toBe(false);
  });

  it('tells ids it never issued apart: forged, tampered, from another secret, the wrong kind', async () => {
    const x = ex();
    const { tokenId, initiateId } = x.issue();
    const other = new TokenExchange('another-secret-entirely', 60_000).issue();
    for (const id of [
      '',
      'x',
      tokenId.slice(0, -1) + (tokenId.endsWith('a') ? 'b' : 'a'),
      other.tokenId,
      initiateId,
    ])
      expect(await x.poll(id)).toEqual({ kind: 'unknown' });
    expect(x.verifyInitiate(tokenId)).toBeUndefined();
    expect(x.drop('forged')).toBe(false);
  });

  it('stores nothing for a challenge that is never completed', () => {
    const x = ex();
    for (let i = 0; i < 1000; i++) x.issue();
    expect((x as unknown as { results: Map<string, unknown> }).results.size).toBe(0);
  });
});

describe('SignIns', () => {
  const checks = (state: string) => ({ state, nonce: 'n', verifier: 'v' });

  it('gives a state once, to the browser holding its binding', () => {
    const s = new SignIns(60_000);
    const started = s.start(checks('st'), { kind: 'console', next: '/console' });
    expect(s.take('st', 'not-the-binding')).toBe('other-browser');
    expect(s.take('st', started.binding)).toBe(started);
    expect(s.take('st', started.binding)).toBe('unknown');
    expect(s.take('never', started.binding)).toBe('unknown');
  });
});

describe('TokenCodec and claims', () => {
  const cfg = oidcConfigSchema.parse({
    ...base,
    groupMap: { 'idp-eng': ['adhoc', 'etl'] },
    defaultGroupClaim: 'dg',
  });

  it('maps claims to a principal as auth.jwt does', () => {
    expect(
      principalClaims(cfg, { sub: 'alice', groups: ['idp-eng', 'x'], roles: ['admin', 'root'], dg: 'etl' }),
    ).toEqual({ name: 'alice', groups: ['adhoc', 'etl', 'x'], roles: ['admin'], defaultGroup: 'etl' });
    expect(principalClaims(cfg, { sub: 'bob', groups: 'a b' })).toEqual({
      name: 'bob',
      groups: ['a', 'b'],
      roles: ['user'],
    });
    expect(principalClaims(cfg, { email: 'no-sub' })).toBeUndefined();
    expect(principalClaims(cfg, { sub: 'bell\u0007' })).toBeUndefined();
    expect(principalClaims(cfg, { sub: 'x'.repeat(257) })).toBeUndefined();
  });

  it('seals a token only the gateway can open, and keeps an expired one’s content for refresh', async () => {
    const codec = new TokenCodec(SECRET, 'https://gw', 0);
    const rt = 'the-refresh-token-0123456789';
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await codec.seal({
      name: 'alice',
      groups: ['g'],
      roles: ['user'],
      refreshToken: rt,
      exp,
    });
    // Sealed: neither the refresh token nor its base64url spelling can be read off the token.
    expect(token).not.toContain(rt);
    expect(token).not.toContain(Buffer.from(rt).toString('base64url').slice(0, 16));
    expect(await codec.open(token)).toEqual({
      ok: true,
      content: { name: 'alice', groups: ['g'], roles: ['user'], refreshToken: rt, exp },
    });
    expect((await new TokenCodec('another-secret-entirely', 'https://gw', 0).open(token)).ok).toBe(false);
    expect((await new TokenCodec(SECRET, 'https://other-gw', 0).open(token)).ok).toBe(false);
    const old = await codec.seal({
      name: 'alice',
      groups: [],
      roles: ['user'],
      refreshToken: rt,
      exp: exp - 120,
    });
    const opened = await codec.open(old);
    expect(opened).toMatchObject({
      ok: false,
      code: 'ERR_JWT_EXPIRED',
      expired: { name: 'alice', refreshToken: rt },
    });
  });
});

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

describe('the console’s OIDC sessions', () => {
  it('marks the session cookie Secure when the public URL is https, even if the callback came over http', async () => {
    const { Hono } = await import('hono');
    const { oidcConsole } = await import('../../src/auth/oidc-console.js');
    const cookieOf = async (secureCookies?: boolean) => {
      const sso = oidcConsole(oidcConfigSchema.parse(base), {
        sessionSecret: SECRET,
        isPasswordUser: () => false,
        secureCookies,
      });
      const app = new Hono().get('/x', (c) =>
        c.text(sso.signIn.signIn(c, { name: 'root', groups: [], roles: ['admin'] }) ?? 'ok'),
      );
      return (await app.request('http://gw/x')).headers.get('set-cookie') ?? '';
    };
    expect(await cookieOf(true)).toMatch(/; Secure/);
    expect(await cookieOf(undefined)).not.toMatch(/; Secure/);
  });
});
