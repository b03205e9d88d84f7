import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * VERSION is package.json's version, read once at import from the nearest package.json above this file
 * (src/ when run with tsx, dist/src/ when compiled), so `--version`, `/api/v1/info` and the build-info
 * metric always agree with the package.
 */
export const VERSION: string = readVersion(dirname(fileURLToPath(import.meta.url)));

function readVersion(from: string): string {
  for (let dir = from, i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'switchyard' && pkg.version) return pkg.version;
  }
  return '0.0.0-unknown';
}
