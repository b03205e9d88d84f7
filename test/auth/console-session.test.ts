import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type ConfigObject, type TestGateway } from '../helpers/start-gateway.js';

/** signIn posts the console's sign-in form and returns the response (its Set-Cookie headers intact). */
async function signIn(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const page = await fetch(`${url}/console/login`, { headers });
  const nonce = /sy_login=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  return fetch(`${url}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie: `sy_login=${nonce}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      user: 'root',
      password: 's3cret',
      _csrf: token,
      next: '/console',
    }).toString(),
  });
}

const sessionOf = (res: Response) => /sy_console=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1];

/** A console session, as the browser holds it: a logout outlives a restart, and the cookie stays on TLS. */
describe('console sessions', () => {
  let root: ConfigObject;
  beforeAll(async () => {
    root = {
      mode: 'password',
      users: [
        { name: 'root', passwordHash: await hashPassword('s3cret'), roles: ['admin', 'user'], groups: ['*'] },
      ],
    };
  });

  it('remembers a logout across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-session-'));
    const cfg = testConfig([], { database: { path: join(dir, 'gw.db') }, auth: root });
    let gw: TestGateway = await startGateway(cfg);
    const cookie = `sy_console=${sessionOf(await signIn(gw.url))}`;
    const dashboard = (url: string) => fetch(`${url}/console`, { redirect: 'manual', headers: { cookie } });
    expect((await dashboard(gw.url)).status).toBe(200);
    const page = await (await dashboard(gw.url)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    const out = await fetch(`${gw.url}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect((await dashboard(gw.url)).status).toBe(303);
    await gw.stop();
    gw = await startGateway(cfg);
    try {
      const after = await dashboard(gw.url);
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toMatch(/^\/console\/login/);
    } finally {
      await gw.stop();
    }
  });

  describe('cookies behind a TLS-terminating proxy', () => {
    let gw: TestGateway;
    let pub: TestGateway;
    beforeAll(async () => {
      gw = await startGateway(
        testConfig([], { server: { host: '127.0.0.1', port: 0, trustedProxies: ['127.0.0.1'] }, auth: root }),
      );
      pub = await startGateway(
        testConfig([], {
          server: { host: '127.0.0.1', port: 0, publicUrl: 'https://gw.example.com' },
          auth: root,
        }),
      );
    });
    afterAll(async () => {
      await gw?.stop();
      await pub?.stop();
    });

    const secure = (res: Response) =>
      res.headers.getSetCookie().filter((c) => c.startsWith('sy_console='))[0];

    it('marks them Secure when a trusted proxy says the client used https', async () => {
      const res = await signIn(gw.url, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.0.0.5' });
      expect(res.status).toBe(303);
      expect(secure(res)).toMatch(/; Secure/);
      const plain = await signIn(gw.url, { 'x-forwarded-for': '10.0.0.6' });
      expect(secure(plain)).not.toMatch(/; Secure/);
    });

    it('marks them Secure when the public URL is https', async () => {
      const res = await signIn(`http://127.0.0.1:${pub.services.config.server.port}`);
      expect(secure(res)).toMatch(/; Secure/);
    });
  });
});
