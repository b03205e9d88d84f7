import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResult } from '../../src/auth/authenticator.js';
import {
  PASSWORD_PATH,
  SIGN_IN_PATH,
  signInPage,
  tokenCookie,
  tokenSignIn,
  UI_TOKEN,
  useTokenCookie,
  type SignInPageOptions,
} from '../../src/proxy/ui-sign-in.js';
import { listen, type Server } from '../helpers/http-pair.js';

const GOOD = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.sig-_~+/=';
const req = (headers: Record<string, string>) => ({ headers: { ...headers } }) as unknown as IncomingMessage;

describe('tokenCookie', () => {
  it('keeps the token for /ui only, HttpOnly, SameSite=Lax; Secure and Max-Age when asked', () => {
    expect(tokenCookie('t', false)).toBe(`${UI_TOKEN}=t; Path=/ui; HttpOnly; SameSite=Lax`);
    expect(tokenCookie('', true, '/gw', 0)).toBe(
      'switchyard_ui_token=; Path=/gw/ui; HttpOnly; SameSite=Lax; Secure; Max-Age=0',
    );
  });
});

describe('useTokenCookie', () => {
  it('turns the cookie into a Bearer header when the request has no Authorization', () => {
    const r = req({ cookie: `a=1; ${UI_TOKEN}=${GOOD}` });
    expect(useTokenCookie(r)).toBe(true);
    expect(r.headers.authorization).toBe(`Bearer ${GOOD}`);
  });

  it("never replaces the request's own Authorization", () => {
    const r = req({ authorization: 'Basic x', cookie: `${UI_TOKEN}=${GOOD}` });
    expect(useTokenCookie(r)).toBe(false);
    expect(r.headers.authorization).toBe('Basic x');
  });

  it('ignores no cookie, an empty one, one with characters no token has, and one over 8192 characters', () => {
    for (const cookie of [
      'a=1',
      `${UI_TOKEN}=`,
      `${UI_TOKEN}=a b`,
      `${UI_TOKEN}=a"b`,
      `${UI_TOKEN}=${'a'.repeat(8193)}`,
    ]) {
      const r = req({ cookie });
      expect(useTokenCookie(r), cookie.slice(0, 40)).toBe(false);
      expect(r.headers.authorization).toBeUndefined();
    }
    expect(useTokenCookie(req({ cookie: `${UI_TOKEN}=${'a'.repeat(8192)}` }))).toBe(true);
  });
});

describe('signInPage and tokenSignIn', () => {
  let s: Server;
  let page: (res: import('node:http').ServerResponse, req: IncomingMessage) => void;
  beforeAll(async () => {
    s = await listen((q, r) => page(r, q));
  });
  afterAll(() => s.close());

  const show = async (o: SignInPageOptions, status?: number, note?: string, challenge?: string) => {
    page = (res) => signInPage(res, o, status, note, challenge);
    const res = await fetch(s.url);
    return { res, html: await res.text() };
  };

  it('offers single sign-on, a token form and the password way, as configured', async () => {
    const all = await show({ oidcUrl: '/oidc/ui/login?x=1&y="2"', basic: true, tokens: true });
    expect(all.res.status).toBe(401);
    expect(all.html).toContain('<a id="sso" href="/oidc/ui/login?x=1&#38;y=&#34;2&#34;">');
    expect(all.html).toContain(`<form method="post" action="${SIGN_IN_PATH}">`);
    expect(all.html).toContain(`<a id="password" href="${PASSWORD_PATH}">`);
    const basicOnly = await show({ basic: true, tokens: false }, 401, undefined, 'Basic realm="Trino"');
    expect(basicOnly.html).not.toContain('id="sso"');
    expect(basicOnly.html).not.toContain('<form');
    expect(basicOnly.html).toContain('answer the browser’s password prompt');
    expect(basicOnly.res.headers.get('www-authenticate')).toBe('Basic realm="Trino"');
    const tokensOnly = await show({ basic: false, tokens: true }, 403, 'a <note>');
    expect(tokensOnly.res.status).toBe(403);
    expect(tokensOnly.html).toContain('a &#60;note&#62;');
    expect(tokensOnly.html).not.toContain('password');
    expect(tokensOnly.res.headers.get('www-authenticate')).toBeNull();
  });

  describe('a pasted token', () => {
    const checked: string[] = [];
    const check = async (authorization: string): Promise<AuthResult> => {
      checked.push(authorization);
      return authorization === `Bearer ${GOOD}`
        ? ({ ok: true, principal: { name: 'alice' } } as AuthResult)
        : ({ ok: false, status: 401, message: 'signature invalid' } as AuthResult);
    };
    const paste = (body: string, secure = true) => {
      page = (res, q) =>
        void tokenSignIn(q, res, check, { basic: false, tokens: true, secure, prefix: '/gw' });
      return fetch(s.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    };

    it('that the gateway accepts sets the cookie and sends the browser to /ui/', async () => {
      const res = await paste(new URLSearchParams({ token: `  ${GOOD}\n` }).toString());
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/gw/ui/');
      expect(res.headers.get('set-cookie')).toBe(tokenCookie(GOOD, true, '/gw'));
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(checked.at(-1)).toBe(`Bearer ${GOOD}`);
    });

    it('that the gateway refuses gets the page with the reason, no cookie, and never the token echoed', async () => {
      const res = await paste('token=not.the.right-token');
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      const html = await res.text();
      expect(html).toContain('The gateway did not accept that token: signature invalid');
      expect(html).not.toContain('not.the.right-token');
    });

    it('that is no token is refused with 400 without checking it', async () => {
      const before = checked.length;
      for (const body of [
        '',
        'token=',
        'token=Bearer%20abc',
        'token=a%22b',
        'other=x',
        `token=${'a'.repeat(8193)}`,
      ]) {
        const res = await paste(body);
        expect(res.status, body.slice(0, 30)).toBe(400);
        expect(await res.text()).toContain('That was not a token.');
      }
      expect(checked.length).toBe(before);
    });

    it('over 16 KiB is refused with 400 before it is read whole', async () => {
      const res = await paste(`token=${'a'.repeat(16 * 1024)}`);
      expect(res.status).toBe(400);
    });
  });
});
