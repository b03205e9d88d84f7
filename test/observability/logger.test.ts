import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/observability/logger.js';

function capture(level = 'info') {
  let text = '';
  const destination = new Writable({
    write(c: Buffer, _e, cb) {
      text += c.toString();
      cb();
    },
  });
  const logger = createLogger({ level, destination });
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with an ISO time and the service name, at the configured level and above', () => {
    const { logger, lines } = capture('warn');
    logger.info('not shown');
    logger.warn({ n: 1 }, 'shown');
    expect(lines()).toEqual([
      {
        level: 40,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        service: 'switchyard',
        n: 1,
        msg: 'shown',
      },
    ]);
  });

  it.each([
    ['password', { password: 'p' }],
    ['passwordHash', { passwordHash: 'scrypt$…' }],
    ['token', { token: 't' }],
    ['secret', { secret: 's' }],
    ['authorization', { authorization: 'Basic x' }],
    ['cookie', { cookie: 'c=1' }],
    ['a nested password', { user: { password: 'p' } }],
    ['a nested secret', { jwt: { secret: 's' } }],
    ['a nested token', { oidc: { token: 't' } }],
    ['request headers', { req: { headers: { authorization: 'Bearer x', cookie: 'c=1' } } }],
    ['headers', { headers: { authorization: 'Bearer x', cookie: 'c=1' } }],
  ])('masks %s', (_what, fields) => {
    const { logger, lines } = capture();
    logger.info(fields, 'm');
    const line = JSON.stringify(lines()[0]);
    for (const secret of ['"p"', 'scrypt', '"t"', '"s"', 'Basic x', 'Bearer x', 'c=1'])
      expect(line).not.toContain(secret);
    expect(line).toContain('"***"');
  });

  it.each([
    ['in any case', { Authorization: 'Bearer x', 'Set-Cookie': 'c=1' }],
    ['in a longer name', { 'connection-password': 'p', clientSecret: 's', refresh_token: 't' }],
    ['deep down', { a: { b: { c: { d: { headers: { 'X-Trino-Extra-Credential': 'p' } } } } } }],
    ['inside arrays', { catalogs: [{ properties: { 'hive.s3.aws-secret-key': 's' } }] }],
  ])('masks a secret-named field %s', (_what, fields) => {
    const { logger, lines } = capture();
    logger.info(fields, 'm');
    const line = JSON.stringify(lines()[0]);
    for (const secret of ['"p"', '"s"', '"t"', 'Bearer x', 'c=1']) expect(line).not.toContain(secret);
    expect(line).toContain('"***"');
  });

  it("stops at a bounded depth and leaves the caller's object untouched", () => {
    const { logger, lines } = capture();
    let deep: Record<string, unknown> = { password: 'p' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const fields = { user: { password: 'p' }, deep };
    logger.info(fields, 'm');
    expect(JSON.stringify(lines()[0])).not.toContain('"p"');
    expect(fields.user.password).toBe('p');
  });

  it('keeps fields that are no secrets', () => {
    const { logger, lines } = capture();
    logger.info(
      { user: 'alice', headers: { 'x-trino-user': 'alice' }, passwordChanged: true, tokens: 3 },
      'm',
    );
    expect(lines()[0]).toMatchObject({
      user: 'alice',
      headers: { 'x-trino-user': 'alice' },
      passwordChanged: true,
      tokens: 3,
    });
  });
});

describe('silentLogger', () => {
  it('logs nothing at any level', () => {
    expect(silentLogger().isLevelEnabled('fatal')).toBe(false);
  });
});
