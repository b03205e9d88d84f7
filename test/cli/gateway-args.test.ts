import { describe, expect, it } from 'vitest';
import { parseGatewayArgs } from '../../src/cli/gateway-args.js';

const env = {};

describe('the gateway command line', () => {
  it.each([
    [[], { kind: 'run', configFile: 'gateway.config.yaml' }],
    [['--config', 'a.yaml'], { kind: 'run', configFile: 'a.yaml' }],
    [['--config=a.yaml'], { kind: 'run', configFile: 'a.yaml' }],
    [['-c', 'a.yaml'], { kind: 'run', configFile: 'a.yaml' }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['--version'], { kind: 'version' }],
  ])('reads %j', (argv, want) => {
    expect(parseGatewayArgs(argv, env)).toEqual(want);
  });

  it('takes SWITCHYARD_CONFIG when no --config is given', () => {
    expect(parseGatewayArgs([], { SWITCHYARD_CONFIG: '/etc/x.yaml' })).toEqual({
      kind: 'run',
      configFile: '/etc/x.yaml',
    });
  });

  it.each([
    [['--conifg', 'x.yaml'], 'unknown option --conifg'],
    [['-x'], 'unknown option -x'],
    [['--config'], '--config'],
    [['x.yaml'], 'unexpected argument "x.yaml"'],
  ])('refuses %j naming the mistake', (argv, message) => {
    const r = parseGatewayArgs(argv, env);
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toContain(message);
  });
});
