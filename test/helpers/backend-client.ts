import { BackendClient } from '../../src/backends/backend-client.js';
import { ConnectionPool } from '../../src/backends/connection-pool.js';

const pools: ConnectionPool[] = [];

/** backendClient is the gateway's client for a backend at url (an origin), on a pool of its own. */
export function backendClient(url: string, connections = 16): BackendClient {
  const origin = new URL(url).origin;
  const pool = new ConnectionPool(origin, connections);
  pools.push(pool);
  return new BackendClient(pool, origin);
}

/** closeBackendClients drops every pool backendClient opened. */
export async function closeBackendClients(): Promise<void> {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
}
