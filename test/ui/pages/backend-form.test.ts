import { describe, expect, it } from 'vitest';
import { Client, consoleFixture } from '../../helpers/console-fixture.js';

async function signedIn() {
  const fx = consoleFixture();
  const client = new Client(fx.app);
  await client.login('root', 's3cret');
  const csrf = await client.csrf('/console/backends');
  return { ...fx, client, csrf };
}

const NEW = {
  name: 'trino-4',
  url: 'http://127.0.0.1:4',
  externalUrl: 'https://trino-4.example.com',
  group: 'etl',
  weight: '3',
  catalogDriver: 'sql',
  active: 'on',
};

describe('backends added, edited and deleted from the console', () => {
  it('adds a backend from the form', async () => {
    const { client, csrf, registry } = await signedIn();
    expect(await (await client.get('/console/backends')).text()).toContain('href="/console/backends/new"');
    const res = await client.post('/console/backends/new', { _csrf: csrf, ...NEW });
    expect(res.status).toBe(303);
    expect(registry.get('trino-4')!.record()).toMatchObject({
      url: 'http://127.0.0.1:4',
      externalUrl: 'https://trino-4.example.com',
      group: 'etl',
      weight: 3,
      active: true,
    });
    expect(await (await client.get(res.headers.get('location')!)).text()).toContain('trino-4 is added');
  });

  it('refuses a bad field by name with the form as it was typed, and a duplicate with 409', async () => {
    const { client, csrf, registry } = await signedIn();
    const bad = await client.post('/console/backends/new', {
      _csrf: csrf,
      ...NEW,
      url: 'ftp://x',
      weight: '0',
    });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('url: an http:// or https:// URL');
    expect(page).toContain('weight: Too small');
    expect(page).toContain('value="ftp://x"');
    expect(registry.get('trino-4')).toBeUndefined();
    const dup = await client.post('/console/backends/new', { _csrf: csrf, ...NEW, name: 'trino-1' });
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain('backend &quot;trino-1&quot; already exists');
  });

  it('edits a backend, keeping its name, and clears its browser URL', async () => {
    const { client, csrf, registry } = await signedIn();
    const form = await (await client.get('/console/backends/trino-1/edit')).text();
    expect(form).toContain('value="https://trino-1.example.com"');
    const res = await client.post('/console/backends/trino-1/edit', {
      _csrf: csrf,
      name: 'renamed',
      url: 'http://127.0.0.1:11',
      externalUrl: '',
      group: 'etl',
      weight: '2',
      catalogDriver: 'rest',
    });
    expect(res.status).toBe(303);
    expect(registry.get('renamed')).toBeUndefined();
    expect(registry.get('trino-1')!.record()).toMatchObject({
      url: 'http://127.0.0.1:11',
      externalUrl: undefined,
      group: 'etl',
      weight: 2,
      catalogDriver: 'rest',
      active: false,
    });
  });

  it('deletes a backend, refusing while queries are in flight', async () => {
    const { client, csrf, registry } = await signedIn();
    registry.get('trino-2')!.inFlight = 2;
    const busy = await client.post('/console/backends/trino-2/delete', { _csrf: csrf });
    expect(busy.status).toBe(409);
    expect(await busy.text()).toContain('has 2 queries in flight');
    expect(registry.get('trino-2')).toBeDefined();
    const res = await client.post('/console/backends/trino-3/delete', { _csrf: csrf });
    expect(res.status).toBe(303);
    expect(registry.get('trino-3')).toBeUndefined();
    expect(await (await client.get(res.headers.get('location')!)).text()).toContain('trino-3 is deleted');
    expect((await client.post('/console/backends/nope/delete', { _csrf: csrf })).status).toBe(404);
    expect((await client.get('/console/backends/nope/edit')).status).toBe(404);
  });

  it('refuses a change without the form token', async () => {
    const { client, registry } = await signedIn();
    const res = await client.post('/console/backends/new', { ...NEW });
    expect(res.status).toBe(403);
    expect(registry.get('trino-4')).toBeUndefined();
  });
});
