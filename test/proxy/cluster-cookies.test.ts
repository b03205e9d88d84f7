import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { incomingCookies, rewriteSetCookie, tagOf } from '../../src/proxy/cluster-cookies.js';

const a = { name: 'trino-a' } as Backend;
const b = { name: 'trino-b' } as Backend;
const ta = tagOf(a);

describe('cluster cookies through one gateway origin', () => {
  it('gives two clusters different tags, the same on every call', () => {
    expect(tagOf(a)).toMatch(/^sy[0-9a-f]{8}-$/);
    expect(tagOf(a)).toBe(ta);
    expect(tagOf(b)).not.toBe(ta);
  });

  it.each([
    ['Trino-UI-Token=t1; Path=/ui; HttpOnly', '', `${ta}Trino-UI-Token=t1; Path=/ui; HttpOnly`],
    // The prefix a browser enforces stays first.
    [
      '__Secure-Trino-OAuth2-Token=x; Path=/ui/; Secure; HttpOnly',
      '',
      `__Secure-${ta}Trino-OAuth2-Token=x; Path=/ui/; Secure; HttpOnly`,
    ],
    ['__Host-k=v; Path=/; Secure', '', `__Host-${ta}k=v; Path=/; Secure`],
    // Domain names the cluster's host: dropped. A path prefix of the public URL goes in front.
    ['k=v; Domain=trino.internal; Path=/ui', '/gw', `${ta}k=v; Path=/gw/ui`],
    ['k=v', '/gw', `${ta}k=v; Path=/gw/`],
  ])('rewrites %s (prefix %j)', (line, prefix, want) => {
    expect(rewriteSetCookie(line, a, prefix)).toBe(want);
  });

  it.each([['=v'], ['bad name=v'], ['']])('drops a Set-Cookie whose name is no token: %j', (line) => {
    expect(rewriteSetCookie(line, a, '')).toBeUndefined();
  });

  it('passes a cluster only its own cookies, under their own names; never the gateway’s or another cluster’s', () => {
    const header = [
      'switchyard_ui=pin',
      'switchyard_ui_token=secret',
      'sy_console=session',
      `${ta}Trino-UI-Token=mine`,
      `${tagOf(b)}Trino-UI-Token=theirs`,
      `__Secure-${ta}Trino-OAuth2-Token=tok`,
      'Trino-UI-Token=made-up',
    ].join('; ');
    expect(incomingCookies(header, a)).toBe('Trino-UI-Token=mine; __Secure-Trino-OAuth2-Token=tok');
    expect(incomingCookies(header, b)).toBe('Trino-UI-Token=theirs');
    expect(incomingCookies('switchyard_ui=pin', a)).toBeUndefined();
    expect(incomingCookies(undefined, a)).toBeUndefined();
  });
});
