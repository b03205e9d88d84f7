import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase, type OpenedDb } from '../../src/db/open.js';
import { applyDeclared, OWNED_KEY } from '../../src/declared/apply-declared.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { memoryLogger } from '../helpers/memory-logger.js';

const opened: OpenedDb[] = [];
afterEach(() => opened.splice(0).forEach((d) => d.close()));

function store() {
  const db = openDatabase(':memory:');
  opened.push(db);
  return sqliteStore(db);
}

const config = (authority: string, groups: string, backends: string, defaultGroup = 'adhoc') =>
  parseConfig(
    `
server: { port: 8080, publicUrl: http://localhost:8080 }
configAuthority: ${authority}
routing: { defaultGroup: ${defaultGroup} }
groups: ${groups}
backends: ${backends}
`,
    { env: {} },
  );

const names = async (st: ReturnType<typeof store>) => ({
  groups: (await st.backends.listGroups()).map((g) => g.name).sort(),
  backends: (await st.backends.listBackends()).map((b) => `${b.name}@${b.url}`).sort(),
});

describe('applyDeclared, configAuthority: seed', () => {
  it('inserts only names never stored; the database wins and one warning names each difference', async () => {
    const st = store();
    const log = memoryLogger();
    const first = config('seed', '[ { name: adhoc } ]', '[ { name: one, url: "http://a:1", group: adhoc } ]');
    await applyDeclared(first, st, log.logger);
    expect(log.lines().filter((l) => l.level >= 40)).toEqual([]);
    const edited = config(
      'seed',
      '[ { name: adhoc } ]',
      '[ { name: one, url: "http://b:1", group: adhoc }, { name: two, url: "http://c:1", group: adhoc } ]',
    );
    await applyDeclared(edited, st, log.logger);
    expect(await names(st)).toEqual({ groups: ['adhoc'], backends: ['one@http://a:1', 'two@http://c:1'] });
    const warnings = log.lines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('the database wins (configAuthority: seed)');
    expect(warnings[0].msg).toContain('backends[0] (one).url: file "http://b:1", database "http://a:1"');
    expect(warnings[0].msg).not.toContain('two');
  });

  it('stores the default group when the file does not declare it', async () => {
    const st = store();
    // parseConfig insists the default group is declared; applyDeclared stores it when the groups omit it.
    const cfg = config('seed', '[ { name: etl } ]', '[]', 'etl');
    await applyDeclared(
      { ...cfg, routing: { ...cfg.routing, defaultGroup: 'adhoc' } },
      st,
      memoryLogger().logger,
    );
    expect((await st.backends.listGroups()).find((g) => g.name === 'adhoc')?.policy).toBe('least-loaded');
  });
});

describe('applyDeclared, configAuthority: file', () => {
  const two =
    '[ { name: one, url: "http://a:1", group: etl }, { name: two, url: "http://c:1", group: adhoc } ]';

  it('writes the file over the stored entries and deletes what it owned and no longer declares', async () => {
    const st = store();
    const log = memoryLogger();
    await applyDeclared(config('file', '[ { name: adhoc }, { name: etl } ]', two), st, log.logger);
    expect(JSON.parse((await st.settings.get(OWNED_KEY))!)).toEqual({
      backends: ['one', 'two'],
      groups: ['adhoc', 'etl'],
    });
    // An entry added through the API (not owned by the file) is left alone.
    await st.backends.upsertBackend({
      name: 'api',
      url: 'http://d:1',
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    const next = config('file', '[ { name: adhoc } ]', '[ { name: two, url: "http://e:1", group: adhoc } ]');
    await applyDeclared(next, st, log.logger);
    expect(await names(st)).toEqual({ groups: ['adhoc'], backends: ['api@http://d:1', 'two@http://e:1'] });
    const info = log.lines().find((l) => l.msg.startsWith('entries the config file no longer declares'));
    expect(info?.deleted).toEqual(['backend one', 'group etl']);
  });

  it('keeps a dropped group still in use, naming what uses it', async () => {
    const st = store();
    const log = memoryLogger();
    await applyDeclared(config('file', '[ { name: adhoc }, { name: etl } ]', two), st, log.logger);
    await st.backends.upsertBackend({
      name: 'api',
      url: 'http://d:1',
      group: 'etl',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    await applyDeclared(config('file', '[ { name: adhoc } ]', '[]'), st, log.logger);
    expect((await names(st)).groups).toEqual(['adhoc', 'etl']);
    const warn = log.lines().find((l) => l.level === 40);
    expect(warn?.msg).toBe(
      'groups the config file no longer declares are kept while still in use: etl (backend api)',
    );
  });

  it('treats an unreadable owned-names row as owning nothing', async () => {
    const st = store();
    await st.settings.set(OWNED_KEY, '{not json');
    await st.backends.upsertBackend({
      name: 'old',
      url: 'http://d:1',
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    await applyDeclared(config('file', '[ { name: adhoc } ]', '[]'), st, memoryLogger().logger);
    expect((await names(st)).backends).toEqual(['old@http://d:1']);
    expect(JSON.parse((await st.settings.get(OWNED_KEY))!)).toEqual({ backends: [], groups: ['adhoc'] });
  });
});
