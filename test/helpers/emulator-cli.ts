/** Runs one Trino emulator until SIGINT/SIGTERM: `npm run emulator -- --port 8081 --name trino-1`. */
import { parseArgs } from 'node:util';
import { TrinoEmulator } from './trino-emulator/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8081' },
    host: { type: 'string', default: '127.0.0.1' },
    name: { type: 'string', default: 'trino' },
    'process-forwarded': { type: 'boolean', default: false },
    'queued-pages': { type: 'string', default: '1' },
    'executing-pages': { type: 'string', default: '1' },
    'rows-per-page': { type: 'string', default: '1000' },
    'catalog-store': { type: 'string', default: 'memory' },
  },
});

const emu = await TrinoEmulator.start({
  port: Number(values.port),
  host: values.host,
  name: values.name,
  processForwarded: values['process-forwarded'],
  queuedPages: Number(values['queued-pages']),
  executingPages: Number(values['executing-pages']),
  rowsPerPage: Number(values['rows-per-page']),
  catalogStore: values['catalog-store'] as 'memory' | 'file' | 'static',
});
process.stdout.write(`trino emulator ${emu.name} listening on ${emu.url}\n`);
const stop = () => void emu.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
