import { parseArgs } from 'node:util';

/** What the command line asked the gateway binary to do. */
export type GatewayCommand =
  | { kind: 'run'; configFile: string }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

export const GATEWAY_USAGE = `Usage: switchyard [--config FILE]

Starts the Switchyard gateway for Trino.

Options:
  -c, --config FILE   gateway config (default: $SWITCHYARD_CONFIG, else ./gateway.config.yaml)
  -h, --help          print this help and exit
  -v, --version       print the version and exit

Signals: SIGTERM/SIGINT drain and stop, SIGHUP reloads the routing rules.
Try it without any Trino first: npm run demo`;

/**
 * parseGatewayArgs reads the gateway's command line strictly: an unknown flag or a stray argument is an
 * error naming it (a typo such as --conifg must never start the gateway on the default config).
 */
export function parseGatewayArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): GatewayCommand {
  let values: { config?: string; help?: boolean; version?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (e) {
    return { kind: 'error', message: argError(e as Error & { code?: string }, argv) };
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals.length > 0)
    return {
      kind: 'error',
      message: `unexpected argument "${positionals[0]}" (did you mean --config ${positionals[0]}?)`,
    };
  if (values.config === '') return { kind: 'error', message: '--config needs a file name' };
  return { kind: 'run', configFile: values.config ?? (env.SWITCHYARD_CONFIG || 'gateway.config.yaml') };
}

/** argError turns node:util's parse errors into one line naming the flag. */
function argError(e: Error & { code?: string }, argv: string[]): string {
  const flag = /'([^']+)'/.exec(e.message)?.[1] ?? argv.find((a) => a.startsWith('-')) ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}; see --help`;
  return e.message.replace(/'/g, '').split('. ')[0];
}
