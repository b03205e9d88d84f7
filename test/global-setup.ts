import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian packages the suite needs, each with the file that shows it is installed: Chromium for the
 * console's browser tests (launched at /usr/bin/chromium, or CHROMIUM_PATH), openssl for the TLS
 * certificates tests make.
 */
export const NEEDED = [
  { pkg: 'chromium', present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { pkg: 'openssl', present: () => spawnSync('openssl', ['version']).status === 0 },
] as const;

/** missingPackages names the Debian packages of NEEDED that are not installed. */
export function missingPackages(
  needed: ReadonlyArray<{ pkg: string; present: () => boolean }> = NEEDED,
): string[] {
  return needed.filter((n) => !n.present()).map((n) => n.pkg);
}

/**
 * vitest globalSetup: `npm test` on a fresh Debian machine installs what is missing with apt-get, as
 * .ci/run does, so nobody installs anything by hand (root, or passwordless sudo). When it cannot, it
 * says what to install; the tests that need it then fail (they are never skipped).
 */
export default function setup(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  const canApt = spawnSync('apt-get', ['--version']).status === 0;
  if (!canApt || (!root && spawnSync('sudo', ['-n', 'true']).status !== 0)) {
    process.stderr.write(`test setup: please install ${missing.join(' ')} (tests that need it will fail)\n`);
    return;
  }
  process.stderr.write(`test setup: installing ${missing.join(' ')} with apt-get (once)\n`);
  const run = (args: string[]) => {
    const cmd = root ? args : ['sudo', '-n', ...args];
    execFileSync(cmd[0]!, cmd.slice(1), {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } catch (e) {
    process.stderr.write(
      `test setup: apt-get failed (${(e as Error).message}); install ${missing.join(' ')}\n`,
    );
  }
  const still = missingPackages();
  if (still.length > 0) process.stderr.write(`test setup: still missing: ${still.join(' ')}\n`);
}
