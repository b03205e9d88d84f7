import { describe, expect, it } from 'vitest';
import { jwtConfig } from '../helpers/jwt-config.js';

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
