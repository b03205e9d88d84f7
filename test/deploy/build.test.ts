import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { freePort } from '../helpers/start-gateway.js';

/** What the image runs: the output of the build script (tsc -p tsconfig.build.json), started with plain node. */
describe('the compiled gateway', () => {
  const out = mkdtempSync(join(tmpdir(), 'sy-dist-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds, reports its version, starts and passes its healthcheck without tsx', async () => {
    const tsc = spawnSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', out],
      {
        encoding: 'utf8',
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    cpSync('drizzle', join(out, 'drizzle'), { recursive: true }); // as the build script does
    // The image's layout: the build beside package.json (ESM, the version) and the installed modules.
    cpSync('package.json', join(out, 'package.json'));
    symlinkSync(resolve('node_modules'), join(out, 'node_modules'));
    const node = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
    expect(node([join(out, 'src/main.js'), '--version']).stdout).toBe(`switchyard ${VERSION}\n`);

    const port = await freePort();
    const cfg = join(out, 'gw.yaml');
    writeFileSync(
      cfg,
      `server: { host: 127.0.0.1, port: ${port} }\ndatabase: { path: ':memory:' }\nhealth: { enabled: false }\nrouting: { rulesDir: ${resolve('rules')} }\n`,
    );
    const gw = spawn(process.execPath, [join(out, 'src/main.js'), '--config', cfg], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    gw.stderr.on('data', (c) => (err += c));
    try {
      await expect.poll(() => err, { timeout: 20_000 }).toContain('is listening on');
      expect(node([join(out, 'src/cli/healthcheck.js'), '--config', cfg]).status).toBe(0);
    } finally {
      gw.kill('SIGTERM');
    }
  }, 120_000);
});
