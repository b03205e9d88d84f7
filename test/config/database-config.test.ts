import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { DatabaseError } from '../../src/db/open.js';
import { openGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/observability/logger.js';

const base = `
server: { port: 8080, publicUrl: http://localhost:8080 }
groups: [ { name: adhoc } ]
`;

function errorOf(text: string): string {
  try {
    parseConfig(text, { env: {} });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('database config', () => {
  it('selects PostgreSQL with database.url and keeps SQLite as the default', () => {
    expect(parseConfig(base, { env: {} }).database).toMatchObject({
      path: './data/switchyard.db',
      poolSize: 10,
    });
    const pg = parseConfig(
      `${base}database: { url: 'postgres://sy:pw@db:5432/switchyard' }\ncatalogs: { sealKey: 'k-0123456789abcdef0123456789abcdef' }\n`,
      { env: {} },
    );
    expect(pg.database.url).toBe('postgres://sy:pw@db:5432/switchyard');
  });

  it('names database.url when it is not a PostgreSQL URL', () => {
    expect(errorOf(`${base}database: { url: 'mysql://db/x' }\n`)).toMatch(/database\.url.*postgres:\/\//);
  });

  it('requires a shared seal key with database.url (replicas read each other’s sealed secrets)', () => {
    expect(errorOf(`${base}database: { url: 'postgres://db/x' }\n`)).toMatch(
      /catalogs\.sealKey.*database\.url/,
    );
  });

  it('a gateway with an unreachable database.url fails to start with one line naming the key', async () => {
    const cfg = parseConfig(
      `${base}database: { url: 'postgres://sy:pw@127.0.0.1:1/x', connectTimeoutSeconds: 2 }\ncatalogs: { sealKey: 'k-0123456789abcdef0123456789abcdef' }\n`,
      { env: {} },
    );
    const opened = openGateway(cfg, { logger: silentLogger() });
    await expect(opened).rejects.toBeInstanceOf(DatabaseError);
    await expect(opened).rejects.toThrow(
      /^database\.url: cannot connect to postgres:\/\/sy:\*\*\*@127\.0\.0\.1:1\/x: /,
    );
  });
});
