import { describe, expect, it } from 'vitest';
import { compilePatterns, resolveTrinoUser } from '../../src/auth/impersonation.js';
import type { Principal } from '../../src/auth/principal.js';

const alice = (patterns?: string[]): Principal => ({
  name: 'alice',
  roles: ['user'],
  groups: ['adhoc'],
  method: 'basic',
  ...(patterns ? { impersonate: compilePatterns(patterns) } : {}),
});

describe('resolveTrinoUser', () => {
  it.each([
    ['no requested user', undefined, undefined, 'alice'],
    ['an empty requested user', undefined, '', 'alice'],
    ['its own name', undefined, 'alice', 'alice'],
    ['a user matching a pattern', ['svc_.*'], 'svc_etl', 'svc_etl'],
    ['a user matching one of several patterns', ['bob', 'svc_.*'], 'bob', 'bob'],
    ['a user matching an alternation whole', ['bob|carol'], 'carol', 'carol'],
  ])('lets the principal run as itself or an allowed user: %s', (_what, patterns, requested, want) => {
    expect(resolveTrinoUser(alice(patterns), requested)).toEqual({ ok: true, user: want });
  });

  it.each([
    ['no patterns at all', undefined, 'bob'],
    ['no match', ['svc_.*'], 'bob'],
    ['a match of a prefix only (patterns are anchored)', ['svc'], 'svc_etl'],
    ['a match of a suffix only', ['etl'], 'svc_etl'],
    ['an alternation that is anchored as a whole', ['bob|carol'], 'bobby'],
    ['a case difference', ['bob'], 'Bob'],
  ])('refuses with 403 on %s', (_what, patterns, requested) => {
    expect(resolveTrinoUser(alice(patterns), requested)).toEqual({
      ok: false,
      status: 403,
      message: `User alice may not impersonate ${requested}`,
    });
  });

  it('bounds the requested name it echoes in the message', () => {
    const r = resolveTrinoUser(alice(), 'x'.repeat(10_000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`User alice may not impersonate ${'x'.repeat(128)}`);
  });
});

describe('compilePatterns', () => {
  it('compiles none for a principal without patterns', () => {
    expect(compilePatterns(undefined)).toEqual([]);
    expect(compilePatterns([])).toEqual([]);
  });
});
