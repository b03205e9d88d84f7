import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyDeps } from '../../src/compose/create-proxy.js';
import { createLogger } from '../../src/observability/logger.js';
import { FailedQueries } from '../../src/proxy/failed-queries.js';
import { proxyContext } from '../../src/proxy/proxy-deps.js';
import { RewriteContexts } from '../../src/proxy/rewrite-contexts.js';
import { proxyFixture, type ProxyFixture } from '../helpers/proxy-context.js';

describe('proxyContext', () => {
  let f: ProxyFixture;
  beforeAll(async () => {
    f = await proxyFixture([{ name: 'a', url: 'http://127.0.0.1:9' }]);
  });
  afterAll(async () => f?.close());

  const cx = (publicUrl: string, level = 'info') =>
    proxyContext({ ...proxyDeps(f.s), publicUrl, logger: createLogger({ level }) });

  it('derives the public path prefix, without trailing slashes', () => {
    expect(cx('https://gw.example').prefix).toBe('');
    expect(cx('https://gw.example/').prefix).toBe('');
    expect(cx('https://gw.example/trino').prefix).toBe('/trino');
    expect(cx('https://gw.example/a/b//').prefix).toBe('/a/b');
  });

  it('keeps every dependency as given', () => {
    const deps = proxyDeps(f.s);
    const c = proxyContext(deps);
    for (const [k, v] of Object.entries(deps)) expect(c[k as keyof typeof c], k).toBe(v);
  });

  it('builds its rewrite contexts and failed-query store once, per context', () => {
    const c = cx('https://gw.example');
    expect(c.rewrites).toBeInstanceOf(RewriteContexts);
    expect(c.failed).toBeInstanceOf(FailedQueries);
    expect(cx('https://gw.example').failed).not.toBe(c.failed);
  });

  it('decides once whether per-request lines are written: at debug level only', () => {
    expect(cx('http://gw', 'info').debug).toBe(false);
    expect(cx('http://gw', 'debug').debug).toBe(true);
    expect(cx('http://gw', 'trace').debug).toBe(true);
  });
});
