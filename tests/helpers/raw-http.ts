/**
 * A raw HTTP request: no URL normalisation (the path goes on the wire as written), any method,
 * any header. A connection the server closes without an answer (oversized headers, CONNECT)
 * resolves as status 0.
 */
import http from 'node:http';

export type RawRequest = {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
};
export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function rawRequest(base: string, request: RawRequest): Promise<RawResponse> {
  const { port, hostname } = new URL(base);
  const headers = { ...request.headers };
  if (request.body !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(request.body));
  }
  return new Promise((resolve) => {
    const outgoing = http.request(
      { host: hostname, port, method: request.method ?? 'GET', path: request.path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    outgoing.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    outgoing.end(request.body);
  });
}
