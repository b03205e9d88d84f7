import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { parseChallenges } from '../helpers/oidc-trino-client.js';

const ID = '8d3c2a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f';
const HASH = 'b'.repeat(64);

/**
 * A cluster running its own OAuth2 that does not build the gateway's URLs (no processForwarded): its
 * challenge still reaches the client on the gateway, but its sign-in would send the IdP back to its own
 * address, where the code exchange must happen too. The gateway refuses to start that sign-in, naming the
 * setting, instead of sending the browser anywhere.
 */
describe('OAuth2 pass-through to a cluster that builds its own URLs', () => {
  let cluster: http.Server;
  let origin = '';
  let gw: TestGateway;

  beforeAll(async () => {
    cluster = http.createServer((req, res) => {
      if (req.url === '/v1/info')
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ nodeVersion: { version: '476' }, coordinator: true, starting: false }));
      if (req.url === '/v1/statement')
        return void res
          .writeHead(401, {
            'content-type': 'text/plain',
            'www-authenticate': `Bearer x_redirect_server="${origin}/oauth2/token/initiate/${HASH}", x_token_server="${origin}/oauth2/token/${ID}"`,
          })
          .end('Unauthorized');
      if (req.url === `/oauth2/token/initiate/${HASH}`)
        return void res
          .writeHead(303, {
            location: `https://idp.example/auth?response_type=code&client_id=trino&redirect_uri=${encodeURIComponent(`${origin}/oauth2/callback`)}&state=s1`,
          })
          .end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => cluster.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(cluster.address() as AddressInfo).port}`;
    gw = await startGateway(testConfig([{ name: 'own-urls', url: origin }]));
  });
  afterAll(async () => {
    await gw?.stop();
    await new Promise((r) => cluster.close(r));
  });

  it('rewrites the challenge to the gateway, and refuses to start a sign-in that would not return to it', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'x-trino-user': 'alice' },
    });
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate')!;
    expect(header).not.toContain(origin);
    const bearer = parseChallenges([header])[0];
    const start = await fetch(bearer.params.x_redirect_server, { redirect: 'manual' });
    expect(start.status).toBe(502);
    expect(start.headers.get('location')).toBeNull();
    expect(start.headers.get('set-cookie')).toBeNull();
    const page = await start.text();
    expect(page).toContain('backends[].processForwarded');
    expect(page).not.toContain(origin);
  });
});
