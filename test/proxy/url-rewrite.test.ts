import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRewriteContext } from '../../src/proxy/url-rewrite.js';
import { rewriteUrl } from '../helpers/rewrite-url.js';

const ctx = makeRewriteContext(['http://10.0.0.5:8080'], 'https://gw.example', 'H.sig');
/** A backend seen at two origins: its own, and the one it derived from the gateway's X-Forwarded-*. */
const twoOrigins = makeRewriteContext(
  ['http://10.0.0.5:8080', 'http://gw.example:8080'],
  'https://gw.example',
  'H.sig',
);

/** The split/join version rewriteUrl replaced on the hot path; the two must agree everywhere. */
function reference(url: string): { url: string; queryId?: string } | undefined {
  const o = ctx.origins[0];
  if (!(url.length > o.length && url.startsWith(o) && url.charCodeAt(o.length) === 47)) return undefined;
  const rest = url.slice(o.length);
  if (rest.startsWith('/v1/statement/')) {
    const parts = rest.split('/');
    const partial = parts[4] === 'partialCancel';
    const slugIndex = partial ? 7 : 5;
    if (parts.length === slugIndex + 2 && !parts[slugIndex].includes('~')) {
      parts[slugIndex] = `${parts[slugIndex]}~${ctx.handle}`;
      // An empty query id is no id: the scanner takes only a non-empty one.
      return { url: ctx.publicUrl + parts.join('/'), queryId: parts[partial ? 5 : 4] || undefined };
    }
  } else if (rest.startsWith('/v1/spooled/')) {
    return rewriteUrl(url, ctx);
  }
  return { url: ctx.publicUrl + rest };
}

describe('rewriteUrl statement follow-ups', () => {
  const segment = fc.constantFrom(
    '',
    'q_1',
    'y9',
    '3',
    'partialCancel',
    'queued',
    'executing',
    'a~b',
    '~',
    'x',
  );
  const path = fc
    .array(segment, { maxLength: 11 })
    .map((segs) => `http://10.0.0.5:8080/v1/statement/${segs.join('/')}`);

  it('agrees with the split/join reference on any path shape', () => {
    fc.assert(
      fc.property(path, (url) => {
        expect(rewriteUrl(url, ctx)).toEqual(reference(url));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    '/v1/statement/executing/partialCancel/q_1/2/y9/3',
    '/v1/statement/queued/q_1/y9/1',
    '/v1/statement/executing/q_1/y9~H.x/1',
    '/v1/statement/executing/q_1/y9/1/extra',
    '/v1/statement/executing/partialCancel/q_1/y9/3',
  ])('agrees on %s', (p) => {
    const url = `http://10.0.0.5:8080${p}`;
    expect(rewriteUrl(url, ctx)).toEqual(reference(url));
  });
});

describe('protocol URLs', () => {
  it.each([
    [
      'http://10.0.0.5:8080/v1/statement/queued/20240101_000000_00001_abcde/y123/1',
      'https://gw.example/v1/statement/queued/20240101_000000_00001_abcde/y123~H.sig/1',
    ],
    [
      'http://10.0.0.5:8080/v1/statement/executing/20240101_000000_00001_abcde/y9/3',
      'https://gw.example/v1/statement/executing/20240101_000000_00001_abcde/y9~H.sig/3',
    ],
    [
      'http://gw.example:8080/v1/statement/executing/partialCancel/q_1/2/y9/3',
      'https://gw.example/v1/statement/executing/partialCancel/q_1/2/y9~H.sig/3',
    ],
    [
      'http://10.0.0.5:8080/v1/spooled/download/abc-DEF_1',
      'https://gw.example/v1/spooled/download/abc-DEF_1~H.sig',
    ],
    ['http://10.0.0.5:8080/v1/spooled/ack/abc?x=1', 'https://gw.example/v1/spooled/ack/abc~H.sig?x=1'],
    ['http://10.0.0.5:8080/ui/query.html?q_1', 'https://gw.example/ui/query.html?q_1'],
  ])('rewrites %s', (from, to) => {
    expect(rewriteUrl(from, twoOrigins)?.url).toBe(to);
  });

  it.each([
    'https://s3.amazonaws.com/bucket/segment?sig=1',
    'http://10.0.0.5:80801/v1/statement/queued/q/y/1',
    'http://10.0.0.50:8080/v1/statement/queued/q/y/1',
  ])('leaves URLs of other origins alone: %s', (url) => {
    expect(rewriteUrl(url, twoOrigins)).toBeUndefined();
  });

  it('reports the query id of statement URLs', () => {
    expect(rewriteUrl('http://10.0.0.5:8080/v1/statement/queued/q_42/y/1', twoOrigins)?.queryId).toBe('q_42');
  });
});
