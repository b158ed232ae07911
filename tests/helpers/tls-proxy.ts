/**
 * A real TLS-terminating reverse proxy in front of test servers: Debian's nginx with a certificate
 * made for the run, round-robin over the upstreams, saying which one answered (X-Upstream). And a
 * PostgreSQL server of the test's own (initdb in a temp folder, its own port), so a test can stop
 * and start it without touching the shared one. Each is stopped by its own process group or data
 * folder, never by name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { freePort, stopProcessGroup } from './server';
import { tempDir } from './paths';

export const NGINX = '/usr/sbin/nginx';
const PG_BIN = (() => {
  const versions = execFileSync('ls', ['/usr/lib/postgresql']).toString().trim().split('\n');
  return `/usr/lib/postgresql/${versions.at(-1)}/bin`;
})();

export type ProxyResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

export type TlsProxy = {
  url: string;
  /** One request through the proxy, from `localAddress` (a loopback address other than the proxy's). */
  request(
    method: string,
    pathname: string,
    options?: { body?: string; headers?: Record<string, string> },
  ): Promise<ProxyResponse>;
  stop(): Promise<void>;
};

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'proxy.crt');
  const key = path.join(dir, 'proxy.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** nginx on a free port over TLS, in front of `upstreams` (base URLs), as a self-hoster sets it up. */
export async function startTlsProxy(upstreams: string[], clientAddress: string): Promise<TlsProxy> {
  const dir = tempDir('nginx');
  const { cert, key } = selfSignedCertificate(dir);
  const port = await freePort();
  const config = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
daemon off;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { ${upstreams.map((upstream) => `server ${new URL(upstream).host};`).join(' ')} }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / {
      proxy_pass http://app;
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-Host $host:$server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Overwritten, not appended: the app trusts the first address (TRUST_PROXY=true).
      proxy_set_header X-Forwarded-For $remote_addr;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config);
  let log = '';
  const child = spawn(NGINX, ['-c', file, '-p', dir], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const ca = readFileSync(cert);
  const url = `https://localhost:${port}`;

  const request: TlsProxy['request'] = (method, pathname, options = {}) =>
    new Promise((resolve, reject) => {
      const outgoing = https.request(
        `${url}${pathname}`,
        { method, ca, localAddress: clientAddress, headers: options.headers, agent: false },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });

  for (let attempt = 0; ; attempt++) {
    try {
      await request('GET', '/api/health');
      break;
    } catch (error) {
      if (attempt > 50 || child.exitCode !== null) throw new Error(`nginx did not start: ${String(error)}\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, request, stop: () => stopProcessGroup(child) };
}

export type OwnPostgres = { url: string; stop(): void; start(): void; close(): void };

/** A PostgreSQL server of the test's own, so that stopping it stops nobody else's. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = tempDir('own-postgres');
  const data = path.join(dir, 'data');
  const port = await freePort();
  const root = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: as root, its files and processes are the postgres user's.
  if (root)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  const run = (command: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args], { stdio: 'ignore' })
      : execFileSync(path.join(PG_BIN, command), args, { stdio: 'ignore' });
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      path.join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    // A fast stop: connections are cut, as when the database host goes away.
    stop: () => run('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']),
    start,
    close: () => {
      try {
        run('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      } catch {
        // not running
      }
    },
  };
}
