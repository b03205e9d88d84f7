import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRewriteContext, rewriteBackendUrl } from '../../src/proxy/url-rewrite.js';

const ctx = makeRewriteContext(['http://10.0.0.5:8080'], 'https://gw.example', 'H.sig');

/** The split/join version rewriteBackendUrl replaced on the hot path; the two must agree everywhere. */
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
    return rewriteBackendUrl(url, ctx);
  }
  return { url: ctx.publicUrl + rest };
}

describe('rewriteBackendUrl statement follow-ups', () => {
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
        expect(rewriteBackendUrl(url, ctx)).toEqual(reference(url));
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
    expect(rewriteBackendUrl(url, ctx)).toEqual(reference(url));
  });
});
