import { Backend } from '../../src/backends/backend.js';

const made: Backend[] = [];

/** backendAt is a Backend of group g at url, as the registry builds one, with its own connections. */
export function backendAt(url: string, name = 'b'): Backend {
  const b = new Backend({ name, url, group: 'g', active: true, weight: 1, catalogDriver: 'sql' }, 16);
  made.push(b);
  return b;
}

/** releaseBackends closes the connections of every Backend backendAt made. */
export function releaseBackends(): void {
  for (const b of made.splice(0)) b.release();
}
