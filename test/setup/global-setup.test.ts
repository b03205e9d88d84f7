import { describe, expect, it } from 'vitest';
import { missingPackages } from '../global-setup.js';

describe('the test setup', () => {
  it('names the packages whose check fails', () => {
    const needed = [
      { pkg: 'chromium', present: () => false },
      { pkg: 'openssl', present: () => true },
    ];
    expect(missingPackages(needed)).toEqual(['chromium']);
  });

  it('left nothing the suite needs missing (it ran before this file)', () => {
    expect(missingPackages()).toEqual([]);
  });
});
