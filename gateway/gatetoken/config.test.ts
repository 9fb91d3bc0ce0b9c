import { describe, expect, it } from 'vitest';
import { ControllerConfigError, parseControllerArgs, renderControllerHelp, type ControllerConfig, type Surroundings } from './config.ts';

const surroundings = { namespace: 'gatepass-system', identity: 'node-1_4242' };

function config(argv: string[], env: Surroundings = surroundings): ControllerConfig {
  const parsed = parseControllerArgs(argv, env);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.config;
}

describe('parseControllerArgs', () => {
  it('defaults to the in-cluster service account, the pod, and the brief\'s timings', () => {
    const c = config([]);
    expect(c.apiServer.href).toBe('https://kubernetes.default.svc/');
    expect(c.apiServerBearerTokenFile).toBe('/var/run/secrets/kubernetes.io/serviceaccount/token');
    expect(c.namespace).toBe('gatepass-system');
    expect(c.identity).toBe('node-1_4242');
    expect(c.leaseName).toBe('gatepass-gatetoken-controller');
    expect(c.timing).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(c.maxTokenLifetimeMs).toBe(168 * 3_600_000);
    expect(c.defaultSecret).toEqual({ name: 'kube-gateway-jwt-private', namespace: 'kube-gateway', file: 'tls.key' });
    expect(config([], { namespace: undefined, identity: 'x' }).namespace).toBe('kube-gateway');
  });

  it('reads -flag=v, --flag=v and --flag v alike, and bare booleans', () => {
    const c = config(['-namespace=a', '--identity=pod-0', '--max-token-lifetime', '2h', '--api-server-skip-verify-tls', '--api-server-ca-file=']);
    expect(c).toMatchObject({ namespace: 'a', identity: 'pod-0', maxTokenLifetimeMs: 7_200_000, apiServerSkipVerifyTls: true, apiServerCaFile: '' });
    expect(config(['--api-server-skip-verify-tls', 'false']).apiServerSkipVerifyTls).toBe(false);
  });

  it('takes short election timings for tests', () => {
    const c = config(['--leader-elect-lease-duration=2s', '--leader-elect-renew-deadline=1500ms', '--leader-elect-retry-period=200ms']);
    expect(c.timing).toEqual({ leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 });
  });

  it.each([
    [['--no-such-flag'], 'unknown flag --no-such-flag'],
    [['stray'], 'unexpected argument "stray"'],
    [['--namespace'], '--namespace needs a value'],
    [['--namespace='], '--namespace must not be empty'],
    [['--max-token-lifetime=forever'], '--max-token-lifetime: invalid duration "forever"'],
    [['--retry-interval=0s'], '--retry-interval must be longer than 0s'],
    [['--leader-elect-renew-deadline=20s'], 'renew deadline must be shorter than the lease duration'],
    [['--api-server=ftp://x'], 'http:// or https://'],
    [['--api-server=::'], 'is not a URL'],
    [['--log-level=loud'], '--log-level must be one of'],
  ])('refuses %j clearly', (argv, message) => {
    expect(() => parseControllerArgs(argv, surroundings)).toThrow(ControllerConfigError);
    expect(() => parseControllerArgs(argv, surroundings)).toThrow(message);
  });

  it('answers --help with every flag', () => {
    expect(parseControllerArgs(['--help'], surroundings)).toEqual({ help: true });
    expect(renderControllerHelp()).toContain('--leader-elect-lease-duration');
  });
});
