// Where other replicas reach this one, the Kubernetes way: the pod's own
// address from the downward API (POD_IP) and the port the gateway listens on.
// Without POD_IP (two gateway processes on one machine, as in the tests) the
// address it listens on is the address.
import { isIP } from 'node:net';

/** `host:port` (IPv6 in brackets) for the serving-address annotation of the Leases this replica holds. */
export function servingAddress(podIp: string | undefined, listening: string): string {
  const url = new URL(listening);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const ip = podIp?.trim();
  if (!ip) return `${url.hostname}:${port}`;
  if (isIP(ip) === 0) throw new Error(`POD_IP ${JSON.stringify(ip)} is not an IP address`);
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}
