import type { Backend, ForwardAuthorization } from './backend.js';

/** resolveForwardAuthorization turns auth.forwardAuthorization's `auto` into its meaning for the auth mode. */
export function resolveForwardAuthorization(
  setting: ForwardAuthorization | 'auto',
  authMode: string,
): ForwardAuthorization {
  if (setting !== 'auto') return setting;
  return authMode === 'none' ? 'always' : 'never';
}

/**
 * clusterWarnings names what cannot work in the way a backend is reached, one line per backend, each
 * naming the setting to change. A cluster that checks passwords answers a plain-HTTP request with its
 * insecure authenticator (AuthenticationFilter), which refuses any password with 401, unless the request
 * counts as https through accepted forwarding; and credentials sent over http:// cross the network in
 * cleartext.
 */
export function clusterWarnings(backends: readonly Backend[], authMode: string, publicUrl: string): string[] {
  const out: string[] = [];
  const httpsInFront = publicUrl.startsWith('https:');
  for (const b of backends) {
    if (!b.forwardsAuthorization || b.target.protocol !== 'http:' || authMode === 'none') continue;
    const secureByForwarding = b.processForwarded && httpsInFront;
    out.push(
      `backend ${b.name}: clients' credentials go to ${b.url} in cleartext` +
        (secureByForwarding
          ? ''
          : `, and a Trino that checks passwords refuses them over plain http ("Password not allowed for insecure authentication")`) +
        `; set backends[].forwardAuthorization: never (or auth.forwardAuthorization: auto) when the cluster trusts the gateway's X-Trino-User, or give it an https:// url`,
    );
  }
  return out;
}
