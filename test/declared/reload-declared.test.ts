import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerChangeNotices } from '../../src/cluster/change-notices.js';
import type { Leadership } from '../../src/cluster/leadership.js';
import type { Replica } from '../../src/cluster/replica.js';
import type { Services } from '../../src/compose/services.js';
import { parseConfig } from '../../src/config/load.js';
import { reloadDeclared } from '../../src/declared/reload-declared.js';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';
import { recordingBus } from '../helpers/linked-bus.js';
import { passwordAuth, testConfig } from '../helpers/start-gateway.js';

afterEach(releaseServices);

const URL = 'http://127.0.0.1:9';

/** A gateway's services under configAuthority: file, on a worker that leads or not. */
async function services(leading: boolean) {
  const built = await buildTestServices([{ name: 'one', url: URL }], { configAuthority: 'file' });
  const bus = recordingBus();
  const leadership: Leadership = { isLeader: () => leading, on: () => undefined };
  const replica: Replica = { worker: 1, bus, notices: new PeerChangeNotices(bus), leadership, ready() {} };
  const s: Services = { ...built.s, replica };
  return { s, bus, lines: built.lines };
}

/** The edited file: backend one gone, two added, a user declared. */
async function edited(authority: 'file' | 'seed') {
  const cfg = testConfig([{ name: 'two', url: URL }], {
    configAuthority: authority,
    health: { enabled: false },
    auth: await passwordAuth(['erin', 'erin-password']),
  });
  return parseConfig(stringify(cfg), { baseDir: process.cwd(), env: {} });
}

describe('reloadDeclared', () => {
  it('on the leader: applies the file to the store and the registry, and tells the other workers', async () => {
    const { s, bus, lines } = await services(true);
    await reloadDeclared(await edited('file'), s);
    expect(s.registry.get('one')).toBeUndefined();
    expect(s.registry.get('two')?.url).toBe(URL);
    expect((await s.store.backends.listBackends()).map((b) => b.name)).toEqual(['two']);
    expect(s.users.get('erin')).toBeDefined();
    expect(bus.sent).toEqual([['change', 'backends']]);
    expect(lines().find((l) => l.msg === 'config file applied (configAuthority: file)')).toMatchObject({
      backends: 1,
      groups: 1,
      users: 1,
    });
    // What the file now owns is refused through the API.
    await expect(s.registry.setActive('two', false)).rejects.toThrow(/two/);
  });

  it('on another worker: takes the users and what the file owns, and leaves the store to the leader', async () => {
    const { s, bus } = await services(false);
    await reloadDeclared(await edited('file'), s);
    expect(s.users.get('erin')).toBeDefined();
    expect((await s.store.backends.listBackends()).map((b) => b.name)).toEqual(['one']);
    expect(s.registry.get('one')).toBeDefined();
    expect(bus.sent).toEqual([]);
  });

  it('under seed: only lifts the file’s ownership; users, store and registry stay', async () => {
    const { s, bus } = await services(true);
    s.registry.setFileOwned({ backends: new Set(['one']), groups: new Set(['adhoc']) });
    await expect(s.registry.setActive('one', false)).rejects.toThrow(/one/);
    await reloadDeclared(await edited('seed'), s);
    expect(s.users.get('erin')).toBeUndefined();
    expect(s.registry.get('two')).toBeUndefined();
    await expect(s.registry.setActive('one', false)).resolves.toBeDefined();
    expect(bus.sent.filter(([t]) => t === 'change')).toEqual([]);
  });
});
