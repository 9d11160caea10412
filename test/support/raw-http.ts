import { request as httpRequest } from 'node:http';

/**
 * A GET with the request target sent byte for byte (fetch would normalise `/./probe` and
 * `/x/../probe`), and headers as raw pairs so a repeated header stays two headers.
 */
export function rawGet(url: string, target: string, headers: [string, string][] = []): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    // Raw header pairs: Node then adds no Host of its own.
    const req = httpRequest({ hostname, port, path: target, method: 'GET', headers: [['Host', `${hostname}:${port}`], ...headers].flat() }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
