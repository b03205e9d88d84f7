/**
 * The Trino emulator for workload (c), started by the bench (test/helpers/trino-emulator/ is not changed):
 * `emulator-child.ts PORT`. It is test/helpers/emulator-cli.ts's emulator with its largePageWriter set:
 * `SELECT large_page(n)` answers a page of n bytes of tpch-lineitem rows (bench/lib/lineitem.ts) instead
 * of filler, and compresses it when the request accepts gzip, as Trino does by default
 * (`query-results.compression-enabled`, on; Airlift's Jetty GzipHandler, Deflater's default level 6).
 * The compression is a zlib stream, which runs on libuv's thread pool, as Jetty's runs on the request's
 * own thread: off the emulator's event loop. The rows are built once per size; each request is compressed
 * anew, as Trino compresses each response.
 */
import type http from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { TrinoEmulator } from '../../test/helpers/trino-emulator/index.js';
import { LINEITEM_COLUMNS, lineitemRows } from './lineitem.js';

const CHUNK = 64 * 1024;
const pages = new Map<number, Buffer>();

function sendLineitem(
  res: http.ServerResponse,
  headers: Record<string, string>,
  doc: Record<string, unknown>,
  bytes: number,
): void {
  let rows = pages.get(bytes);
  if (!rows) pages.set(bytes, (rows = Buffer.from(lineitemRows(bytes).json)));
  const head = JSON.stringify({ ...doc, columns: LINEITEM_COLUMNS, data: [], stats: undefined });
  const prefix = head.slice(0, head.lastIndexOf('"data":[]')) + '"data":[';
  const suffix = '],' + JSON.stringify({ stats: doc.stats, warnings: [] }).slice(1);
  const body = rows;
  const source = Readable.from(
    (function* () {
      yield Buffer.from(prefix);
      for (let o = 0; o < body.length; o += CHUNK) yield body.subarray(o, o + CHUNK);
      yield Buffer.from(suffix);
    })(),
  );
  const gzip = /\bgzip\b/.test(String(res.req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, gzip ? { ...headers, 'content-encoding': 'gzip', vary: 'Accept-Encoding' } : headers);
  const done = () => undefined;
  if (gzip) pipeline(source, createGzip(), res, done);
  else pipeline(source, res, done);
}

const emu = await TrinoEmulator.start({
  port: Number(process.argv[2]),
  host: '127.0.0.1',
  queuedPages: 0,
  executingPages: 0,
});
emu.largePageWriter = sendLineitem;
process.stdout.write(`trino emulator ${emu.name} listening on ${emu.url}\n`);
