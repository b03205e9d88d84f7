/**
 * `node --import tsx src/cli/healthcheck.ts [--config FILE]`: exits 0 when the gateway this config
 * describes answers /healthz with 200 on its own port, 1 otherwise (the Dockerfile's HEALTHCHECK). It
 * reads the same config as the gateway, so the scheme (server.tls) and port are always the gateway's. The
 * check goes to the loopback address, so the certificate, made for the public name, is not verified.
 */
import http from 'node:http';
import https from 'node:https';
import { configPath, loadConfig } from '../config/load.js';

const TIMEOUT_MS = 2500;

function main(): void {
  let url: URL;
  try {
    const { server } = loadConfig(configPath(process.argv.slice(2)));
    const wildcard = ['0.0.0.0', '::', ''].includes(server.host);
    const host = wildcard ? '127.0.0.1' : server.host.includes(':') ? `[${server.host}]` : server.host;
    url = new URL(`${server.tls ? 'https' : 'http'}://${host}:${server.port}/healthz`);
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

main();
