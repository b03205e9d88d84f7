import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('hash-password CLI', () => {
  it('prints only the hash of the password read from stdin, and exits 2 on an empty one', () => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/hash-password.ts'], {
      input: 'secret\n',
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toMatch(/^scrypt\$[^\n]+$/);
    expect(out.stdout).not.toContain('secret');
    const empty = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/hash-password.ts'], {
      input: '\n',
      encoding: 'utf8',
    });
    expect(empty.status).toBe(2);
  });
});
