import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { HandleCodec } from '../../src/proxy/handle-codec.js';
import { ownLocation, segmentLocation } from '../../src/proxy/relay.js';

const b = {
  name: 't1',
  origin: 'http://10.0.0.5:8080',
  advertisedOrigins: ['https://trino.lb:8443'],
} as unknown as Backend;
const codec = new HandleCodec('secret');
const cx = { publicUrl: 'https://gw.example', codec };

describe('a relayed redirect', () => {
  it.each([
    ['http://10.0.0.5:8080/ui/', 'https://gw.example/ui/'],
    ['http://10.0.0.5:8080', 'https://gw.example'],
    ['https://trino.lb:8443/ui/login.html?x=1', 'https://gw.example/ui/login.html?x=1'],
  ])('to the cluster itself comes back to the gateway: %s', (loc, to) => {
    expect(ownLocation(cx.publicUrl, b, loc)).toBe(to);
  });

  it.each(['http://10.0.0.5:80801/ui/', 'http://10.0.0.50:8080/ui/', 'https://idp.example/auth', '/ui/'])(
    'anywhere else is left alone: %s',
    (loc) => {
      expect(ownLocation(cx.publicUrl, b, loc)).toBeUndefined();
    },
  );
});

describe('a spooled segment redirect (WORKER_PROXY 303)', () => {
  it('to the coordinator gets the backend handle', () => {
    const to = segmentLocation(cx, b, 'http://10.0.0.5:8080/v1/spooled/download/seg1?x=1');
    expect(to).toBe(`https://gw.example/v1/spooled/download/seg1~${codec.encode('t1')}?x=1`);
  });

  it('to a worker gets a handle naming the backend and the worker, which decodes to both', () => {
    const to = segmentLocation(cx, b, 'http://10.0.0.9:8081/v1/spooled/download/seg1')!;
    const handle = to.split('~')[1]!;
    expect(to.startsWith('https://gw.example/v1/spooled/download/seg1~')).toBe(true);
    expect(codec.decode(handle)).toBe('t1@http://10.0.0.9:8081');
  });

  it.each([
    'https://s3.example/bucket/seg1?sig=1',
    'http://10.0.0.9:8081/v1/spooled/download/seg1~h',
    'not a url',
  ])('is left alone when it is no download path on a cluster, or already carries a handle: %s', (loc) => {
    expect(segmentLocation(cx, b, loc)).toBeUndefined();
  });
});
