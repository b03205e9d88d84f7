import { describe, expect, it } from 'vitest';
import { parseHeaderLines } from '../../src/ui/dry-run.js';

describe('dry-run header lines', () => {
  it('reads names in lower case and joins repeats', () => {
    expect(
      parseHeaderLines('X-Trino-Source: airflow\n\nX-Trino-Client-Tags: a\nx-trino-client-tags: b'),
    ).toEqual({
      ok: true,
      headers: { 'x-trino-source': 'airflow', 'x-trino-client-tags': 'a, b' },
    });
  });

  it('names the bad line', () => {
    expect(parseHeaderLines('a: 1\nno colon here')).toEqual({
      ok: false,
      error: 'header line 2: expected "Name: value"',
    });
  });
});
