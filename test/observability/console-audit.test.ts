import { describe, expect, it } from 'vitest';
import { currentActor } from '../../src/observability/audit.js';
import { Client, consoleFixture } from '../helpers/console-fixture.js';

describe('audit of console changes', () => {
  it('a change made from the console runs as the signed-in user', async () => {
    const fx = consoleFixture();
    const seen: Array<{ what: string; target: string; who: string }> = [];
    fx.registry.on('changed', (c) => seen.push({ what: c.what, target: c.target, who: currentActor() }));
    const client = new Client(fx.app);
    await client.login('root', 's3cret');
    const res = await client.post('/console/backends/trino-2/deactivate', { _csrf: await client.csrf() });
    expect(res.status).toBe(303);
    expect(seen).toEqual([{ what: 'backend.deactivate', target: 'trino-2', who: 'root' }]);
    await fx.registry.setActive('trino-2', true); // outside any request
    expect(seen[1]).toEqual({ what: 'backend.activate', target: 'trino-2', who: 'system' });
  });
});
