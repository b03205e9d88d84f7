/**
 * `node dist/src/cli/healthcheck.js [--config FILE]` (or `node --import tsx src/cli/healthcheck.ts`): exits 0
 * when the gateway this config describes answers /healthz with 200 on its own port, 1 otherwise (the
 * Dockerfile's HEALTHCHECK). It reads the same config as the gateway, so the scheme (server.tls) and port
 * are always the gateway's; SWITCHYARD_HEALTHCHECK_URL, when set, is used instead and skips reading the
 * config (the cheapest check: about a quarter of the CPU). The check goes to the loopback address, so the
 * certificate, made for the public name, is not verified.
 */
import http from 'node:http';
import https from 'node:https';

const TIMEOUT_MS = 2500;

/** healthUrl is SWITCHYARD_HEALTHCHECK_URL, else /healthz on the loopback side of the config's listener. */
async function healthUrl(): Promise<URL> {
  const fixed = process.env.SWITCHYARD_HEALTHCHECK_URL;
  if (fixed) return new URL(fixed);
  // Loaded only when needed: the config schema is most of this program's start-up cost.
  const { configPath, loadConfig } = await import('../config/load.js');
  const { server } = loadConfig(configPath(process.argv.slice(2)));
  const wildcard = ['0.0.0.0', '::', ''].includes(server.host);
  const host = wildcard ? '127.0.0.1' : server.host.includes(':') ? `[${server.host}]` : server.host;
  return new URL(`${server.tls ? 'https' : 'http'}://${host}:${server.port}/healthz`);
}

async function main(): Promise<void> {
  let url: URL;
  try {
    url = await healthUrl();
  } catch (e) {
    process.stderr.write(`healthcheck: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const client = url.protocol === 'https:' ? https : http;
  const req = client.get(url, { timeout: TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
  req.on('timeout', () => req.destroy(new Error('timed out')));
  req.on('error', (e) => {
    process.stderr.write(`healthcheck: ${url.origin}: ${e.message}\n`);
    process.exit(1);
  });
}

void main();
