// A still of a VM's screen (`…/vnc/screenshot`) with the operator's own
// credentials; it does not take the console session. Refusals are an answer,
// not a failure: the details view shows why there is no thumbnail.
import type { Screenshot } from '../../shared/desktop-api.ts';
import { screenshotPath } from '../../shared/kubevirt-paths.ts';
import { toDesktopError } from './errors.ts';
import { statusError, type KubeClient } from './kube-client.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function takeScreenshot(client: KubeClient, namespace: string, name: string): Promise<Screenshot> {
  try {
    const res = await client.requestBytes('GET', screenshotPath(namespace, name), 'image/png');
    if (res.status !== 200) return { ok: false, reason: toDesktopError(statusError(res.status, res.body.toString('utf8'), client.context)) };
    if (!res.body.subarray(0, 8).equals(PNG_SIGNATURE)) return { ok: false, reason: { code: 'internal', message: 'the screenshot is not a PNG image', context: client.context } };
    return { ok: true, pngBase64: res.body.toString('base64') };
  } catch (error) {
    return { ok: false, reason: toDesktopError(error, client.context) };
  }
}
