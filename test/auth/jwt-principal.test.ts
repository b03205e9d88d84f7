import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtConfig } from '../helpers/jwt-config.js';
import { parseConfig } from '../../src/config/load.js';
import { JwtAuthenticator } from '../../src/auth/jwt.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const SECRET = 'a-shared-secret-of-32-characters!!';
const sign = (sub: string, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

/** A token user is a full principal: IdP groups mapped to routing groups, a default group, impersonation. */
describe('JWT principals', () => {
  let adhoc: TrinoEmulator;
  let etl: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    // One rule on the user a query runs as: the X-Trino-User header, which the gateway has checked and set.
    const rulesDir = mkdtempSync(join(tmpdir(), 'sy-rules-'));
    writeFileSync(
      join(rulesDir, 'runs-as.yaml'),
      '- name: frank-runs-on-etl\n  condition: { header: { name: X-Trino-User, equals: frank } }\n  actions: { routeTo: etl }\n',
    );
    adhoc = await TrinoEmulator.start({ name: 'trino-adhoc' });
    etl = await TrinoEmulator.start({ name: 'trino-etl' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-adhoc', url: adhoc.url },
          { name: 'trino-etl', url: etl.url, group: 'etl' },
        ],
        {
          routing: { defaultGroup: 'adhoc', rulesDir },
          auth: {
            mode: 'password',
            jwt: {
              enabled: true,
              secret: SECRET,
              algorithms: ['HS256'],
              groupMap: { 'idp-data-eng': ['adhoc', 'etl'], 'idp-analysts': ['adhoc'] },
              defaultGroupClaim: 'default_group',
              impersonation: [{ originalUser: 'svc-superset', newUser: '.*' }],
            },
          },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([adhoc?.stop(), etl?.stop()]);
  });

  /** run submits SELECT current_cluster() and follows it to the end: the cluster's name, or the refusal. */
  async function run(token: string, headers: Record<string, string> = {}) {
    const auth = { authorization: `Bearer ${token}`, ...headers };
    let res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT current_cluster()',
      headers: auth,
    });
    if (res.status !== 200)
      return { status: res.status, message: ((await res.json()) as { message: string }).message };
    for (;;) {
      const page = (await res.json()) as { nextUri?: string; data?: string[][] };
      if (page.data) return { status: 200, cluster: page.data[0][0] };
      if (!page.nextUri) throw new Error('no data');
      res = await fetch(page.nextUri, { headers: auth });
    }
  }

  it('maps IdP groups to routing groups and honours the default-group claim', async () => {
    const dana = await sign('dana', { groups: ['idp-data-eng'], default_group: 'etl' });
    expect(await run(dana)).toEqual({ status: 200, cluster: 'trino-etl' });
    expect(await run(dana, { 'x-trino-routing-group': 'adhoc' })).toEqual({
      status: 200,
      cluster: 'trino-adhoc',
    });
    const ann = await sign('ann', { groups: ['idp-analysts'] });
    expect(await run(ann)).toEqual({ status: 200, cluster: 'trino-adhoc' });
    const refused = await run(ann, { 'x-trino-routing-group': 'etl' });
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('etl');
    // A claim value the map does not list stays a group name: here one that grants nothing.
    const nobody = await run(await sign('nobody', { groups: ['idp-unknown'] }));
    expect(nobody.status).toBe(403);
  });

  it('lets a token user with an impersonation rule run as another user, and no one else', async () => {
    const svc = await sign('svc-superset', { groups: ['idp-data-eng'] });
    // Rules see the user the query runs as in X-Trino-User (here: frank, routed to etl)…
    expect(await run(svc, { 'x-trino-user': 'frank' })).toEqual({ status: 200, cluster: 'trino-etl' });
    expect(etl.requests.filter((r) => r.method === 'POST').at(-1)?.headers['x-trino-user']).toBe('frank');
    expect(await run(svc, { 'x-trino-user': 'grace' })).toEqual({ status: 200, cluster: 'trino-adhoc' });
    // …and a query naming nobody runs as the token user, whom no rule sends elsewhere.
    expect(await run(svc)).toEqual({ status: 200, cluster: 'trino-adhoc' });
    const dana = await sign('dana', { groups: ['idp-data-eng'] });
    const spoof = await run(dana, { 'x-trino-user': 'frank' });
    expect(spoof.status).toBe(403);
    expect(spoof.message).toContain('dana');
  });

  it("refuses a statement carrying another group's transaction id to a user who may not use that group", async () => {
    const dana = await sign('dana', { groups: ['idp-data-eng'], default_group: 'etl' });
    let res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'START TRANSACTION',
      headers: { authorization: `Bearer ${dana}` },
    });
    let txn = res.headers.get('x-trino-started-transaction-id');
    for (let page = (await res.json()) as { nextUri?: string }; !txn && page.nextUri;) {
      res = await fetch(page.nextUri, { headers: { authorization: `Bearer ${dana}` } });
      txn = res.headers.get('x-trino-started-transaction-id');
      page = (await res.json()) as { nextUri?: string };
    }
    expect(txn).toBeTruthy();
    const ann = await sign('ann', { groups: ['idp-analysts'] });
    const refused = await run(ann, { 'x-trino-transaction-id': txn! });
    expect(refused.status).toBe(403);
    expect(refused.message).toContain("routing group 'etl'");
    expect(await run(dana, { 'x-trino-transaction-id': txn! })).toEqual({
      status: 200,
      cluster: 'trino-etl',
    });
  });

  it('refuses impersonation patterns that are not regular expressions at load', () => {
    expect(() =>
      parseConfig(
        'auth: { jwt: { enabled: true, secret: "a-shared-secret-of-32-characters!!", algorithms: [HS256], impersonation: [{ originalUser: "(", newUser: ".*" }] } }',
      ),
    ).toThrow(/originalUser[\s\S]*regular expression/);
  });

  it('verifies every allowed algorithm that fits a public key file, not only the first', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = mkdtempSync(join(tmpdir(), 'sy-jwt-'));
    writeFileSync(join(dir, 'key.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const auth = new JwtAuthenticator(
      jwtConfig({ publicKeyFile: 'key.pem', algorithms: ['RS256', 'PS256'] }),
      dir,
    );
    for (const alg of ['RS256', 'PS256']) {
      const t = await new SignJWT({})
        .setProtectedHeader({ alg })
        .setSubject(alg)
        .setExpirationTime('5m')
        .sign(privateKey);
      const r = await auth.authenticate({ headers: {}, remoteAddress: '1.1.1.1' }, t);
      expect(r.ok, alg).toBe(true);
    }
  });
});
