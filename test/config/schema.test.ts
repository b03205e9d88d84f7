import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DEFAULT_SECRET_PATTERNS } from '../../src/catalogs/secrets.js';
import {
  backendSchema,
  catalogsSchema,
  databaseSchema,
  groupSchema,
  HEALTH_PROBES,
  healthSchema,
  historySchema,
  httpUrl,
  logSchema,
  metricsSchema,
  nameSchema,
  proxySchema,
  routingSchema,
  SELECTION_POLICIES,
  serverSchema,
} from '../../src/config/schema.js';

/** problems returns each issue as `path: message`, or [] when the value is valid. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
const ok = (schema: z.ZodType, value: unknown) => expect(problems(schema, value)).toEqual([]);
const refused = (schema: z.ZodType, value: unknown, path: string) => {
  const got = problems(schema, value);
  expect(got.length, `expected ${JSON.stringify(value)} to be refused`).toBeGreaterThan(0);
  expect(got[0].split(': ')[0]).toBe(path);
  return got[0];
};

describe('nameSchema', () => {
  it.each(['a', 'A9', 'trino-1', 'etl_nightly', 'x.y', '9lives', 'a'.repeat(128)])('takes %j', (n) =>
    ok(nameSchema, n),
  );

  it.each(['', '-a', '_a', '.a', 'a b', 'a/b', 'ä', 'a'.repeat(129), 'a\n'])('refuses %j', (n) => {
    refused(nameSchema, n, '');
  });

  it('names what a name may hold', () => {
    expect(problems(nameSchema, 'a b')).toEqual([': a name of letters, digits, ".", "_" or "-"']);
  });
});

describe('httpUrl', () => {
  it.each(['http://x', 'https://x:8443/p?q', 'HTTPS://X'])('takes %j', (u) => ok(httpUrl, u));
  it.each(['ftp://x', 'x', '', 'file:///etc/passwd', 'ws://x'])('refuses %j', (u) => {
    refused(httpUrl, u, '');
  });
  it('says why a URL of another scheme is refused', () => {
    expect(problems(httpUrl, 'ftp://x')).toEqual([': an http:// or https:// URL']);
  });
});

describe('serverSchema', () => {
  it('fills the documented defaults', () => {
    expect(serverSchema.parse({})).toEqual({
      host: '0.0.0.0',
      port: 8080,
      trustedProxies: [],
      maxHeaderBytes: 2 * 1024 * 1024,
      headersTimeoutSeconds: 10,
      requestTimeoutSeconds: 30,
      idleTimeoutSeconds: 180,
      keepAliveTimeoutSeconds: 65,
      shutdownGraceSeconds: 30,
      acceptQueueSize: 8000,
      workers: 1,
    });
  });

  it.each<[string, number, number]>([
    ['port', 0, 65535],
    ['maxHeaderBytes', 1024, 16 * 1024 * 1024],
    ['acceptQueueSize', 1, 65_535],
    ['workers', 1, 256],
    ['headersTimeoutSeconds', 0.1, 600],
    ['requestTimeoutSeconds', 0.1, 3600],
    ['idleTimeoutSeconds', 1, 3600],
    ['keepAliveTimeoutSeconds', 0.1, 3600],
    ['shutdownGraceSeconds', 0, 3600],
  ])('bounds %s to [%d, %d]', (key, min, max) => {
    ok(serverSchema, { [key]: min });
    ok(serverSchema, { [key]: max });
    const step = Number.isInteger(min) && Number.isInteger(max) ? 1 : 0.01;
    refused(serverSchema, { [key]: min - step }, key);
    refused(serverSchema, { [key]: max + 1 }, key);
  });

  it('refuses a fractional port and header limit; takes workers: auto and nothing else by name', () => {
    ok(serverSchema, { workers: 'auto' });
    refused(serverSchema, { workers: 'all' }, 'workers');
    refused(serverSchema, { port: 80.5 }, 'port');
    refused(serverSchema, { maxHeaderBytes: 2048.5 }, 'maxHeaderBytes');
  });

  it('takes trusted proxies as addresses and CIDRs, and refuses /0 and junk by position', () => {
    ok(serverSchema, { trustedProxies: ['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'] });
    expect(refused(serverSchema, { trustedProxies: ['10.0.0.1', '0.0.0.0/0'] }, 'trustedProxies.1')).toBe(
      'trustedProxies.1: an IP address or a CIDR narrower than /0 (e.g. 10.0.0.0/8)',
    );
    refused(serverSchema, { trustedProxies: ['lb.internal'] }, 'trustedProxies.0');
    refused(serverSchema, { trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies.0');
  });

  it('needs an affinity secret of 16 characters or more', () => {
    ok(serverSchema, { affinitySecret: 'x'.repeat(16) });
    refused(serverSchema, { affinitySecret: 'x'.repeat(15) }, 'affinitySecret');
  });

  it('needs both TLS files, and no other key', () => {
    ok(serverSchema, { tls: { cert: 'c.pem', key: 'k.pem' } });
    refused(serverSchema, { tls: { cert: 'c.pem' } }, 'tls.key');
    refused(serverSchema, { tls: { cert: '', key: 'k' } }, 'tls.cert');
    refused(serverSchema, { tls: { cert: 'c', key: 'k', ca: 'x' } }, 'tls');
    refused(serverSchema, { publicUrl: 'gw.example' }, 'publicUrl');
    refused(serverSchema, { prot: 1 }, '');
  });
});

describe('databaseSchema', () => {
  it('defaults to the SQLite file, without a URL', () => {
    expect(databaseSchema.parse({})).toEqual({
      path: './data/switchyard.db',
      poolSize: 10,
      connectTimeoutSeconds: 5,
      queryTimeoutSeconds: 10,
    });
  });

  it.each(['postgres://u:p@h:5432/db', 'postgresql://h/db', 'postgres://h'])('takes the URL %j', (url) =>
    ok(databaseSchema, { url }),
  );

  it.each(['mysql://h/db', 'postgres:/h', 'http://h', 'postgres://h db', ' postgres://h'])(
    'refuses the URL %j, saying what it must be',
    (url) => {
      expect(refused(databaseSchema, { url }, 'url')).toBe('url: must be a postgres:// or postgresql:// URL');
    },
  );

  it('refuses a URL of the right scheme that does not parse', () => {
    expect(refused(databaseSchema, { url: 'postgres://h:99999999/db' }, 'url')).toBe(
      'url: is not a valid URL',
    );
  });

  it('bounds the pool and the timeouts', () => {
    ok(databaseSchema, { poolSize: 1 });
    ok(databaseSchema, { poolSize: 200 });
    refused(databaseSchema, { poolSize: 0 }, 'poolSize');
    refused(databaseSchema, { poolSize: 201 }, 'poolSize');
    refused(databaseSchema, { poolSize: 2.5 }, 'poolSize');
    refused(databaseSchema, { connectTimeoutSeconds: 0.09 }, 'connectTimeoutSeconds');
    refused(databaseSchema, { connectTimeoutSeconds: 301 }, 'connectTimeoutSeconds');
    refused(databaseSchema, { queryTimeoutSeconds: 3601 }, 'queryTimeoutSeconds');
    refused(databaseSchema, { path: '' }, 'path');
  });
});

describe('routingSchema and groupSchema', () => {
  it('defaults the group to adhoc and leaves rulesDir unset', () => {
    expect(routingSchema.parse({})).toEqual({ defaultGroup: 'adhoc' });
    refused(routingSchema, { defaultGroup: 'a b' }, 'defaultGroup');
    refused(routingSchema, { rulesDir: '' }, 'rulesDir');
  });

  it('defaults a group to least-loaded with no fallback and no queue', () => {
    expect(groupSchema.parse({ name: 'etl' })).toEqual({ name: 'etl', policy: 'least-loaded' });
  });

  it.each(SELECTION_POLICIES)('takes the policy %s', (policy) => ok(groupSchema, { name: 'g', policy }));

  it('refuses an unknown policy, a bad fallback name and an unknown key', () => {
    refused(groupSchema, { name: 'g', policy: 'fastest' }, 'policy');
    refused(groupSchema, { name: 'g', fallback: '' }, 'fallback');
    refused(groupSchema, { name: 'g', queue: {} }, 'queue');
    refused(groupSchema, { name: 'g', backends: [] }, '');
    refused(groupSchema, {}, 'name');
  });
});

describe('backendSchema', () => {
  const b = (extra: object) => ({ name: 'b', url: 'http://trino:8080', group: 'adhoc', ...extra });

  it('fills the documented defaults', () => {
    expect(backendSchema.parse(b({}))).toEqual({
      ...b({}),
      active: true,
      weight: 1,
      catalogDriver: 'sql',
      processForwarded: false,
      advertisedUrls: [],
    });
  });

  it.each(['http://trino:8080', 'http://trino:8080/', 'https://trino'])('takes the origin %j', (url) =>
    ok(backendSchema, b({ url })),
  );

  it.each(['http://trino:8080/v1', 'http://trino:8080/?x=1', 'http://trino:8080/#f', 'ftp://trino'])(
    'refuses the URL %j',
    (url) => {
      refused(backendSchema, b({ url }), 'url');
    },
  );

  it('says a URL with a path is refused because Trino serves at its root', () => {
    expect(problems(backendSchema, b({ url: 'http://t/x' }))).toEqual([
      'url: scheme://host:port without a path (Trino serves /v1/... at its root)',
    ]);
  });

  it('bounds the weight to whole numbers 1 to 1000', () => {
    ok(backendSchema, b({ weight: 1000 }));
    refused(backendSchema, b({ weight: 0 }), 'weight');
    refused(backendSchema, b({ weight: 1001 }), 'weight');
    refused(backendSchema, b({ weight: 1.5 }), 'weight');
  });

  it('takes advertised origins only, at most 16', () => {
    ok(backendSchema, b({ advertisedUrls: ['https://lb:8443', 'https://lb2/'] }));
    expect(refused(backendSchema, b({ advertisedUrls: ['https://lb/x'] }), 'advertisedUrls.0')).toBe(
      'advertisedUrls.0: an origin without a path',
    );
    const many = (n: number) => Array.from({ length: n }, (_, i) => `https://lb${i}`);
    ok(backendSchema, b({ advertisedUrls: many(16) }));
    refused(backendSchema, b({ advertisedUrls: many(17) }), 'advertisedUrls');
  });

  it('refuses an unknown driver, forwardAuthorization value or key', () => {
    refused(backendSchema, b({ catalogDriver: 'jdbc' }), 'catalogDriver');
    ok(backendSchema, b({ forwardAuthorization: 'always' }));
    ok(backendSchema, b({ forwardAuthorization: 'never' }));
    refused(backendSchema, b({ forwardAuthorization: 'sometimes' }), 'forwardAuthorization');
    refused(backendSchema, b({ externalUrl: 'trino.example' }), 'externalUrl');
    refused(backendSchema, b({ user: 'x' }), '');
  });
});

describe('proxySchema', () => {
  it('fills the documented defaults', () => {
    expect(proxySchema.parse({})).toEqual({
      upstreamTimeoutMs: 120_000,
      maxSocketsPerBackend: 6000,
      abandonAfterMinutes: 5,
      lostQueryGraceSeconds: 10,
      unpolledAbandonSeconds: 60,
      maxInFlightPerUser: 1000,
      maxUnpolledPerUser: 100,
    });
  });

  it.each<[string, number, number | undefined]>([
    ['upstreamTimeoutMs', 100, undefined],
    ['maxSocketsPerBackend', 1, undefined],
    ['abandonAfterMinutes', 1, undefined],
    ['lostQueryGraceSeconds', 0.1, 600],
    ['unpolledAbandonSeconds', 1, 3600],
    ['maxInFlightPerUser', 1, undefined],
    ['maxUnpolledPerUser', 1, undefined],
  ])('bounds %s from %d', (key, min, max) => {
    ok(proxySchema, { [key]: min });
    refused(proxySchema, { [key]: min / 2 }, key);
    if (max !== undefined) refused(proxySchema, { [key]: max + 1 }, key);
  });
});

describe('historySchema', () => {
  it('fills the documented defaults', () => {
    expect(historySchema.parse({})).toEqual({
      retentionDays: 30,
      flushIntervalMs: 500,
      maxQueue: 10_000,
      maxQueueBytes: 32 * 1024 * 1024,
      maxSqlBytes: 65_536,
      maxPageBytes: 4 * 1024 * 1024,
      durableSubmissions: true,
      maxBatchRows: 64,
    });
  });

  it('bounds the byte budgets', () => {
    ok(historySchema, { maxSqlBytes: 256 });
    ok(historySchema, { maxSqlBytes: 4 * 1024 * 1024 });
    refused(historySchema, { maxSqlBytes: 255 }, 'maxSqlBytes');
    refused(historySchema, { maxSqlBytes: 4 * 1024 * 1024 + 1 }, 'maxSqlBytes');
    refused(historySchema, { maxQueueBytes: 65_535 }, 'maxQueueBytes');
    refused(historySchema, { maxPageBytes: 65_535 }, 'maxPageBytes');
    refused(historySchema, { maxQueue: 9 }, 'maxQueue');
    refused(historySchema, { flushIntervalMs: 9 }, 'flushIntervalMs');
    refused(historySchema, { retentionDays: 0 }, 'retentionDays');
    refused(historySchema, { maxBatchRows: 0 }, 'maxBatchRows');
    refused(historySchema, { maxBatchRows: 100_001 }, 'maxBatchRows');
  });
});

describe('logSchema and metricsSchema', () => {
  it('default to info as JSON, and /metrics on without a token', () => {
    expect(logSchema.parse({})).toEqual({ level: 'info', format: 'json' });
    expect(metricsSchema.parse({})).toEqual({ enabled: true });
  });

  it('refuse an unknown level or format, and an empty token', () => {
    ok(logSchema, { level: 'silent', format: 'pretty' });
    refused(logSchema, { level: 'verbose' }, 'level');
    refused(logSchema, { format: 'text' }, 'format');
    refused(metricsSchema, { token: '' }, 'token');
  });
});

describe('healthSchema', () => {
  it('fills the documented defaults, with the stats login user', () => {
    expect(healthSchema.parse({})).toEqual({
      enabled: true,
      intervalSeconds: 5,
      timeoutSeconds: 2,
      jitter: 0.2,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      probe: 'info+stats',
      stats: { user: 'switchyard' },
    });
    expect(healthSchema.parse({ stats: { password: 'p' } }).stats).toEqual({
      user: 'switchyard',
      password: 'p',
    });
  });

  it.each(HEALTH_PROBES)('takes the probe %s', (probe) => ok(healthSchema, { probe }));

  it('bounds the timings and thresholds', () => {
    refused(healthSchema, { probe: 'tcp' }, 'probe');
    refused(healthSchema, { intervalSeconds: 0.04 }, 'intervalSeconds');
    refused(healthSchema, { timeoutSeconds: 61 }, 'timeoutSeconds');
    refused(healthSchema, { jitter: 1.01 }, 'jitter');
    refused(healthSchema, { jitter: -0.01 }, 'jitter');
    refused(healthSchema, { healthyThreshold: 0 }, 'healthyThreshold');
    refused(healthSchema, { unhealthyThreshold: 101 }, 'unhealthyThreshold');
    refused(healthSchema, { healthyThreshold: 1.5 }, 'healthyThreshold');
    refused(healthSchema, { stats: { user: '' } }, 'stats.user');
  });
});

describe('catalogsSchema', () => {
  it('fills the documented defaults, the secret patterns as a copy', () => {
    const parsed = catalogsSchema.parse({});
    expect(parsed).toEqual({
      secretPatterns: [...DEFAULT_SECRET_PATTERNS],
      reconcileIntervalSeconds: 30,
      statementTimeoutSeconds: 30,
      user: 'switchyard',
    });
    expect(parsed.secretPatterns).not.toBe(DEFAULT_SECRET_PATTERNS);
  });

  it('needs at least one secret pattern, none empty', () => {
    refused(catalogsSchema, { secretPatterns: [] }, 'secretPatterns');
    refused(catalogsSchema, { secretPatterns: ['ok', ''] }, 'secretPatterns.1');
  });

  it('bounds the timings and the user', () => {
    refused(catalogsSchema, { reconcileIntervalSeconds: 86_401 }, 'reconcileIntervalSeconds');
    refused(catalogsSchema, { statementTimeoutSeconds: 0.09 }, 'statementTimeoutSeconds');
    refused(catalogsSchema, { user: 'u'.repeat(257) }, 'user');
    refused(catalogsSchema, { sealKey: '' }, 'sealKey');
  });
});
