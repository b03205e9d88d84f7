import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jwtConfig } from '../helpers/jwt-config.js';
import { parseConfig } from '../../src/config/load.js';
import { FailureLimiter, addressKey } from '../../src/auth/failure-limiter.js';
import type { AuthResult } from '../../src/auth/authenticator.js';
import { BasicAuthenticator } from '../../src/auth/basic.js';
import { hashPassword, verifyPassword } from '../../src/auth/password-hash.js';
import { userDirectory } from '../helpers/user-directory.js';

describe('password hashes', () => {
  it('verify the right password only, and never throw on malformed hashes', async () => {
    const h = await hashPassword('pw');
    expect(await verifyPassword('pw', h)).toBe(true);
    expect(await verifyPassword('PW', h)).toBe(false);
    for (const bad of [
      '',
      'plain',
      'scrypt$1$1$1$x$y',
      'scrypt$16385$8$1$aaaaaaaaaaaa$bbbbbbbbbbbbbbbbbbbb',
      h.slice(0, -3),
    ])
      expect(await verifyPassword('pw', bad)).toBe(false);
  });

  it('come from the hash-password CLI, which prints only the hash', () => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/hash-password.ts'], {
      input: 'secret\n',
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toMatch(/^scrypt\$[^\n]+$/);
    expect(out.stdout).not.toContain('secret');
    const empty = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/hash-password.ts'], {
      input: '\n',
      encoding: 'utf8',
    });
    expect(empty.status).toBe(2);
  });
});

describe('Basic verification cache', () => {
  it('pays the hash once per credential and TTL, and never serves a wrong password from it', async () => {
    let now = 0;
    const users = userDirectory([
      { name: 'a', passwordHash: await hashPassword('pw'), groups: [], roles: ['user'] },
    ]);
    const auth = new BasicAuthenticator(
      users,
      new FailureLimiter({ maxFailures: 100, windowSeconds: 60, blockSeconds: 60 }),
      1000,
      () => now,
    );
    const req = (pw: string) => ({
      headers: { authorization: `Basic ${Buffer.from(`a:${pw}`).toString('base64')}` },
      remoteAddress: '1.1.1.1',
    });
    expect((await auth.authenticate(req('pw'))).ok).toBe(true);
    // Cached: the user's hash is replaced by garbage, yet the same credential still passes within the TTL…
    users.users.get('a')!.passwordHash = 'garbage';
    expect((await auth.authenticate(req('pw'))).ok).toBe(false); // …no: the key includes the stored hash, so a changed hash misses
    expect((await auth.authenticate(req('wrong'))).ok).toBe(false);
    const freshUsers = userDirectory([
      { name: 'a', passwordHash: await hashPassword('pw'), groups: [], roles: ['user'] },
    ]);
    const fresh = new BasicAuthenticator(
      freshUsers,
      new FailureLimiter({ maxFailures: 100, windowSeconds: 60, blockSeconds: 60 }),
      1000,
      () => now,
    );
    expect((await fresh.authenticate(req('pw'))).ok).toBe(true);
    // Within the TTL the answer is there at once, not as a promise: a poll stays synchronous.
    const cached = fresh.authenticate(req('pw'));
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as AuthResult).ok).toBe(true);
    now = 2000; // past the TTL the credential is verified again (and still passes)
    const again = fresh.authenticate(req('pw'));
    expect(again).toBeInstanceOf(Promise);
    expect((await again).ok).toBe(true);
    // A removed user's credential stops passing at once, cached or not.
    freshUsers.users.delete('a');
    expect((await fresh.authenticate(req('pw'))).ok).toBe(false);
  });
});

describe('FailureLimiter', () => {
  const limiter = (now: { t: number }) =>
    new FailureLimiter({ maxFailures: 2, windowSeconds: 10, blockSeconds: 5 }, () => now.t);
  /** A failed login, and a successful one, as the authenticator reports them. */
  const failed = (l: FailureLimiter, address: string, user: string) => l.fail(l.attempt(address, user));
  const passed = (l: FailureLimiter, address: string, user: string) => l.succeed(l.attempt(address, user));

  it('blocks a user guessed at from one address there only, and lifts the block after its time', () => {
    const now = { t: 0 };
    const l = limiter(now);
    failed(l, '10.0.0.1', 'x');
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
    failed(l, '10.0.0.1', 'x');
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(5);
    expect(l.blockedFor('10.0.0.1', 'y')).toBe(0); // another user behind the same address
    expect(l.blockedFor('10.0.0.2', 'x')).toBe(0); // the same user elsewhere
    now.t = 6000;
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
  });

  it('blocks a user guessed at from many addresses, except where it logged in lately', () => {
    const now = { t: 0 };
    const l = limiter(now);
    passed(l, '10.0.0.9', 'x'); // the real user, at its usual address
    for (let i = 1; i <= 8; i++) failed(l, `10.0.1.${i}`, 'x'); // 8 = 4 × maxFailures, one per address
    expect(l.blockedFor('10.0.1.200', 'x')).toBe(5);
    expect(l.blockedFor('10.0.0.9', 'x')).toBe(0);
    expect(l.blockedFor('10.0.1.200', 'y')).toBe(0);
  });

  it('blocks an address spraying many users, except for users who logged in from it lately', () => {
    const now = { t: 0 };
    const l = limiter(now);
    passed(l, '10.0.0.1', 'colleague');
    for (let i = 1; i <= 8; i++) failed(l, '10.0.0.1', `u${i}`);
    expect(l.blockedFor('10.0.0.1', 'newcomer')).toBe(5);
    expect(l.blockedFor('10.0.0.1', 'colleague')).toBe(0);
    expect(l.blockedFor('10.0.0.2', 'newcomer')).toBe(0);
  });

  it('keeps a block for its whole time, whatever happens at familiar addresses meanwhile', () => {
    const now = { t: 0 };
    const l = new FailureLimiter({ maxFailures: 2, windowSeconds: 60, blockSeconds: 900 }, () => now.t);
    passed(l, '10.0.0.9', 'x');
    for (let i = 1; i <= 8; i++) failed(l, `10.0.1.${i}`, 'x');
    expect(l.blockedFor('10.0.1.200', 'x')).toBe(900);
    now.t = 61_000; // the window has passed, the block has not
    failed(l, '10.0.0.9', 'x'); // the real user mistypes at home
    expect(l.blockedFor('10.0.1.200', 'x')).toBeGreaterThan(800);
  });

  it('never lengthens or starts a block for a login that succeeds', () => {
    const now = { t: 0 };
    const l = limiter(now);
    passed(l, '10.0.0.1', 'bob'); // bob is familiar with the NAT address
    for (let i = 1; i <= 8; i++) failed(l, '10.0.0.1', `u${i}`); // a spray blocks it for 5 s
    expect(l.blockedFor('10.0.0.1', 'carol')).toBe(5);
    now.t = 4000;
    passed(l, '10.0.0.1', 'bob'); // bob keeps working there
    now.t = 5001;
    expect(l.blockedFor('10.0.0.1', 'carol')).toBe(0); // the block ended on time
    for (let i = 0; i < 10; i++) passed(l, `10.0.2.${i}`, 'y'); // ten successes are no failures
    expect(l.blockedFor('10.0.3.1', 'y')).toBe(0);
  });

  it('counts logins being checked against the limits, and lets them go when they end', () => {
    const now = { t: 0 };
    const l = limiter(now);
    const a1 = l.attempt('10.0.0.1', 'x');
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
    const a2 = l.attempt('10.0.0.1', 'x'); // two checks in flight: a third guess must wait
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(1);
    l.succeed(a1);
    l.succeed(a2);
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
  });

  it('counts an IPv6 client by its /64, which it usually holds whole', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    const l = limiter({ t: 0 });
    failed(l, '2001:db8:1:2::a', 'x');
    failed(l, '2001:db8:1:2::b', 'x'); // the same pair, from another address of the same /64
    expect(l.blockedFor('2001:db8:1:2::c', 'x')).toBe(5);
    expect(l.blockedFor('2001:db8:1:3::c', 'x')).toBe(0);
  });

  it('never lets a success withdraw a failure of a later window', () => {
    const now = { t: 0 };
    const l = new FailureLimiter(
      { maxFailures: 10, addressMaxFailures: 3, windowSeconds: 10, blockSeconds: 60 },
      () => now.t,
    );
    const early = l.attempt('10.0.0.1', 'mallory'); // her own valid login, in flight across the window's end
    now.t = 11_000;
    for (const u of ['a', 'b']) failed(l, '10.0.0.1', u);
    l.succeed(early);
    failed(l, '10.0.0.1', 'c'); // the third failure of the new window blocks the address
    expect(l.blockedFor('10.0.0.1', 'd')).toBe(60);
  });
});

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

describe('JWT keys', () => {
  it('verifies RS256 with a PEM file and ES256 from a JWKS fetched once, not refetched per request', async () => {
    const { generateKeyPair, exportSPKI, exportJWK, SignJWT } = await import('jose');
    const { JwtAuthenticator } = await import('../../src/auth/jwt.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const http = await import('node:http');
    const req = (t: string) => ({ headers: { authorization: `Bearer ${t}` }, remoteAddress: '' });

    const rsa = await generateKeyPair('RS256');
    const dir = mkdtempSync(join(tmpdir(), 'jwt-'));
    writeFileSync(join(dir, 'pub.pem'), await exportSPKI(rsa.publicKey));
    const pem = new JwtAuthenticator(jwtConfig({ publicKeyFile: 'pub.pem', algorithms: ['RS256'] }), dir);
    const rsTok = await new SignJWT({ groups: ['adhoc'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('dana')
      .setExpirationTime('1m')
      .sign(rsa.privateKey);
    const ok = await pem.authenticate(req(rsTok));
    expect(ok.ok && ok.principal.name).toBe('dana');
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('dana')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await pem.authenticate(req(hs))).ok).toBe(false);

    const k1 = await generateKeyPair('ES256');
    const k2 = await generateKeyPair('ES256');
    let keys = [{ ...(await exportJWK(k1.publicKey)), kid: 'one', alg: 'ES256' }];
    let fetches = 0;
    const server = http.createServer((_q, s) => {
      fetches++;
      s.setHeader('content-type', 'application/json');
      s.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/jwks`;
      const jwks = new JwtAuthenticator(jwtConfig({ jwksUrl: url, algorithms: ['ES256'] }), dir, 1);
      const sign = (key: CryptoKey | import('jose').KeyObject, kid: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid })
          .setSubject('erin')
          .setExpirationTime('1m')
          .sign(key);
      for (let i = 0; i < 5; i++)
        expect((await jwks.authenticate(req(await sign(k1.privateKey, 'one')))).ok).toBe(true);
      expect(fetches).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('sameSecret (the /metrics token check)', () => {
  it('compares in constant time whatever the lengths, and only the exact secret passes', async () => {
    const { sameSecret } = await import('../../src/auth/same-secret.js');
    expect(sameSecret('Bearer t0ken', 'Bearer t0ken')).toBe(true);
    for (const given of ['', 'Bearer t0ke', 'Bearer t0ken ', 'bearer t0ken', 'Bearer t0ken'.repeat(100)])
      expect(sameSecret(given, 'Bearer t0ken'), JSON.stringify(given)).toBe(false);
  });
});
