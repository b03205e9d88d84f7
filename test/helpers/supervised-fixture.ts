/**
 * A stand-in program for supervisor.test.ts: its primary runs the real supervise(); its workers are tiny
 * processes that speak the worker side of the protocol (ready, start-failed, peer envelopes, roles) and
 * write what they hear to stdout as JSON lines. FIXTURE_MODE=fail makes each worker fail to start.
 */
import cluster from 'node:cluster';
import { supervise } from '../../src/cluster/supervisor.js';
import { PEER_KIND, READY_KIND, ROLE_KIND, START_FAILED_KIND } from '../../src/cluster/peer-bus.js';
import { createLogger } from '../../src/observability/logger.js';

const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

if (cluster.isPrimary) {
  const logger = createLogger({ level: 'info' });
  void supervise({ workers: 2, logger, stopTimeoutMs: 10_000, minBackoffMs: 50 }).then((code) => {
    say({ primaryExit: code });
    process.exit(code);
  });
} else {
  const n = Number(process.env.SWITCHYARD_WORKER);
  const send = (m: object) => process.connected && process.send?.(m);
  if (process.env.FIXTURE_MODE === 'fail') {
    send({ kind: START_FAILED_KIND, message: 'port 8080 is taken' });
    setTimeout(() => process.exit(3), 50);
  } else {
    let heard = false;
    process.on('message', (m: { kind?: string; topic?: string; data?: unknown; leader?: boolean }) => {
      if (m.kind === ROLE_KIND) say({ worker: n, pid: process.pid, leader: m.leader });
      if (m.kind === PEER_KIND && m.topic === 'hello' && !heard) {
        heard = true;
        say({ worker: n, heardFrom: m.data });
      }
    });
    process.on('SIGTERM', () => process.exit(0));
    send({ kind: READY_KIND });
    say({ worker: n, pid: process.pid, ready: true });
    // Said until a peer can hear it (one that is still starting would miss a single message).
    const hello = setInterval(() => send({ kind: PEER_KIND, topic: 'hello', data: n }), 100);
    setTimeout(() => clearInterval(hello), 20_000).unref();
  }
}
