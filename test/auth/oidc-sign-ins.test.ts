import { describe, expect, it } from 'vitest';
import { SignIns } from '../../src/auth/oidc-sign-ins.js';

describe('SignIns', () => {
  const checks = (state: string) => ({ state, nonce: 'n', verifier: 'v' });

  it('gives a state once, to the browser holding its binding', () => {
    const s = new SignIns(60_000);
    const started = s.start(checks('st'), { kind: 'console', next: '/console' });
    expect(s.take('st', 'not-the-binding')).toBe('other-browser');
    expect(s.take('st', started.binding)).toBe(started);
    expect(s.take('st', started.binding)).toBe('unknown');
    expect(s.take('never', started.binding)).toBe('unknown');
  });
});
