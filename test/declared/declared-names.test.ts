import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { fileOwned } from '../../src/declared/declared-names.js';

const text = (authority: string) => `
server: { port: 8080, publicUrl: http://localhost:8080 }
configAuthority: ${authority}
groups: [ { name: adhoc }, { name: etl } ]
backends: [ { name: one, url: http://127.0.0.1:1, group: adhoc } ]
`;

describe('fileOwned', () => {
  it('under file: every group and backend the file declares', () => {
    const owned = fileOwned(parseConfig(text('file'), { env: {} }));
    expect([...owned.backends]).toEqual(['one']);
    expect([...owned.groups]).toEqual(['adhoc', 'etl']);
  });

  it('under seed: nothing (the admin API may change it all)', () => {
    const owned = fileOwned(parseConfig(text('seed'), { env: {} }));
    expect(owned.backends.size).toBe(0);
    expect(owned.groups.size).toBe(0);
  });
});
