import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiLoginForm } from '../../src/proxy/ui-login.js';
import type { UserResolver } from '../../src/proxy/seams.js';
import { GatewayError } from '../../src/trino/errors.js';
import { listen, type Server } from '../helpers/http-pair.js';
import { principal } from '../helpers/routing-fixtures.js';

/** alice may act as herself and as svc_etl; no one else. */
const resolve: UserResolver = (p, requested) =>
  requested === undefined || requested === p.name || requested === 'svc_etl'
    ? { ok: true, user: requested ?? p.name }
    : { ok: false, status: 403, message: `Principal ${p.name} cannot become user ${requested}` };

describe('uiLoginForm', () => {
  let s: Server;
  beforeAll(async () => {
    s = await listen((req, res) => {
      uiLoginForm(req, principal('alice', ['*']), 'alice-from-headers', resolve).then(
        (form) => res.end(`${form.body(true).toString()}\n${form.body(false).toString()}`),
        (e: GatewayError) => res.writeHead(e.status).end(`${e.errorName}: ${e.message}`),
      );
    });
  });
  afterAll(() => s.close());

  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    fetch(`${s.url}/ui/login`, { method: 'POST', body, headers: { 'content-type': type } });

  it('keeps a username the principal may act as, and the other fields; without the password on request', async () => {
    const res = await post('username=svc_etl&password=secret&redirectPath=%2Fui%2F');
    expect(res.status).toBe(200);
    const [withPw, without] = (await res.text()).split('\n');
    expect(Object.fromEntries(new URLSearchParams(withPw))).toEqual({
      username: 'svc_etl',
      password: 'secret',
      redirectPath: '/ui/',
    });
    expect(Object.fromEntries(new URLSearchParams(without))).toEqual({
      username: 'svc_etl',
      redirectPath: '/ui/',
    });
  });

  it("puts the user the principal's headers decided into an empty or missing username", async () => {
    for (const body of ['username=&password=x', 'password=x']) {
      const [withPw] = (await (await post(body)).text()).split('\n');
      expect(new URLSearchParams(withPw).get('username')).toBe('alice-from-headers');
    }
  });

  it('refuses a username the principal may not act as, with 403', async () => {
    const res = await post('username=root&password=x');
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('PERMISSION_DENIED: Principal alice cannot become user root');
  });

  it('refuses another content type with 415', async () => {
    const res = await post('{"username":"root"}', 'application/json');
    expect(res.status).toBe(415);
    expect(await res.text()).toBe(
      'BAD_REQUEST: the UI login takes an application/x-www-form-urlencoded form',
    );
    expect((await post('username=alice', 'application/x-www-form-urlencoded; charset=UTF-8')).status).toBe(
      200,
    );
  });

  it('refuses a form over 16 KiB with 413, and takes one of 16 KiB', async () => {
    const pad = (n: number) => `username=alice&x=${'a'.repeat(n - 'username=alice&x='.length)}`;
    expect((await post(pad(16 * 1024))).status).toBe(200);
    const res = await post(pad(16 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('BAD_REQUEST: the UI login form is larger than 16384 bytes');
  });
});
