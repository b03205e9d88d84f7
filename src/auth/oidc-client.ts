import * as oidc from 'openid-client';
import type { JWTPayload } from 'jose';
import type { OidcConfig } from './oidc-config.js';
import { AppError } from '../app-error.js';

// A failure of a sign-in step is an AppError with the status the gateway answers: 400 for a request that
// cannot succeed (a bad or reused code, a refused grant), 401 for a token that does not verify, 503 when the
// IdP is down, slow or answers nonsense. Its message is safe to show: it never holds a code, token or secret.

/** What a successful grant yields: the verified ID-token claims, and the tokens the gateway keeps. */
export interface GrantResult {
  /** Absent only after a refresh whose answer held no new ID token (the sign-in's claims still hold). */
  claims?: JWTPayload;
  refreshToken?: string;
  /** Expiry of the access token (epoch seconds), else of the ID token. */
  expiresAt: number;
}

/** Sign-in parameters kept between the redirect and the callback. */
export interface Checks {
  state: string;
  nonce: string;
  verifier: string;
}

/** An IdP's answer to a refused request (RFC 6749 error codes only: no descriptions, which may echo input). */
const grantMessage = (e: unknown): string | undefined => {
  if (e instanceof oidc.ResponseBodyError) return `the identity provider refused the grant (${e.error})`;
  if (e instanceof oidc.AuthorizationResponseError)
    return `the identity provider refused the sign-in (${e.error})`;
  return undefined;
};

/**
 * OidcClient is the gateway's relying party, built on openid-client: discovery on first use (kept once it
 * succeeds, retried on the next use after a failure), authorization code with PKCE (S256), state and
 * nonce checked, ID-token signatures verified against the issuer's JWKS (non-repudiation checks), and
 * refresh. Every IdP request has the configured timeout.
 */
export class OidcClient {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly cfg: OidcConfig,
    /** `{server.publicUrl}/oidc/callback`, registered at the IdP. */
    readonly redirectUri: string,
  ) {}

  /** discover resolves the issuer's configuration, or rejects with a 503 AppError. */
  discover(): Promise<oidc.Configuration> {
    this.config ??= this.load().catch((e: unknown) => {
      this.config = undefined;
      throw e;
    });
    return this.config;
  }

  private async load(): Promise<oidc.Configuration> {
    const insecure = /^http:/i.test(this.cfg.issuer);
    try {
      return await oidc.discovery(
        new URL(this.cfg.issuer),
        this.cfg.clientId,
        { [oidc.clockTolerance]: this.cfg.clockToleranceSeconds },
        oidc.ClientSecretBasic(this.cfg.clientSecret),
        {
          timeout: this.cfg.requestTimeoutSeconds,
          execute: [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])],
        },
      );
    } catch (e) {
      throw new AppError(503, `the identity provider cannot be reached (discovery failed: ${reason(e)})`);
    }
  }

  /** The issuer's JWKS URL (after discovery), for verifying bearer JWTs it issued. */
  async jwksUri(): Promise<string> {
    const uri = (await this.discover()).serverMetadata().jwks_uri;
    if (!uri) throw new AppError(503, 'the identity provider publishes no jwks_uri');
    return uri;
  }

  /** The issuer identifier as discovered (the `iss` its tokens carry). */
  async issuer(): Promise<string> {
    return (await this.discover()).serverMetadata().issuer;
  }

  /** newChecks makes a fresh state, nonce and PKCE verifier for one sign-in. */
  static newChecks(): Checks {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
  }

  /** authorizationUrl is where the browser goes to sign in. */
  async authorizationUrl(checks: Checks): Promise<URL> {
    const config = await this.discover();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.cfg.scopes.join(' '),
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
    });
  }

  /** exchange completes the callback: checks state, trades the code (with the verifier), verifies the ID token. */
  async exchange(callbackUrl: URL, checks: Checks): Promise<GrantResult> {
    const config = await this.discover();
    try {
      const r = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.verifier,
        idTokenExpected: true,
      });
      return result(r, true);
    } catch (e) {
      throw this.failure(e);
    }
  }

  /** refresh trades a refresh token for new tokens; the new ID token (if any) is verified as at sign-in. */
  async refresh(refreshToken: string): Promise<GrantResult> {
    const config = await this.discover();
    try {
      // No scope: the grant's own (RFC 6749 §6); asking for more (offline_access not granted) is invalid_scope.
      const r = await oidc.refreshTokenGrant(config, refreshToken);
      return result(r, false);
    } catch (e) {
      throw this.failure(e);
    }
  }

  private failure(e: unknown): AppError {
    if (e instanceof AppError) return e;
    // The IdP failing (5xx, or an answer that is no OAuth response at all) is an outage, not a bad request.
    if (e instanceof oidc.ResponseBodyError && e.status >= 500)
      return new AppError(503, `the identity provider failed (HTTP ${e.status})`);
    const code0 = (e as { code?: string }).code ?? '';
    if (code0 === 'OAUTH_RESPONSE_IS_NOT_JSON' || code0 === 'OAUTH_RESPONSE_IS_NOT_CONFORM')
      return new AppError(503, `the identity provider failed (${code0.toLowerCase()})`);
    const refused = grantMessage(e);
    if (refused) return new AppError(400, refused);
    const code = (e as { code?: string }).code ?? '';
    // openid-client's own checks (state, nonce, iss, aud, exp, signature): the response does not verify.
    if (/^OAUTH_|^ERR_JW/.test(code))
      return new AppError(400, `the sign-in response did not verify (${code.toLowerCase()})`);
    return new AppError(503, `the identity provider cannot be reached (${reason(e)})`);
  }
}

function result(
  r: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  idTokenRequired: boolean,
): GrantResult {
  const claims = r.claims() as JWTPayload | undefined;
  if (!claims && idTokenRequired) throw new AppError(400, 'the identity provider returned no ID token');
  const now = Math.floor(Date.now() / 1000);
  // No expires_in and no ID token exp: five minutes, so the token neither lives on nor loops on refresh.
  const expiresAt =
    typeof r.expires_in === 'number' && r.expires_in > 0
      ? now + r.expires_in
      : typeof claims?.exp === 'number' && claims.exp > now
        ? claims.exp
        : now + 300;
  return { claims, refreshToken: r.refresh_token, expiresAt };
}

/** A short, secret-free reason: an error code or class, never a response body. */
function reason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; name?: string } }).cause;
  return (
    (e as { code?: string }).code ??
    cause?.code ??
    cause?.name ??
    (e as Error).name ??
    'unknown error'
  ).toLowerCase();
}
