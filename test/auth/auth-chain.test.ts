import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/auth-chain.js';
import type { AuthResult } from '../../src/auth/authenticator.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { userDirectory } from '../helpers/user-directory.js';

const SECRET = 'a-shared-secret-of-at-least-32-chars';

/** chain builds the gateway's authenticator from config text, over one user bob/pw. */
async function chain(authYaml: string) {
  const metrics = new Metrics();
  const users = userDirectory([
    { name: 'bob', passwordHash: await hashPassword('pw'), groups: ['adhoc'], roles: ['user'] },
  ]);
  const cfg = parseConfig(authYaml, { env: {} }).auth;
  const auth = createAuthenticator(cfg, { users, metrics, logger: silentLogger(), baseDir: '.' });
  const run = (headers: Record<string, string>): Promise<AuthResult> =>
    Promise.resolve(auth.authenticate({ headers, remoteAddress: '10.0.0.1' }));
  const failures = async () =>
    (await metrics.authFailures.get()).values.map((v) => `${v.labels.method}/${v.labels.reason}=${v.value}`);
  return { auth, run, failures };
}

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const jwt = (sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

describe('createAuthenticator, mode none', () => {
  it('trusts X-Trino-User (or X-Presto-User) as sent, with the configured header-user groups and roles', async () => {
    const { auth, run, failures } = await chain('auth: { mode: none, headerUsers: { groups: [adhoc] } }');
    expect(auth.followUpsNeedCredentials).toBe(false);
    expect(await run({ 'x-trino-user': 'anyone' })).toEqual({
      ok: true,
      principal: { name: 'anyone', groups: ['adhoc'], roles: ['user'], method: 'header' },
    });
    expect(await run({ 'x-presto-user': 'old' })).toMatchObject({ ok: true, principal: { name: 'old' } });
    expect(await run({})).toMatchObject({ ok: false, status: 401, reason: 'missing' });
    expect(await failures()).toEqual(['header/missing=1']);
  });
});

describe('createAuthenticator, password mode', () => {
  it('challenges Basic when no credential comes, and counts the failure by method and reason', async () => {
    const { auth, run, failures } = await chain('');
    expect(auth.followUpsNeedCredentials).toBe(true);
    expect(await run({ 'x-trino-user': 'bob' })).toEqual({
      ok: false,
      status: 401,
      reason: 'missing',
      message: 'Authentication required',
      challenge: 'Basic realm="Switchyard"',
    });
    expect(await failures()).toEqual(['none/missing=1']);
  });

  it.each([
    ['an unknown scheme', 'Negotiate abc'],
    ['Bearer while JWT is off', 'Bearer abc.def.ghi'],
    ['a bare word', 'garbage'],
  ])('refuses %s as an unsupported scheme', async (_what, authorization) => {
    const { run } = await chain('');
    expect(await run({ authorization })).toMatchObject({
      ok: false,
      status: 401,
      reason: 'scheme',
      challenge: 'Basic realm="Switchyard"',
    });
  });

  it('dispatches Basic on the scheme in any case to the user directory', async () => {
    const { run, failures } = await chain('');
    expect(await run({ authorization: basic('bob', 'pw') })).toMatchObject({
      ok: true,
      principal: { name: 'bob', method: 'basic' },
    });
    expect(await run({ authorization: basic('bob', 'pw').replace('Basic', 'bAsIc') })).toMatchObject({
      ok: true,
    });
    expect(await run({ authorization: basic('bob', 'wrong') })).toMatchObject({ ok: false, status: 401 });
    expect((await failures()).filter((f) => f.startsWith('basic/'))).toHaveLength(1);
  });

  it('with auth.jwt on, dispatches Bearer to JWT and challenges both schemes', async () => {
    const { run, failures } = await chain(
      `auth: { jwt: { enabled: true, secret: "${SECRET}", algorithms: [HS256] } }`,
    );
    expect(await run({ authorization: `Bearer ${await jwt('dana')}` })).toMatchObject({
      ok: true,
      principal: { name: 'dana', method: 'jwt' },
    });
    expect(await run({ authorization: basic('bob', 'pw') })).toMatchObject({
      ok: true,
      principal: { name: 'bob' },
    });
    expect(await run({})).toMatchObject({ challenge: 'Basic realm="Switchyard", Bearer realm="Switchyard"' });
    expect(await run({ authorization: 'Bearer not-a-jwt' })).toMatchObject({ ok: false, status: 401 });
    expect(await failures()).toEqual(expect.arrayContaining([expect.stringMatching(/^jwt\//)]));
  });

  it('with Basic off, challenges only Bearer and refuses Basic as an unsupported scheme', async () => {
    const { run } = await chain(
      `auth: { basic: { enabled: false }, jwt: { enabled: true, secret: "${SECRET}", algorithms: [HS256] } }`,
    );
    expect(await run({ authorization: basic('bob', 'pw') })).toMatchObject({
      ok: false,
      reason: 'scheme',
      challenge: 'Bearer realm="Switchyard"',
    });
  });
});
