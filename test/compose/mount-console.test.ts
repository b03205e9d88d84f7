import Database from 'better-sqlite3';
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

/**
 * The console as mountConsole wires it into the gateway: a logout outlives a restart (kept in the settings
 * table), the cookie stays on TLS, and the OIDC sign-in routes are there only with auth.oidc.
 */
describe('mountConsole', () => {
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

  it('signs in despite a stored list of logouts that is not JSON (it counts as empty)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-session-'));
    const cfg = testConfig([], { database: { path: join(dir, 'gw.db') }, auth: root });
    let gw = await startGateway(cfg);
    await gw.stop();
    const db = new Database(join(dir, 'gw.db'));
    db.prepare("INSERT INTO settings (key, value) VALUES ('console-revoked-sessions', '{oops')").run();
    db.close();
    gw = await startGateway(cfg);
    try {
      const res = await signIn(gw.url);
      expect(res.status).toBe(303);
      const cookie = `sy_console=${sessionOf(res)}`;
      expect((await fetch(`${gw.url}/console`, { redirect: 'manual', headers: { cookie } })).status).toBe(
        200,
      );
    } finally {
      await gw.stop();
    }
  });

  it('mounts the OIDC sign-in routes only with auth.oidc', async () => {
    const plain = await startGateway(testConfig([], { auth: root }));
    const sso = await startGateway(
      testConfig([], {
        auth: {
          ...root,
          oidc: {
            issuer: 'http://127.0.0.1:9',
            clientId: 'gw',
            clientSecret: 'cs',
            requestTimeoutSeconds: 1,
          },
        },
      }),
    );
    try {
      const none = await fetch(`${plain.url}/oidc/console/login`);
      expect(none.status).toBe(404);
      expect(await none.json()).toEqual({ message: 'no route for GET /oidc/console/login' });
      const login = await (await fetch(`${plain.url}/console/login`)).text();
      expect(login).not.toContain('/oidc/console/login');
      const down = await fetch(`${sso.url}/oidc/console/login`, { redirect: 'manual' });
      expect(down.status).toBe(503); // mounted; its IdP cannot be reached
      expect(await down.text()).toContain('Identity provider unavailable');
      expect(await (await fetch(`${sso.url}/console/login`)).text()).toContain('/oidc/console/login');
    } finally {
      await Promise.all([plain.stop(), sso.stop()]);
    }
  });
});
