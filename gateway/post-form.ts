import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { readAll, type Upstream } from './upstream.ts';

/**
 * POSTs a form to an OAuth endpoint. It may live on another host than the API
 * server (OpenShift's OAuth route), so both the system CAs and the API
 * server's CA are trusted; verification is never turned off.
 */
export function postForm(upstream: Upstream, url: string, form: URLSearchParams): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const body = form.toString();
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
      ...(upstream.tls.ca ? { ca: [...rootCertificates, upstream.tls.ca] } : {}),
      rejectUnauthorized: upstream.tls.rejectUnauthorized,
    });
    req.setTimeout(10_000, () => req.destroy(new Error('the OAuth server did not answer in time')));
    req.on('error', reject);
    req.on('response', (res) => {
      readAll(res).then((body) => resolve({ status: res.statusCode ?? 502, body }), reject);
    });
    req.end(body);
  });
}
