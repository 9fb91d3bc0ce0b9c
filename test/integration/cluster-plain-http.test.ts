// The stand-in's plain-HTTP listener (`plainHttp`, `--plain-http`): the same
// handlers as over HTTPS, authentication and the console websocket included,
// so a benchmark can measure a relay without TLS in front of the same upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import { openConsole } from '../support/console-client.ts';

let cluster: ClusterHandle;

beforeAll(async () => {
  cluster = await startCluster({ plainHttp: true });
});

afterAll(async () => {
  await cluster?.close();
});

describe('the stand-in over plain HTTP', () => {
  it('serves the API with authentication and opens the console websocket over ws://', async () => {
    expect(cluster.plainServer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const vm = `${cluster.plainServer}/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/web-1`;
    expect((await fetch(vm, { headers: { authorization: `Bearer ${cluster.credentials.operator!.token}` } })).status).toBe(200);
    expect((await fetch(vm)).status).toBe(401);

    const url = `${cluster.plainServer!.replace('http:', 'ws:')}${vncPath('team-a', 'web-1')}`;
    const { ws, data } = await openConsole(url, { headers: { authorization: `Bearer ${cluster.credentials.gateway!.token}` } });
    expect(data?.toString('latin1')).toBe('RFB 003.008\n');
    ws.close();
  });
});
