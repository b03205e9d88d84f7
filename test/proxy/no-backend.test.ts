import { describe, expect, it } from 'vitest';
import { chosenBy, noBackend } from '../../src/proxy/no-backend.js';

describe('the no-backend 503', () => {
  it.each([
    [undefined, undefined, 'no available backend in routing group "adhoc"'],
    [
      { source: 'rule', rule: 'etl' },
      undefined,
      'no available backend in routing group "adhoc" (chosen by rule "etl")',
    ],
    [
      { source: 'header' },
      't1',
      'backend t1 is unavailable and no other backend of "adhoc" is (asked for in X-Trino-Routing-Group)',
    ],
    [undefined, 't1', 'backend t1 is unavailable and no other backend of "adhoc" is'],
  ])(
    'is NO_NODES_AVAILABLE as Trino has it (65541, INTERNAL_ERROR), and says why (%j, %s)',
    (choice, unavailable, message) => {
      const e = noBackend('adhoc', choice, unavailable);
      expect(e.status).toBe(503);
      expect(e.body()).toEqual({
        message,
        errorCode: 65541,
        errorName: 'NO_NODES_AVAILABLE',
        errorType: 'INTERNAL_ERROR',
      });
    },
  );

  it.each([
    [{ source: 'rule', rule: 'r' }, 'chosen by rule "r"'],
    [{ source: 'header' }, 'asked for in X-Trino-Routing-Group'],
    [{ source: 'principal-default' }, "the user's default group"],
    [{ source: 'default' }, 'routing.defaultGroup'],
  ])('names what chose the group: %j', (choice, text) => {
    expect(chosenBy(choice)).toBe(text);
  });
});
