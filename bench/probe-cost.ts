/**
 * CPU per health probe: 1,000 healthy backends (each its own listener, in a child process so its CPU is
 * not counted), five rounds of probes one after another, this process's CPU time (user + system) per
 * probe. `npx tsx bench/probe-cost.ts [node]`: with `node`, the probe as it was before the backend
 * client (http.get on Node's global agent), for a comparison in one sitting.
 */
import { fork } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Backend } from '../src/backends/backend.js';
import type { HealthProbe } from '../src/health/health-probe.js';
import { infoProbe } from '../src/health/info-probe.js';

const N = 1000;

function serve(): void {
  void (async () => {
    const ports: number[] = [];
    for (let i = 0; i < N; i++) {
      const s = http.createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end('{"starting":false}');
      });
      await new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
      ports.push((s.address() as AddressInfo).port);
    }
    process.send!(ports);
  })();
}

const nodeProbe: HealthProbe = {
  probe: (b) =>
    new Promise((resolve) => {
      const req = http.get(`${b.url}/v1/info`, { timeout: 2000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ state: res.statusCode === 200 ? 'HEALTHY' : 'UNHEALTHY' }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ state: 'UNHEALTHY', detail: e.message }));
    }),
};

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: ['--import', 'tsx'] });
  const ports = await new Promise<number[]>((r) => child.once('message', (m) => r(m as number[])));
  const backends = ports.map(
    (p, i) =>
      new Backend(
        {
          name: `b${i}`,
          url: `http://127.0.0.1:${p}`,
          group: 'g',
          active: true,
          weight: 1,
          catalogDriver: 'sql',
        },
        8,
      ),
  );
  const probe = process.argv[2] === 'node' ? nodeProbe : infoProbe(2000);
  const signal = new AbortController().signal;
  setMaxListeners(0, signal); // every probe of a round listens to it, as in the monitor
  for (let round = 0; round < 6; round++) {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const rs = await Promise.all(backends.map((b) => probe.probe(b, signal)));
    const cpu = process.cpuUsage(cpu0);
    const bad = rs.filter((r) => r.state !== 'HEALTHY').length;
    console.log(
      `round ${round}: ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU/probe, ${Date.now() - t0} ms, ${bad} not healthy`,
    );
  }
  child.kill();
  for (const b of backends) b.release();
}

if (process.argv[2] === 'serve') serve();
else void main();
