import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  noteQuery,
  queryOf,
  requestId,
  requestIdOf,
  tagResponse,
} from '../../src/observability/request-id.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('requestId', () => {
  it.each(['abc', 'A-1.b_2:c', 'x'.repeat(128)])('keeps a caller id of safe characters: %s', (id) => {
    expect(requestId(id)).toBe(id);
  });

  it.each([
    ['none', undefined],
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['with a space', 'a b'],
    ['with a line break', 'a\r\nSet-Cookie: x'],
    ['with a quote', 'a"b'],
    ['repeated headers', ['a', 'b']],
  ])('makes its own id when the caller id is %s', (_what, incoming) => {
    const id = requestId(incoming);
    expect(id).not.toBe(incoming);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });

  it('never makes the same id twice in a process', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => requestId(undefined)));
    expect(ids.size).toBe(1000);
  });
});

describe('response tags', () => {
  it('remember the id and the query of one answer, and nothing for another', () => {
    const res = response();
    const other = response();
    expect(requestIdOf(res)).toBeUndefined();
    expect(queryOf(res)).toBeUndefined();
    tagResponse(res, 'r-1');
    noteQuery(res, '20261202_000000_00001_abcde', 'trino-adhoc');
    expect(requestIdOf(res)).toBe('r-1');
    expect(queryOf(res)).toEqual({ queryId: '20261202_000000_00001_abcde', backend: 'trino-adhoc' });
    expect(requestIdOf(other)).toBeUndefined();
    expect(queryOf(other)).toBeUndefined();
    // The tag is no header: nothing is set on the response until its writer adds it.
    expect(res.getHeaderNames()).toEqual([]);
  });
});
