import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/table.js';

describe('table', () => {
  it.each([
    ['no rows', ['NAME', 'URL'], [], '(none)'],
    ['one column', ['NAME'], [['a'], ['bbb']], 'NAME\na\nbbb'],
    [
      'columns padded to the widest cell, the last unpadded',
      ['NAME', 'STATE', 'URL'],
      [
        ['trino-adhoc', 'ok', 'http://a'],
        ['b', 'draining', 'http://bb'],
      ],
      'NAME         STATE     URL\ntrino-adhoc  ok        http://a\nb            draining  http://bb',
    ],
    ['a short row', ['A', 'B'], [['xx']], 'A   B\nxx'],
  ])('renders %s', (_what, head, rows, want) => {
    expect(table(head, rows)).toBe(want);
  });
});
