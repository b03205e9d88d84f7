import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, htmlPage } from '../../src/proxy/ui-pages.js';
import { listen, type Server } from '../helpers/http-pair.js';

describe('escapeHtml', () => {
  it('escapes the five characters that end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;',
    );
    expect(escapeHtml('plain text é')).toBe('plain text é');
  });
});

describe('htmlPage', () => {
  let s: Server;
  beforeAll(async () => {
    s = await listen();
  });
  afterAll(() => s.close());

  it('answers a small page, escaped, never framed, cached or scripted', async () => {
    s.handle = (_q, res) =>
      htmlPage(res, 403, 'No <access>', 'user "bob" & co', '<p>built</p>', { 'set-cookie': 'a=1' });
    const res = await fetch(s.url);
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<title>No &#60;access&#62; · Switchyard</title>');
    expect(html).toContain('<h1>No &#60;access&#62;</h1>');
    expect(html).toContain('<p>user &#34;bob&#34; &#38; co</p><p>built</p>');
    expect(html).not.toContain('<script');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(html)));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('form-action');
    expect(res.headers.get('set-cookie')).toBe('a=1');
  });

  it('cuts off a response whose head already went', async () => {
    s.handle = (_q, res) => {
      res.writeHead(200, { 'content-length': '50' });
      res.write('x');
      htmlPage(res, 500, 't', 'm');
    };
    await expect(fetch(s.url).then((r) => r.text())).rejects.toThrow();
  });
});
