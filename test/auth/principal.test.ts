import { describe, expect, it } from 'vitest';
import { isAdmin, type Principal } from '../../src/auth/principal.js';

const who = (roles: string[]): Principal => ({ name: 'p', groups: [], roles, method: 'basic' });

describe('isAdmin', () => {
  it.each([
    ['no principal', undefined, false],
    ['a user', who(['user']), false],
    ['no roles', who([]), false],
    ['a role that only contains the word', who(['administrator', 'admins']), false],
    ['an admin', who(['admin']), true],
    ['a user who is also an admin', who(['user', 'admin']), true],
  ])('is right for %s', (_what, p, want) => {
    expect(isAdmin(p)).toBe(want);
  });
});
