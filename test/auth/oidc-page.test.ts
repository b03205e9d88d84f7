import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { logPath, page, trinoError } from '../../src/auth/oidc-page.js';

describe('page', () => {
  const app = new Hono().get('/p', (c) => page(c, 403, `Tom & "Jerry"`, `<script>alert('x')</script>`));

  it('answers a readable HTML page with the status, title and message escaped', async () => {
    const r = await app.request('/p');
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await r.text();
    expect(html).toContain('<title>Tom &#38; &#34;Jerry&#34; · Switchyard</title>');
    expect(html).toContain('<h1>Tom &#38; &#34;Jerry&#34;</h1>');
    expect(html).toContain('<p>&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;</p>');
    expect(html).not.toContain('<script>');
  });

  it('runs no script, is never framed, never cached and sends no referrer', async () => {
    const h = (await app.request('/p')).headers;
    expect(h.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(h.get('cache-control')).toBe('no-store');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('x-frame-options')).toBe('DENY');
    expect(h.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('trinoError', () => {
  it("answers Trino's error JSON, never cached", async () => {
    const app = new Hono().get('/e', (c) => trinoError(c, 410, 'NOT_FOUND', 'gone already'));
    const r = await app.request('/e');
    expect(r.status).toBe(410);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await r.json()).toEqual({
      message: 'gone already',
      errorCode: 5, // StandardErrorCode.NOT_FOUND
      errorName: 'NOT_FOUND',
      errorType: 'USER_ERROR',
    });
  });
});

describe('logPath', () => {
  it('hides the token-server id, which is the client’s secret for its token', () => {
    expect(logPath('/oidc/token/abc.def.ghi')).toBe('/oidc/token/{id}');
    expect(logPath('/oidc/token/')).toBe('/oidc/token/{id}');
  });

  it('keeps every other path, the initiate link (it holds only a hash) included', () => {
    for (const p of [
      '/oidc/token/initiate/x.y.z',
      '/oidc/callback',
      '/oidc/tokens',
      '/api/v1/oidc/token/x',
      '/',
    ])
      expect(logPath(p)).toBe(p);
  });
});
