import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';

const base = { issuer: 'https://idp.example.com', clientId: 'switchyard', clientSecret: 's' };

describe('auth.oidc config', () => {
  it('takes the issue’s field names and defaults the rest', () => {
    const c = oidcConfigSchema.parse(base);
    expect(c).toMatchObject({
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      userClaim: 'sub',
      groupsClaim: 'groups',
      rolesClaim: 'roles',
      challengeTimeoutSeconds: 900,
      refreshTokens: true,
    });
  });

  it.each([
    [{ issuer: 'http://idp.example.com' }, 'auth.oidc.issuer'],
    [{ scopes: ['profile'] }, 'auth.oidc.scopes'],
    [{ clientSecret: '' }, 'auth.oidc.clientSecret'],
    [{ clientID: 'typo' }, 'auth.oidc'],
  ])('refuses %j, naming the YAML path', (bad, path) => {
    const yaml = JSON.stringify({ auth: { oidc: { ...base, ...bad } } });
    expect(() => parseConfig(yaml, { baseDir: process.cwd() })).toThrow(path);
  });

  it('accepts an http issuer on this machine only', () => {
    expect(oidcConfigSchema.parse({ ...base, issuer: 'http://127.0.0.1:9000' }).issuer).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('refuses auth.oidc with auth.mode none, which would trust X-Trino-User instead', () => {
    const yaml = JSON.stringify({ auth: { mode: 'none', oidc: base } });
    expect(() => parseConfig(yaml, { baseDir: process.cwd() })).toThrow('auth.oidc');
  });
});
