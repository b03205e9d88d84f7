import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from './start-gateway.js';
import { TrinoEmulator } from './trino-emulator/index.js';

export interface TwoClusters {
  adhoc: TrinoEmulator;
  etl: TrinoEmulator;
  gw: TestGateway;
  stop(): Promise<void>;
}

/**
 * twoClusterGateway starts what the console's browser tests look at: a gateway in mode none with one admin
 * (root / s3cret) and two emulated clusters, trino-adhoc (with a browser URL) in adhoc and trino-etl in etl,
 * probed often so a cluster's fall shows within a second.
 */
export async function twoClusterGateway(): Promise<TwoClusters> {
  const adhoc = await TrinoEmulator.start({ name: 'trino-adhoc' });
  const etl = await TrinoEmulator.start({ name: 'trino-etl' });
  const gw = await startGateway(
    testConfig(
      [
        { name: 'trino-adhoc', url: adhoc.url, externalUrl: 'https://trino-adhoc.example.com' },
        { name: 'trino-etl', url: etl.url, group: 'etl' },
      ],
      {
        auth: {
          mode: 'none',
          users: [
            {
              name: 'root',
              passwordHash: await hashPassword('s3cret'),
              roles: ['admin', 'user'],
              groups: ['*'],
            },
          ],
        },
        health: { intervalSeconds: 0.2, timeoutSeconds: 0.5, healthyThreshold: 1, unhealthyThreshold: 1 },
      },
    ),
  );
  return {
    adhoc,
    etl,
    gw,
    stop: async () => {
      await gw.stop();
      await Promise.all([adhoc.stop(), etl.stop()]);
    },
  };
}
