import { describe, expect, it } from 'vitest';
import { signedIn } from '../../helpers/console-fixture.js';

describe('backends page', () => {
  it('deactivates (drains) and reactivates a backend through CSRF-protected forms', async () => {
    const { registry, client, html } = await signedIn();
    const res = await client.post('/console/backends/trino-1/deactivate', { _csrf: await client.csrf() });
    expect(res.status).toBe(303);
    expect(registry.get('trino-1')!.active).toBe(false);
    const page = await html(res.headers.get('location')!);
    expect(page).toContain('trino-1 is deactivated');
    expect(page).toMatch(/data-backend="trino-1"[\s\S]*?badge off">drained</);
    await client.post('/console/backends/trino-1/activate', { _csrf: await client.csrf() });
    expect(registry.get('trino-1')!.active).toBe(true);
  });

  it('says "draining" while queries are in flight on an inactive backend', async () => {
    const { registry, html } = await signedIn();
    await registry.setActive('trino-2', false);
    registry.get('trino-2')!.inFlight = 3;
    expect(await html('/console/backends')).toContain('draining (3 in flight)');
  });

  it('answers 404 for an unknown backend', async () => {
    const { client } = await signedIn();
    const res = await client.post('/console/backends/nope/deactivate', { _csrf: await client.csrf() });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('backend &quot;nope&quot; not found');
  });
});
