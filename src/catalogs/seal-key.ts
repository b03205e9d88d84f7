import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../observability/logger.js';
import { generateSealKey, parseSealKey } from './secrets.js';

/**
 * loadSealKey finds the key that seals secret catalog properties: `catalogs.sealKey` (inline or through
 * ${ENV:…}), else the key file (`catalogs.sealKeyFile`, default catalog-seal.key beside the database).
 * When neither exists a key is generated into the file (mode 0600) with a loud warning: losing it makes
 * stored secrets unreadable. An in-memory database gets an in-memory key.
 */
export function loadSealKey(
  o: { sealKey?: string; sealKeyFile?: string; baseDir: string; databasePath: string },
  logger: Logger,
): Uint8Array {
  if (o.sealKey) return parseSealKey(o.sealKey);
  const file = o.sealKeyFile
    ? resolve(o.baseDir, o.sealKeyFile)
    : o.databasePath === ':memory:'
      ? undefined
      : join(dirname(o.databasePath), 'catalog-seal.key');
  if (file && existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077)
      logger.warn(
        { file, mode: mode.toString(8) },
        'the catalog seal key file can be read by other users; chmod 600 it',
      );
    return parseSealKey(readFileSync(file, 'utf8').trim());
  }
  const key = generateSealKey();
  if (file) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  }
  logger.warn(
    { file: file ?? '(memory only)' },
    'NO CATALOG SEAL KEY CONFIGURED: generated a new one. Secret catalog properties are sealed with it; ' +
      'back this file up or set catalogs.sealKey, or stored catalog secrets become unreadable',
  );
  return parseSealKey(key);
}
