import { describe, expect, it } from 'vitest';
import { signedIn } from '../helpers/console-fixture.js';

describe('everything else', () => {
  it('answers an unknown console page with a 404 page, not the API JSON', async () => {
    const { client } = await signedIn();
    const res = await client.get('/console/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});
