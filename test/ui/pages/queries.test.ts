import { describe, expect, it } from 'vitest';
import { Client, consoleFixture, signedIn, seedHistory } from '../../helpers/console-fixture.js';

describe('query history page', () => {
  it('lists newest first with escaped, redacted SQL and links to the cluster UI where there is one', async () => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const page = await html('/console/queries');
    expect(page.indexOf('00006_abcde')).toBeLessThan(page.indexOf('00000_abcde'));
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('hunter2');
    expect(page).toContain('href="https://trino-1.example.com/ui/query.html?20250101_000000_00001_abcde"');
    expect(page).not.toContain('ui/query.html?20250101_000000_00005_abcde');
  });

  it.each([
    ['?group=etl', ['00006', '00005', '00004']],
    ['?state=failed', ['00003']],
    ['?user=alice&group=adhoc', ['00003', '00001']],
    ['?q=SELECT+5', ['00005']],
    ['?backend=trino-3&user=bob', ['00006', '00004']],
  ])('filters %s', async (qs, ids) => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const page = await html(`/console/queries${qs}`);
    expect([...page.matchAll(/data-query="20250101_000000_(\d+)_abcde"/g)].map((m) => m[1])).toEqual(ids);
  });

  it('filters by a UTC time range from the form', async () => {
    const { history, html } = await signedIn();
    const base = Date.parse('2025-01-01T10:00:00Z');
    seedHistory(history, base);
    const page = await html('/console/queries?from=2025-01-01T09:55&to=2025-01-01T09:57');
    expect([...page.matchAll(/data-query="20250101_000000_(\d+)_abcde"/g)].map((m) => m[1])).toEqual([
      '00004',
      '00003',
      '00002',
    ]);
  });

  it('pages with a cursor, keeping the filters, until the last page', async () => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const seen: string[] = [];
    let path = '/console/queries?limit=25&group=adhoc';
    for (let i = 0; i < 3 && path; i++) {
      const page = await html(path);
      seen.push(...[...page.matchAll(/data-query="([^"]+)"/g)].map((m) => m[1]));
      path = /href="([^"]+)" rel="next"/.exec(page)?.[1].replace(/&amp;/g, '&') ?? '';
    }
    expect(seen).toHaveLength(4);
    const small = consoleFixture();
    seedHistory(small.history);
    const client = new Client(small.app);
    await client.login('root', 's3cret');
    const first = await (await client.get('/console/queries?limit=25')).text();
    expect(first).not.toContain('rel="next"');
  });

  it.each([
    ['a huge page size', '?limit=100000', 'limit: must be between 1 and 500'],
    ['a zero page size', '?limit=0', 'limit'],
    ['an unknown state', '?state=EXPLODED', 'state: one of'],
    ['a bad time', '?from=yesterday-ish', 'from: expected'],
    ['a forged cursor', '?cursor=bm90IGEgY3Vyc29y', 'cursor: not a cursor'],
    ['an overlong user', `?user=${'x'.repeat(600)}`, 'user: too long'],
  ])('answers %s with 400 and says which filter is wrong', async (_, qs, message) => {
    const { client } = await signedIn();
    const res = await client.get(`/console/queries${qs}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  });
});
