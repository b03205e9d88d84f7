import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { jwtConfig } from '../helpers/jwt-config.js';
import type { AuthResult } from '../../src/auth/authenticator.js';
import { JwtAuthenticator } from '../../src/auth/jwt.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

type KeyPair = { kid: string; privateKey: CryptoKey; jwk: JWK };

async function keyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** A local JWKS endpoint that counts its fetches; `keys` is what it serves, `status` how it answers. */
class JwksServer {
  fetches = 0;
  keys: JWK[] = [];
  status = 200;
  private server = http.createServer((_req, res) => {
    this.fetches++;
    if (this.status !== 200) {
      res.writeHead(this.status).end('unavailable');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: this.keys }));
  });
  url = '';

  static async start(keys: JWK[]): Promise<JwksServer> {
    const s = new JwksServer();
    s.keys = keys;
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', () => r()));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return s;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const esConfig = (jwksUrl: string) => jwtConfig({ jwksUrl, algorithms: ['ES256'] });

const sign = (k: Pick<KeyPair, 'privateKey'>, kid: string, sub = 'erin') =>
  new SignJWT({ groups: ['adhoc'] })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(k.privateKey);

const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` }, remoteAddress: '127.0.0.1' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const failure = (r: AuthResult) => {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.status).toBe(401);
  return r;
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function jwksServer(keys: JWK[]): Promise<JwksServer> {
  const s = await JwksServer.start(keys);
  cleanups.push(() => s.stop());
  return s;
}

describe('JWKS key rotation (JwtAuthenticator)', () => {
  it('picks up a new kid with exactly one extra fetch, and never refetches for known kids', async () => {
    const one = await keyPair('one');
    const two = await keyPair('two');
    const jwks = await jwksServer([one.jwk]);
    const auth = new JwtAuthenticator(esConfig(jwks.url), process.cwd(), 1);

    const tokOne = await sign(one, 'one');
    for (let i = 0; i < 20; i++) {
      const r = await auth.authenticate(bearer(tokOne));
      expect(r.ok && r.principal.name).toBe('erin');
    }
    expect(jwks.fetches).toBe(1);

    // The IdP rotates: it publishes key two next to key one and starts signing with it.
    jwks.keys = [one.jwk, two.jwk];
    await sleep(5); // past the 1 ms cooldown
    const tokTwo = await sign(two, 'two', 'frank');
    const r = await auth.authenticate(bearer(tokTwo));
    expect(r.ok && r.principal.name).toBe('frank');
    expect(jwks.fetches).toBe(2);

    // Both kids are now known: many more requests, concurrent ones too, fetch nothing.
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await auth.authenticate(bearer(i % 2 ? tokOne : tokTwo));
        expect(res.ok).toBe(true);
      }),
    );
    expect(jwks.fetches).toBe(2);
  });

  it('coalesces concurrent requests carrying a new kid into one refetch', async () => {
    const one = await keyPair('one');
    const two = await keyPair('two');
    const jwks = await jwksServer([one.jwk]);
    const auth = new JwtAuthenticator(esConfig(jwks.url), process.cwd(), 1);
    expect((await auth.authenticate(bearer(await sign(one, 'one')))).ok).toBe(true);
    jwks.keys = [two.jwk];
    await sleep(5);
    const tokTwo = await sign(two, 'two');
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(bearer(tokTwo))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(jwks.fetches).toBe(2);
  });

  it('answers 401 with a clear message for a kid still missing after the refetch', async () => {
    const one = await keyPair('one');
    const rogue = await keyPair('rogue');
    const jwks = await jwksServer([one.jwk]);
    const auth = new JwtAuthenticator(esConfig(jwks.url), process.cwd(), 1);
    expect((await auth.authenticate(bearer(await sign(one, 'one')))).ok).toBe(true);
    await sleep(5);
    const r = failure(await auth.authenticate(bearer(await sign(rogue, 'rogue'))));
    expect(r.reason).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(r.message).toMatch(/no key .*kid "rogue"/i);
    expect(jwks.fetches).toBe(2); // it did look once more
  });

  it('refetches for unknown kids at most once per cooldown', async () => {
    const one = await keyPair('one');
    const two = await keyPair('two');
    const jwks = await jwksServer([one.jwk]);
    const auth = new JwtAuthenticator(esConfig(jwks.url), process.cwd(), 400);
    expect((await auth.authenticate(bearer(await sign(one, 'one')))).ok).toBe(true);
    expect(jwks.fetches).toBe(1);

    jwks.keys = [one.jwk, two.jwk];
    const tokTwo = await sign(two, 'two');
    // Within the cooldown of the last fetch an unknown kid is refused without fetching…
    for (let i = 0; i < 10; i++) failure(await auth.authenticate(bearer(tokTwo)));
    expect(jwks.fetches).toBe(1);
    // …and after it one refetch picks the new key up.
    await sleep(450);
    expect((await auth.authenticate(bearer(tokTwo))).ok).toBe(true);
    expect(jwks.fetches).toBe(2);
    // A burst of garbage kids right after that refetch costs nothing more.
    for (let i = 0; i < 10; i++) failure(await auth.authenticate(bearer(await sign(two, `junk-${i}`))));
    expect(jwks.fetches).toBe(2);
  });

  it('answers 401 (never throws) when the JWKS endpoint is down or broken', async () => {
    const one = await keyPair('one');
    const two = await keyPair('two');
    const tokOne = await sign(one, 'one');

    // Endpoint answers 503 before any key was ever fetched.
    const broken = await jwksServer([one.jwk]);
    broken.status = 503;
    const a = new JwtAuthenticator(esConfig(broken.url), process.cwd(), 1);
    const r1 = failure(await a.authenticate(bearer(tokOne)));
    expect(r1.reason).toBe('jwks-unavailable');
    expect(r1.message).toMatch(/JWKS/);
    expect(r1.message).not.toContain(broken.url); // no internal URLs to clients
    // …and recovers once the endpoint does.
    broken.status = 200;
    expect((await a.authenticate(bearer(tokOne))).ok).toBe(true);

    // Nothing listens at all (connection refused).
    const gone = await JwksServer.start([one.jwk]);
    await gone.stop();
    const b = new JwtAuthenticator(esConfig(gone.url), process.cwd(), 1);
    expect(failure(await b.authenticate(bearer(tokOne))).reason).toBe('jwks-unavailable');

    // Keys cached, then the endpoint goes away: known kids still verify from the cache, an unknown kid
    // (whose refetch fails) is a 401.
    const flaky = await JwksServer.start([one.jwk]);
    const c = new JwtAuthenticator(esConfig(flaky.url), process.cwd(), 1);
    expect((await c.authenticate(bearer(tokOne))).ok).toBe(true);
    await flaky.stop();
    await sleep(5);
    expect((await c.authenticate(bearer(tokOne))).ok).toBe(true);
    expect(failure(await c.authenticate(bearer(await sign(two, 'two')))).reason).toBe('jwks-unavailable');
  });

  it('rejects forged signatures, tampered payloads and alg confusion, without fetching', async () => {
    const one = await keyPair('one');
    const attacker = await keyPair('one'); // same kid, different key
    const jwks = await jwksServer([one.jwk]);
    const auth = new JwtAuthenticator(esConfig(jwks.url), process.cwd(), 1);
    const good = await sign(one, 'one');
    expect((await auth.authenticate(bearer(good))).ok).toBe(true);
    await sleep(5);

    const forged = failure(await auth.authenticate(bearer(await sign(attacker, 'one', 'mallory'))));
    expect(forged.reason).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');

    const [h, , s] = good.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', groups: ['*'], roles: ['admin'] })).toString(
      'base64url',
    );
    failure(await auth.authenticate(bearer(`${h}.${payload}.${s}`)));

    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'one' })
      .setSubject('mallory')
      .sign(new TextEncoder().encode(JSON.stringify(one.jwk)));
    expect(failure(await auth.authenticate(bearer(hs))).reason).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(jwks.fetches).toBe(1);
  });
});

describe('JWKS through the gateway', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('serves /api/v1/queries to a JWKS-verified bearer, fetching the JWKS once', async () => {
    const one = await keyPair('one');
    const two = await keyPair('two');
    const jwks = await jwksServer([one.jwk]);
    gw = await startGateway(
      testConfig([{ name: 'trino-adhoc', url: 'http://127.0.0.1:9' }], {
        auth: {
          mode: 'password',
          jwt: { enabled: true, jwksUrl: jwks.url, algorithms: ['ES256'] },
        },
      }),
    );
    expect(jwks.fetches).toBe(0); // fetched on demand, not at start-up

    const get = (token?: string) =>
      fetch(`${gw!.url}/api/v1/queries`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const tokOne = await sign(one, 'one', 'gina');
    for (let i = 0; i < 10; i++) {
      const res = await get(tokOne);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ queries: [] });
    }
    expect(jwks.fetches).toBe(1);

    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');

    // Forged signature for a known kid: 401, no fetch.
    const forger = await keyPair('one');
    expect((await get(await sign(forger, 'one', 'gina'))).status).toBe(401);

    // The gateway keeps jose's default 30 s cooldown: a kid published right after the first fetch is
    // refused (and not fetched for) until the cooldown passes — an unknown kid cannot hammer the IdP.
    jwks.keys = [one.jwk, two.jwk];
    expect((await get(await sign(two, 'two', 'gina'))).status).toBe(401);
    expect(jwks.fetches).toBe(1);

    // The JWKS endpoint going down does not break requests with known keys, nor crash anything.
    jwks.status = 503;
    expect((await get(tokOne)).status).toBe(200);
    expect(jwks.fetches).toBe(1);
  });
});
