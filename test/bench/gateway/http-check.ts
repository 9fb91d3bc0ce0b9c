import http from 'node:http';
import https from 'node:https';

/** One GET without keep-alive; resolves with the status code (the body is read and dropped). */
export function httpStatus(url: string, options: { headers?: Record<string, string>; ca?: string } = {}): Promise<number> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).get(url, { headers: options.headers ?? {}, agent: false, ...(secure && options.ca ? { ca: options.ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}
