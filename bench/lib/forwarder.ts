/**
 * The runtime's limit: a bare keep-alive reverse proxy with node:http and pipe, nothing else. A request
 * with Basic credentials is passed on as an authenticating gateway passes it to a cluster without
 * authentication (Switchyard's default): the user as X-Trino-User and no Authorization header, which such
 * a cluster refuses when it carries a password. The password is not checked.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const [port, target] = [Number(process.argv[2]), new URL(process.argv[3])];
const HOP = ['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection'];
const strip = (h: http.IncomingHttpHeaders) => {
  const o = { ...h };
  for (const k of HOP) delete o[k];
  return o;
};
// As many upstream sockets as the gateway may open in workload (d), so that both hold one per long poll.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8192 });
// Its own event-loop delay, read (and reset) at GET /__bench/loop: the control for the gateway's in (e).
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const server = http
  .createServer((req, res) => {
    if (req.url === '/__bench/loop') {
      const body = JSON.stringify({ p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 });
      loop.reset();
      return void res.end(body);
    }
    const basic = req.headers.authorization;
    if (basic?.startsWith('Basic ')) {
      const user = Buffer.from(basic.slice(6), 'base64').toString('latin1').split(':')[0];
      delete req.headers.authorization;
      req.headers['x-trino-user'] = user;
    }
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, strip(r.headers));
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  })
  .setTimeout(0)
  .listen({ port, host: '127.0.0.1', backlog: 8000 }, () => process.stdout.write('ready\n'));
server.keepAliveTimeout = 65_000;
